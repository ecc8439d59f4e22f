/* SPDX-License-Identifier: MIT */
/* pg.h — what pg_copy.c needs of the PostgreSQL engine. Internal to src/store/. */
#ifndef MIMAMORI_STORE_PG_H
#define MIMAMORI_STORE_PG_H
#include <libpq-fe.h>

struct store_conn;

/* Returns c's libpq connection (owned by c), or NULL when c is not connected. */
PGconn *pg_raw(struct store_conn *c);

#endif
