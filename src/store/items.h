/* SPDX-License-Identifier: MIT */
/* items.h — the council annotations of the migrations (sql/NNNN_*.sql comments "-- 表:",
 * "-- 項目:", "-- 流れ:"), embedded at build time by scripts/embed_items.py: what each table and
 * column is in Japanese, whose data it holds, whether it is personal, sealed or 要配慮, and who
 * hands personal information to whom (docs/architecture.md, "The council's annotations"). */
#ifndef MIMAMORI_STORE_ITEMS_H
#define MIMAMORI_STORE_ITEMS_H
#include <stddef.h>

#include "base/err.h"

enum store_item_class {
	STORE_ITEM_PLAIN,    /* 一般: not personal */
	STORE_ITEM_PERSONAL, /* 個人: personal */
	STORE_ITEM_CARE, /* 要配慮: special care (health, disability, welfare circumstances) */
};

struct store_item_table {
	const char *table;
	const char *name_ja; /* 児童 */
	const char *owner;   /* a service's name, or "platform" */
	const char *whose;   /* 本人: whose data ("登録児童"), or "" */
	int fixed; /* 固定: a fixed list the migration fills (no personal data), kept by an erasure */
};

struct store_item {
	const char *table;
	const char *column;
	const char *name_ja; /* 児童氏名 */
	enum store_item_class cls;
	int sealed; /* 暗号化: sealed under the owner's data key (a BLOB column) */
};

struct store_item_flow {
	const char *owner; /* a service's name, or "platform" */
	const char *from;  /* 保護者 */
	const char *to;	   /* 学童クラブ */
	const char *what;  /* 児童氏名・メールアドレス */
	const char *how;   /* 登録の申込書 */
};

extern const struct store_item_table store_item_tables[];
extern const size_t store_item_tables_count;
extern const struct store_item store_items[];
extern const size_t store_items_count;
/* Ends with a zero entry as well. */
extern const struct store_item_flow store_item_flows[];
extern const size_t store_item_flows_count;

/* Returns the annotation of table, or NULL when it has none. */
const struct store_item_table *store_item_table_find(const char *table);
/* Returns the annotation of table.column, or NULL when it has none. */
const struct store_item *store_item_find(const char *table, const char *column);
/* Returns the Japanese word of a class: 一般, 個人 or 要配慮 (static). */
const char *store_item_class_ja(enum store_item_class c);

/* A column of the live schema. */
struct store_column {
	char *table;
	char *column;
	char *type; /* as the engine names it: INTEGER/TEXT/BLOB (SQLite), bigint/text/bytea (PG) */
	int blob;   /* 1 for a BLOB / bytea column */
};

struct store;
/* Reads every column of every table of the live database (SQLite's sqlite_master and
 * table_info; PostgreSQL's information_schema of the current schema), sorted by table and then
 * column position, into a new array *out of *n (free with store_columns_free). ERR_DB when it
 * cannot. */
enum err store_columns_list(struct store *s, struct store_column **out, size_t *n);
/* Frees an array of store_columns_list; NULL is a no-op. */
void store_columns_free(struct store_column *c, size_t n);

#endif
