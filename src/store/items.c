/* SPDX-License-Identifier: MIT */
/* items.c — looking up the council annotations (items.h) and reading the live schema's columns
 * on either engine, for `mimamori council` (the check that every column is annotated, and the
 * council's item lists). */
#include "store/items.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "store/engine.h"
#include "store/store.h"

const struct store_item_table *store_item_table_find(const char *table)
{
	for (size_t i = 0; i < store_item_tables_count; i++)
		if (strcmp(store_item_tables[i].table, table) == 0)
			return &store_item_tables[i];
	return NULL;
}

const struct store_item *store_item_find(const char *table, const char *column)
{
	for (size_t i = 0; i < store_items_count; i++)
		if (strcmp(store_items[i].table, table) == 0 &&
		    strcmp(store_items[i].column, column) == 0)
			return &store_items[i];
	return NULL;
}

const char *store_item_class_ja(enum store_item_class c)
{
	switch (c) {
	case STORE_ITEM_PERSONAL:
		return "個人";
	case STORE_ITEM_CARE:
		return "要配慮";
	case STORE_ITEM_PLAIN:
		break;
	}
	return "一般";
}

/* The catalogue of each engine: every table's columns in their order. SQLite's own tables
 * (sqlite_sequence, sqlite_stat1) are the engine's, not the ward's. */
static const char *const columns_sql[2] = {
    [STORE_SQLITE] = "SELECT m.name, p.name, p.type FROM sqlite_master m, "
		     "pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE "
		     "'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid",
    [STORE_POSTGRESQL] = "SELECT table_name::text, column_name::text, data_type::text FROM "
			 "information_schema.columns WHERE table_schema = current_schema() "
			 "ORDER BY table_name, ordinal_position",
};

enum err store_columns_list(struct store *s, struct store_column **out, size_t *n)
{
	enum err e = ERR_DB;
	size_t cap = 256, len = 0;
	struct store_column *cols = xcalloc(cap, sizeof *cols);
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(c, columns_sql[s->eng->dialect]);
	int rc = st ? store_step(st) : -1;
	for (; rc == STORE_ROW; rc = store_step(st)) {
		if (len == cap) {
			cap *= 2;
			cols = xrealloc(cols, cap * sizeof *cols);
		}
		const char *type = store_col_text(st, 2);
		cols[len].table = xstrdup(store_col_text(st, 0));
		cols[len].column = xstrdup(store_col_text(st, 1));
		cols[len].type = xstrdup(type ? type : "");
		cols[len].blob = strcasecmp(cols[len].type, "BLOB") == 0 ||
				 strcasecmp(cols[len].type, "bytea") == 0;
		len++;
	}
	if (rc == STORE_DONE)
		e = ERR_OK;
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		store_columns_free(cols, len);
		cols = NULL;
		len = 0;
	}
	*out = cols;
	*n = len;
	return e;
}

void store_columns_free(struct store_column *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].table);
		free(c[i].column);
		free(c[i].type);
	}
	free(c);
}
