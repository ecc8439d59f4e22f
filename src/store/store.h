/* SPDX-License-Identifier: MIT */
/* store.h — the storage interface: connections, transactions and prepared statements.
 * Two engines stand behind it: SQLite (a file in the data directory, the default) and
 * PostgreSQL (libpq, [store] url). Only src/store/ includes <sqlite3.h> or <libpq-fe.h>;
 * services write portable SQL with '?' placeholders and use these calls, and cannot tell which
 * engine runs (docs/architecture.md, Storage, lists what SQL both accept). */
#ifndef MIMAMORI_STORE_STORE_H
#define MIMAMORI_STORE_STORE_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;      /* a pool of connections to one database */
struct store_conn; /* one connection, borrowed from the pool by one thread */
struct store_stmt; /* a prepared statement on one connection */
struct buf;

enum store_step { STORE_ROW = 1, STORE_DONE = 2 };

/* Opens the database target — a SQLite file path, or a PostgreSQL URL (postgresql://…) or libpq
 * connection string (host=… dbname=…) — applies the numbered migrations, and returns a pool of
 * up to pool_size connections in *out (caller frees with store_close). SQLite runs in WAL mode
 * with synchronous=FULL and creates a missing file when create is set. A PostgreSQL database
 * is made by its administrator: with create it must hold no mimamori schema yet (ERR_CONFLICT),
 * without create it must hold one (ERR_NOTFOUND); ERR_DB when it cannot be reached. */
enum err store_open(const char *target, int create, int pool_size, struct store **out);
/* Returns 1 when url names a PostgreSQL database (a postgresql:// or postgres:// URL, or a libpq
 * connection string of key=value pairs): what [store] url may hold. */
int store_url_valid(const char *url);
/* Closes every connection and frees s; NULL is a no-op. */
void store_close(struct store *s);
/* Returns the schema version (highest migration applied). */
int store_schema_version(struct store *s);

/* Borrows a connection (blocks until one is free). Give it back with store_release. */
struct store_conn *store_acquire(struct store *s);
void store_release(struct store_conn *c);

/* Transactions. store_begin takes the write lock at once: write transactions of every thread,
 * process and server take turns (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so
 * what one reads in its transaction no other writer changes before it commits. */
enum err store_begin(struct store_conn *c);
/* Begins a transaction that only reads and sees one snapshot of the database throughout (a
 * check that reads several tables while a server writes); end it with store_rollback. */
enum err store_begin_read(struct store_conn *c);
enum err store_commit(struct store_conn *c);
/* Returns 1 when a transaction is open on c. */
int store_in_tx(struct store_conn *c);
/* Returns the store c was acquired from (c's owner; not a new reference). */
struct store *store_of(struct store_conn *c);
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

/* Returns the id of the row the last successful INSERT on this connection made (tables whose
 * key is `id INTEGER PRIMARY KEY`). */
int64_t store_last_id(struct store_conn *c);
/* Returns the number of rows changed by the last INSERT, UPDATE or DELETE on c. */
int store_changes(struct store_conn *c);

/* A unit of work for group commit: runs on c inside an open transaction (in its own
 * savepoint); must not begin or commit. Returns ERR_OK to keep its changes. */
typedef enum err (*store_work_fn)(struct store_conn *c, void *ctx);
/* Runs fn(c, ctx) inside a transaction shared with the other callers waiting at the same moment
 * (group commit): one thread leads, takes every unit queued while the previous commit was
 * syncing, runs each in its own SAVEPOINT (a failing unit is rolled back alone) on the group's
 * own connection (never lent by store_acquire: its page cache stays warm, so a unit may read
 * what it needs there) and commits them with one durable COMMIT. Returns when the caller's
 * unit is committed (or rolled back): fn's result, or ERR_DB when the commit failed. fn may run
 * on another thread than the caller's; ctx stays the caller's. */
enum err store_group_run(struct store *s, store_work_fn fn, void *ctx);
/* Called once a unit queued by store_group_submit is committed or rolled back: result is fn's,
 * or ERR_DB when the commit failed; unavailable when that was for want of a reachable database
 * (see store_unavailable_take). */
typedef void (*store_group_done_fn)(void *ctx, enum err result, int unavailable);
/* Queues fn(c, ctx) for the next group commit, as store_group_run does, without waiting: the
 * store's committing thread (started on first use; or a caller of store_group_run leading the
 * batch) runs it and then finished(ctx, …), which must not wait on the store's commits (it
 * answers a suspended request, say). Returns ERR_OK when queued — finished will be called
 * exactly once —, else ERR_TEMP (the store is closing, or no thread can start) and nothing is
 * called. ctx stays the caller's. */
enum err store_group_submit(struct store *s, store_work_fn fn, void *ctx,
			    store_group_done_fn finished);

/* Returns 1 when, since the last call on this thread, a store call of this thread (or a group
 * commit that ran its unit) failed because the database server could not be reached: the
 * connection was lost, none could be made, or the server is not a primary (a failover in
 * progress). Clears the mark. The HTTP layer then answers 503 rather than 500: the request may
 * be tried again once a primary answers. Owns nothing. */
int store_unavailable_take(void);
/* Named locks of a process (locks.c), for several `mimamori serve` on one database: a lock is
 * held by the process that took it until it ends (or closes s), however it ends — a server
 * killed with kill -9 holds none. PostgreSQL: session advisory locks on a connection of their
 * own (a key per name; a reconnection loses them, and the next take takes them again when free).
 * SQLite: every name is the one lock file DB.serve-lock, so only one process serves a database.
 * Takes lock name for this process unless another holds it. Returns 1 when this process holds
 * it (now or already), 0 when another process does, -1 when the database cannot be asked. */
int store_lock_take(struct store *s, const char *name);
/* Returns 1 when another process holds lock name, 0 when none does (or this one), -1 when the
 * database cannot be asked. On SQLite: 1 unless this process holds (or now takes) the file. */
int store_lock_held_elsewhere(struct store *s, const char *name);

/* Copies the whole database into a new file at path (online backup). SQLite only: a
 * PostgreSQL database is backed up with pg_dump (ERR_INVALID). */
enum err store_backup(struct store *s, const char *path);

/* Returns the engine of s: "sqlite" or "postgresql" (static). */
const char *store_engine_name(struct store *s);
/* Writes a copy of s to path for a backup, without meta's rows named data_key:… or
 * index_key:… (a backup holds no key, wrapped or not). SQLite: a database file (the online
 * backup API; those rows then deleted with secure_delete, which zeroes their bytes). PostgreSQL:
 * pg_dump's custom format of every table but meta's rows, taken while holding the write lock;
 * meta's other rows are appended to meta as lines "HEXKEY HEXVALUE". Returns ERR_OK, ERR_DB
 * (pg_dump failed or a database error), ERR_IO. */
enum err store_dump(struct store *s, const char *path, struct buf *meta);
/* Loads a PostgreSQL dump of store_dump (path, its meta lines in meta) into url, an empty
 * database (pg_restore in one transaction), then meta's rows. ERR_DB when pg_restore fails
 * (not empty, unreachable), ERR_INVALID for malformed meta lines. */
enum err store_dump_load_pg(const char *url, const char *path, const char *meta);

/* Counts the rows of table (a plain name: lower-case letters, digits, '_') into *rows.
 * ERR_INVALID for another name, ERR_DB on a database error (no such table). */
enum err store_table_count(struct store_conn *c, const char *table, int64_t *rows);
/* Deletes every row of table (checked as store_table_count does), their number in *rows, inside
 * the caller's write transaction (ERR_INVALID outside one); an append-only table's DELETE
 * trigger lets them go, as the table is marked in purge_marks meanwhile (0041). ERR_INVALID,
 * ERR_DB (a row another table refers to). */
enum err store_table_clear(struct store_conn *c, const char *table, int64_t *rows);
/* Marks (on 1) or unmarks table in purge_marks (0041) inside the caller's write transaction
 * (ERR_INVALID outside one): while marked, an append-only table's DELETE trigger lets its rows
 * go. Unmark before the commit. ERR_OK, ERR_INVALID, ERR_DB. */
enum err store_purge_mark(struct store_conn *c, const char *table, int on);

/* Makes the deleted rows of table unrecoverable from the database's files, outside a
 * transaction. SQLite: deleted content is zeroed as it is deleted (secure_delete); this empties
 * the WAL into the file (a TRUNCATE checkpoint), so no byte of a deleted row survives in the
 * file, the WAL or the directory (whatever table: the checkpoint is the database's);
 * ERR_TEMP when readers kept it from completing for ~2 s. PostgreSQL: VACUUM FULL table, which
 * writes the table anew without its deleted rows under an exclusive lock (for small tables
 * only), the old files emptied at the next checkpoint; the WAL keeps the old pages until its
 * segments are recycled (docs/architecture.md, File exchange). ERR_DB on a database error. */
enum err store_scrub(struct store *s, const char *table);
/* Called by store_copy once per table copied, with its name and its number of rows (equal in
 * both databases). */
typedef void (*store_copy_fn)(const char *table, int64_t rows, void *ctx);
/* Copies every row of every table of from into to, a PostgreSQL database just made with
 * store_open(…, create) at the same schema version: values as stored (sealed fields stay sealed,
 * ids kept), from one snapshot of from taken under its write lock (no writer changes it
 * meanwhile), into to in one transaction (the rows to's migrations wrote are replaced by
 * from's); identity counters then continue after the copied ids, and each table's count is
 * checked equal in both before the commit. Returns ERR_OK, ERR_INVALID when to is no
 * PostgreSQL database or the schemas differ, ERR_DB on a failure (to is left as it was). */
enum err store_copy(struct store *from, struct store *to, store_copy_fn report, void *ctx);

#endif
