/* SPDX-License-Identifier: MIT */
/* store.h — the storage interface: connections, transactions and prepared statements.
 * Only src/store/ includes <sqlite3.h>; services write portable SQL with '?' placeholders
 * and use these calls, so a PostgreSQL backend can join behind the same interface. */
#ifndef MIMAMORI_STORE_STORE_H
#define MIMAMORI_STORE_STORE_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;      /* a pool of connections to one database */
struct store_conn; /* one connection, borrowed from the pool by one thread */
struct store_stmt; /* a prepared statement on one connection */

enum store_step { STORE_ROW = 1, STORE_DONE = 2 };

/* Opens (creating if asked) the SQLite database at path with WAL and synchronous=FULL, applies
 * the numbered migrations, and returns a pool of up to pool_size connections in *out (caller
 * frees with store_close). */
enum err store_open(const char *path, int create, int pool_size, struct store **out);
/* Closes every connection and frees s; NULL is a no-op. */
void store_close(struct store *s);
/* Returns the schema version (highest migration applied). */
int store_schema_version(struct store *s);

/* Borrows a connection (blocks until one is free). Give it back with store_release. */
struct store_conn *store_acquire(struct store *s);
void store_release(struct store_conn *c);

/* Transactions. store_begin takes the write lock at once (BEGIN IMMEDIATE). */
enum err store_begin(struct store_conn *c);
enum err store_commit(struct store_conn *c);
/* Returns 1 when a transaction is open on c. */
int store_in_tx(struct store_conn *c);
/* Rolls back; safe to call when no transaction is open. */
void store_rollback(struct store_conn *c);
/* Runs one or more statements without parameters (schema, pragmas). */
enum err store_exec(struct store_conn *c, const char *sql);

/* Prepares sql (cached per connection; the statement is reset on store_finish).
 * Returns NULL on a programming error in the SQL, after logging it. */
struct store_stmt *store_prepare(struct store_conn *c, const char *sql);
/* Resets and releases a statement back to the connection's cache; NULL is a no-op. */
void store_finish(struct store_stmt *st);

/* Binds parameter idx (1-based). Text and blobs are copied. NULL text binds SQL NULL. */
void store_bind_text(struct store_stmt *st, int idx, const char *v);
void store_bind_int(struct store_stmt *st, int idx, int64_t v);
void store_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n);
void store_bind_null(struct store_stmt *st, int idx);

/* Steps: STORE_ROW, STORE_DONE, or a negative value on error (see store_step_err). A
 * uniqueness violation gives -ERR_CONFLICT; anything else -ERR_DB. */
int store_step(struct store_stmt *st);
/* Convenience: step to completion expecting no rows; returns ERR_OK/ERR_CONFLICT/ERR_DB. */
enum err store_run(struct store_stmt *st);

/* Column getters for the current row (0-based). Pointers live until the next step/finish. */
const char *store_col_text(struct store_stmt *st, int col);
int64_t store_col_int(struct store_stmt *st, int col);
const void *store_col_blob(struct store_stmt *st, int col, size_t *len);
int store_col_is_null(struct store_stmt *st, int col);

/* Returns the rowid of the last insert on this connection. */
int64_t store_last_id(struct store_conn *c);
/* Returns the number of rows changed by the last statement. */
int store_changes(struct store_conn *c);

/* A unit of work for group commit: runs on c inside an open transaction (in its own
 * savepoint); must not begin or commit. Returns ERR_OK to keep its changes. */
typedef enum err (*store_work_fn)(struct store_conn *c, void *ctx);
/* Runs fn(c, ctx) inside a transaction shared with the other callers waiting at the same moment
 * (group commit): one thread leads, runs every queued unit in its own SAVEPOINT (a failing unit
 * is rolled back alone) and commits them with one durable COMMIT. Returns when the caller's
 * unit is committed (or rolled back): fn's result, or ERR_DB when the commit failed. fn may run
 * on another thread than the caller's; ctx stays the caller's. */
enum err store_group_run(struct store *s, store_work_fn fn, void *ctx);

/* Copies the whole database into a new file at path (online backup). */
enum err store_backup(struct store *s, const char *path);

#endif
