/* SPDX-License-Identifier: MIT */
/* pg_sql.h — reading the portable SQL the services write, for PostgreSQL (pg.c). */
#ifndef MIMAMORI_STORE_PG_SQL_H
#define MIMAMORI_STORE_PG_SQL_H
#include <stddef.h>

#define PG_SQL_MAX_PARAMS 250

/* Translates SQLite's parameters in sql — `?` (one more than the highest so far, as SQLite
 * numbers them) and `?N` — into PostgreSQL's `$N`, leaving string literals, quoted identifiers
 * and comments alone. Sets *nparams to the highest number and used[N-1] to 1 for each number
 * that appears (used holds PG_SQL_MAX_PARAMS bytes). Returns the new text (caller frees), or
 * NULL when a number is 0 or above PG_SQL_MAX_PARAMS. */
char *pg_sql_params(const char *sql, int *nparams, unsigned char *used);

/* When sql is an INSERT without a RETURNING clause, copies its table's name into table (n bytes)
 * and returns 1; otherwise returns 0. */
int pg_sql_insert_table(const char *sql, char *table, size_t n);

#endif
