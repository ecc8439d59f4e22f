/* SPDX-License-Identifier: MIT */
/* sqlite.c — the SQLite engine of store.h: a WAL file in the data directory (the default). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"
#include "store/sqlite_checkpoint.h"

struct sq_stmt {
	struct store_stmt base; /* first: the cache's part */
	sqlite3_stmt *st;
};

static sqlite3 *db_of(struct store_conn *c)
{
	return c->db;
}

static sqlite3_stmt *raw(struct store_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

static enum err sq_connect(struct store *s, struct store_conn *c, int create)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(s->target, &db, flags, NULL) != SQLITE_OK) {
		log_error("store: cannot open database: %s", db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		return ERR_DB;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_extended_result_codes(db, 1);
	char *msg = NULL;
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 "PRAGMA secure_delete=ON;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: pragma failed: %s", msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db);
		return ERR_DB;
	}
	/* Checkpoints run on a thread of their own (sqlite_checkpoint.c); the first connection is
	 * made in store_open, before any other thread can connect. */
	if (!s->engine_data)
		s->engine_data = sq_checkpointer_new(s->target);
	sq_checkpointer_attach(s->engine_data, db);
	c->db = db;
	return ERR_OK;
}

static void sq_disconnect(struct store_conn *c)
{
	sqlite3_close(db_of(c));
	c->db = NULL;
}

static enum err sq_check(struct store_conn *c)
{
	(void)c;
	return ERR_OK;
}

static enum err sq_ready(struct store *s, struct store_conn *c)
{
	(void)s;
	(void)c;
	return ERR_OK;
}

static void sq_done(struct store *s)
{
	sq_checkpointer_free(s->engine_data);
	s->engine_data = NULL;
}

static enum err sq_exec(struct store_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db_of(c), sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("store: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return ERR_DB;
	}
	return ERR_OK;
}

/* The write lock at once: a deferred transaction that reads first and writes later could find
 * another writer's commit in between and fail instead of waiting. */
static enum err sq_begin(struct store_conn *c)
{
	return sq_exec(c, "BEGIN IMMEDIATE");
}

/* A deferred transaction reads one snapshot, taken at its first read. */
static enum err sq_begin_read(struct store_conn *c)
{
	return sq_exec(c, "BEGIN");
}

static enum err sq_commit(struct store_conn *c)
{
	return sq_exec(c, "COMMIT");
}

static int sq_in_tx(struct store_conn *c)
{
	return !sqlite3_get_autocommit(db_of(c));
}

static void sq_rollback(struct store_conn *c)
{
	if (!sqlite3_get_autocommit(db_of(c)))
		sqlite3_exec(db_of(c), "ROLLBACK", NULL, NULL, NULL);
}

static struct store_stmt *sq_stmt_new(struct store_conn *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db_of(c), sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK) {
		log_error("store: prepare failed: %s", sqlite3_errmsg(db_of(c)));
		return NULL;
	}
	struct sq_stmt *s = xcalloc(1, sizeof *s);
	s->st = st;
	s->base.conn = c;
	return &s->base;
}

static void sq_stmt_reset(struct store_stmt *st)
{
	sqlite3_reset(raw(st));
	sqlite3_clear_bindings(raw(st));
}

static void sq_stmt_free(struct store_stmt *st)
{
	sqlite3_finalize(raw(st));
	free(st);
}

static void sq_bind_text(struct store_stmt *st, int idx, const char *v)
{
	if (!v)
		sqlite3_bind_null(raw(st), idx);
	else
		sqlite3_bind_text(raw(st), idx, v, -1, SQLITE_TRANSIENT);
}

static void sq_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(raw(st), idx, v);
}

static void sq_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n)
{
	sqlite3_bind_blob64(raw(st), idx, p ? p : "", n, SQLITE_TRANSIENT);
}

static void sq_bind_null(struct store_stmt *st, int idx)
{
	sqlite3_bind_null(raw(st), idx);
}

static int sq_step(struct store_stmt *st)
{
	int rc = sqlite3_step(raw(st));
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY))
		return -ERR_CONFLICT;
	log_error("store: step failed: %s", sqlite3_errmsg(db_of(st->conn)));
	return -ERR_DB;
}

static const char *sq_col_text(struct store_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(raw(st), col);
}

static int64_t sq_col_int(struct store_stmt *st, int col)
{
	return sqlite3_column_int64(raw(st), col);
}

static const void *sq_col_blob(struct store_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(raw(st), col);
	*len = (size_t)sqlite3_column_bytes(raw(st), col);
	return p;
}

static enum store_type sq_col_type(struct store_stmt *st, int col)
{
	switch (sqlite3_column_type(raw(st), col)) {
	case SQLITE_INTEGER: return STORE_T_INT;
	case SQLITE_FLOAT: return STORE_T_REAL;
	case SQLITE_TEXT: return STORE_T_TEXT;
	case SQLITE_BLOB: return STORE_T_BLOB;
	default: return STORE_T_NULL;
	}
}

static int sq_col_count(struct store_stmt *st)
{
	return sqlite3_column_count(raw(st));
}

static int64_t sq_last_id(struct store_conn *c)
{
	return sqlite3_last_insert_rowid(db_of(c));
}

static int sq_changes(struct store_conn *c)
{
	return sqlite3_changes(db_of(c));
}

static enum err sq_backup(struct store *s, struct store_conn *c, const char *path)
{
	(void)s;
	sqlite3 *dst = NULL;
	enum err e = ERR_DB;
	if (sqlite3_open(path, &dst) != SQLITE_OK)
		goto out;
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", db_of(c), "main");
	if (!b)
		goto out;
	sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) == SQLITE_OK)
		e = ERR_OK;
out:
	sqlite3_close(dst);
	return e;
}

/* secure_delete (set on every connection) has zeroed the deleted cells and freed pages, but the
 * WAL still holds the frames that wrote them: a TRUNCATE checkpoint copies the zeroed pages
 * into the file and empties the WAL, once no reader holds an older snapshot (tried again for a
 * while, as a reader ends within a request). */
static enum err sq_scrub(struct store_conn *c, const char *table)
{
	(void)table;
	for (int i = 0; i < 100; i++) {
		int log = -1, done = -1;
		int rc = sqlite3_wal_checkpoint_v2(db_of(c), NULL, SQLITE_CHECKPOINT_TRUNCATE, &log,
						   &done);
		if (rc == SQLITE_OK && log == 0)
			return ERR_OK;
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			return ERR_DB;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return ERR_TEMP;
}

const struct store_engine store_sqlite_engine = {
    .name = "sqlite",
    .dialect = STORE_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .check = sq_check,
    .ready = sq_ready,
    .done = sq_done,
    .exec = sq_exec,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_tx = sq_in_tx,
    .stmt_new = sq_stmt_new,
    .stmt_reset = sq_stmt_reset,
    .stmt_free = sq_stmt_free,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_blob = sq_col_blob,
    .col_type = sq_col_type,
    .col_count = sq_col_count,
    .last_id = sq_last_id,
    .changes = sq_changes,
    .backup = sq_backup,
    .scrub = sq_scrub,
    .strict_create = 0,
};
