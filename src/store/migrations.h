/* SPDX-License-Identifier: MIT */
/* migrations.h — the numbered migrations from sql/, embedded at build time in each dialect. */
#ifndef MIMAMORI_STORE_MIGRATIONS_H
#define MIMAMORI_STORE_MIGRATIONS_H
#include <stddef.h>

struct store_migration {
	int version;
	/* [STORE_SQLITE] the file as written (without its "-- [postgresql]" blocks);
	 * [STORE_POSTGRESQL] translated by scripts/embed_sql.py (docs/architecture.md, Storage). */
	const char *sql[2];
};

/* Generated from sql/NNNN_*.sql by scripts/embed_sql.py, in version order. */
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_count;

#endif
