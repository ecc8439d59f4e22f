/* SPDX-License-Identifier: MIT */
/* sqlite_checkpoint.h — the SQLite WAL checkpointed by a thread of its own (sqlite_checkpoint.c). */
#ifndef MIMAMORI_STORE_SQLITE_CHECKPOINT_H
#define MIMAMORI_STORE_SQLITE_CHECKPOINT_H

#include <sqlite3.h>

struct sq_checkpointer;

/* Returns the checkpointer of the database file at path (owned by the caller: free it with
 * sq_checkpointer_free once every connection it is attached to is closed). Its thread starts
 * when a commit first asks for a checkpoint. MIMAMORI_SQLITE_CHECKPOINT_PAGES (benchmarks)
 * sets the WAL size in pages that asks for one (default 10,000). */
struct sq_checkpointer *sq_checkpointer_new(const char *path);

/* Makes db's commits ask k for checkpoints instead of running SQLite's own. */
void sq_checkpointer_attach(struct sq_checkpointer *k, sqlite3 *db);

/* Stops k's thread (after the checkpoint it is running) and frees k; NULL is a no-op. */
void sq_checkpointer_free(struct sq_checkpointer *k);

#endif
