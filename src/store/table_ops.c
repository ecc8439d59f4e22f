/* SPDX-License-Identifier: MIT */
/* table_ops.c — whole tables named at run time (a service's own tables, erased at its
 * contract's end): counting and emptying one, the name checked before it reaches SQL; an
 * append-only table is let empty only inside that one transaction (purge_marks, 0041). */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store.h"

/* Returns 1 when name can only be a plain table name: 1 to 63 lower-case letters, digits or
 * '_', starting with a letter. */
static int table_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63 || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			return 0;
	return 1;
}

enum err store_table_count(struct store_conn *c, const char *table, int64_t *rows)
{
	if (!table_name_ok(table))
		return ERR_INVALID;
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	struct store_stmt *st = store_prepare(c, sql);
	free(sql);
	if (!st)
		return ERR_DB;
	enum err e = ERR_DB;
	if (store_step(st) == STORE_ROW) {
		*rows = store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err store_purge_mark(struct store_conn *c, const char *table, int on)
{
	if (!store_in_tx(c))
		return ERR_INVALID; /* a mark committed on its own would open the table to anyone */
	struct store_stmt *st =
	    store_prepare(c, on ? "INSERT INTO purge_marks (tbl) VALUES (?)"
				: "DELETE FROM purge_marks WHERE tbl = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, table);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err store_table_clear(struct store_conn *c, const char *table, int64_t *rows)
{
	enum err e = store_table_count(c, table, rows);
	if (e != ERR_OK)
		return e;
	char *sql = xasprintf("DELETE FROM %s", table);
	struct store_stmt *st = store_prepare(c, sql);
	free(sql);
	if (!st)
		return ERR_DB;
	e = store_purge_mark(c, table, 1);
	if (e == ERR_OK)
		e = store_run(st);
	store_finish(st);
	if (e == ERR_OK)
		e = store_purge_mark(c, table, 0);
	return e;
}
