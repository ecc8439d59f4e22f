/* SPDX-License-Identifier: MIT */
/* sqlite.c — the SQLite implementation of store.h: pooled connections, statement cache. */
#include "store/store.h"

#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/migrations.h"

#define STMT_CACHE 96

struct store_stmt {
	sqlite3_stmt *st;
	const char *key; /* the SQL text pointer it was cached under; NULL if uncached */
	char *text;      /* a copy of that text: a freed and reused pointer must not match */
	int in_use;
	struct store_conn *conn;
};

struct store_conn {
	sqlite3 *db;
	struct store *owner;
	int busy;
	int holds_write; /* this connection holds the pool's write turn */
	int ncache;
	struct store_stmt cache[STMT_CACHE];
};

struct store {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	/* Writers take turns in arrival order (a ticket lock) before BEGIN IMMEDIATE, so they
	 * queue here instead of sleeping in SQLite's busy handler, and none is starved. */
	pthread_mutex_t write_mu;
	pthread_cond_t write_cv;
	uint64_t write_next, write_serving;
	/* Group commit: units waiting for the next shared transaction. */
	pthread_mutex_t group_mu;
	struct group_unit *group_head, **group_tail;
	int group_leading;
	int n;
	struct store_conn *conns;
};

struct group_unit {
	store_work_fn fn;
	void *ctx;
	enum err result;
	int done;
	pthread_cond_t wake; /* signalled when done, or when this unit's thread should lead */
	struct group_unit *next;
};

static enum err open_conn(const char *path, int create, sqlite3 **out)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		log_error("store: cannot open database: %s", db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		return ERR_DB;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_extended_result_codes(db, 1);
	char *msg = NULL;
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 "PRAGMA secure_delete=ON;"
			 /* Pages read through a shared mapping instead of a pread per page: every
			  * commit by one pooled connection otherwise sends the others back to the
			  * file for their pages. */
			 "",
			 NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: pragma failed: %s", msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db);
		return ERR_DB;
	}
	*out = db;
	return ERR_OK;
}

static enum err apply_migrations(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int version = 0;
	enum err e = ERR_DB;
	char *msg = NULL;
	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)",
			 NULL, NULL, &msg) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version),0) FROM schema_version", -1, &st,
			       NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < store_migrations_count; i++) {
		const struct store_migration *m = &store_migrations[i];
		if (m->version <= version)
			continue;
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
			goto out;
		if (sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
			log_error("store: migration %d failed: %s", m->version, msg ? msg : "?");
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
		if (sqlite3_prepare_v2(db, "INSERT INTO schema_version(version) VALUES (?)", -1, &st,
				       NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_int(st, 1, m->version);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
			goto out;
	}
	e = ERR_OK;
out:
	if (e != ERR_OK && msg)
		log_error("store: %s", msg);
	sqlite3_free(msg);
	sqlite3_finalize(st);
	return e;
}

enum err store_open(const char *path, int create, int pool_size, struct store **out)
{
	enum err e;
	if (pool_size < 1)
		pool_size = 1;
	struct store *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	pthread_mutex_init(&s->write_mu, NULL);
	pthread_cond_init(&s->write_cv, NULL);
	pthread_mutex_init(&s->group_mu, NULL);
	s->group_tail = &s->group_head;
	s->conns = xcalloc((size_t)pool_size, sizeof *s->conns);
	for (int i = 0; i < pool_size; i++) {
		e = open_conn(path, create && i == 0, &s->conns[i].db);
		if (e != ERR_OK)
			goto fail;
		s->conns[i].owner = s;
		s->n++;
		if (i == 0) {
			e = apply_migrations(s->conns[0].db);
			if (e != ERR_OK)
				goto fail;
		}
	}
	*out = s;
	return ERR_OK;
fail:
	store_close(s);
	return e;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		struct store_conn *c = &s->conns[i];
		for (int j = 0; j < c->ncache; j++) {
			sqlite3_finalize(c->cache[j].st);
			free(c->cache[j].text);
		}
		sqlite3_close(c->db);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->freed);
	pthread_mutex_destroy(&s->write_mu);
	pthread_cond_destroy(&s->write_cv);
	pthread_mutex_destroy(&s->group_mu);
	free(s->conns);
	free(s);
}

int store_schema_version(struct store *s)
{
	struct store_conn *c = store_acquire(s);
	int v = 0;
	struct store_stmt *st = store_prepare(c, "SELECT COALESCE(MAX(version),0) FROM schema_version");
	if (st && store_step(st) == STORE_ROW)
		v = (int)store_col_int(st, 0);
	store_finish(st);
	store_release(c);
	return v;
}

struct store_conn *store_acquire(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (int i = 0; i < s->n; i++) {
			if (!s->conns[i].busy) {
				s->conns[i].busy = 1;
				pthread_mutex_unlock(&s->lock);
				return &s->conns[i];
			}
		}
		pthread_cond_wait(&s->freed, &s->lock);
	}
}

static void write_turn_take(struct store_conn *c)
{
	struct store *s = c->owner;
	pthread_mutex_lock(&s->write_mu);
	uint64_t mine = s->write_next++;
	while (s->write_serving != mine)
		pthread_cond_wait(&s->write_cv, &s->write_mu);
	pthread_mutex_unlock(&s->write_mu);
	c->holds_write = 1;
}

static void write_turn_give(struct store_conn *c)
{
	struct store *s = c->owner;
	if (!c->holds_write)
		return;
	c->holds_write = 0;
	pthread_mutex_lock(&s->write_mu);
	s->write_serving++;
	pthread_cond_broadcast(&s->write_cv);
	pthread_mutex_unlock(&s->write_mu);
}

void store_release(struct store_conn *c)
{
	if (!c)
		return;
	struct store *s = c->owner;
	if (!sqlite3_get_autocommit(c->db)) {
		log_warn("store: connection released inside a transaction; rolling back");
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	}
	write_turn_give(c);
	pthread_mutex_lock(&s->lock);
	c->busy = 0;
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

static enum err exec_simple(struct store_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("store: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return ERR_DB;
	}
	return ERR_OK;
}

enum err store_begin(struct store_conn *c)
{
	assert(!c->holds_write);
	write_turn_take(c);
	enum err e = exec_simple(c, "BEGIN IMMEDIATE");
	if (e != ERR_OK)
		write_turn_give(c);
	return e;
}

enum err store_commit(struct store_conn *c)
{
	enum err e = exec_simple(c, "COMMIT");
	if (e == ERR_OK)
		write_turn_give(c); /* on failure the caller rolls back, which gives the turn */
	return e;
}

int store_in_tx(struct store_conn *c)
{
	return !sqlite3_get_autocommit(c->db);
}

void store_rollback(struct store_conn *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	write_turn_give(c);
}

enum err store_exec(struct store_conn *c, const char *sql)
{
	return exec_simple(c, sql);
}

struct store_stmt *store_prepare(struct store_conn *c, const char *sql)
{
	for (int i = 0; i < c->ncache; i++) {
		struct store_stmt *e = &c->cache[i];
		if (e->key != sql || e->in_use)
			continue;
		if (strcmp(e->text, sql) == 0) {
			e->in_use = 1;
			return e;
		}
		/* Same address, other text (a caller's freed buffer was reused): re-prepare. */
		sqlite3_stmt *fresh = NULL;
		if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &fresh, NULL) !=
		    SQLITE_OK) {
			log_error("store: prepare failed: %s", sqlite3_errmsg(c->db));
			return NULL;
		}
		sqlite3_finalize(e->st);
		free(e->text);
		e->st = fresh;
		e->text = xstrdup(sql);
		e->in_use = 1;
		return e;
	}
	sqlite3_stmt *raw = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL) != SQLITE_OK) {
		log_error("store: prepare failed: %s", sqlite3_errmsg(c->db));
		return NULL;
	}
	if (c->ncache < STMT_CACHE) {
		struct store_stmt *st = &c->cache[c->ncache++];
		st->st = raw;
		st->key = sql;
		st->text = xstrdup(sql);
		st->in_use = 1;
		st->conn = c;
		return st;
	}
	struct store_stmt *st = xcalloc(1, sizeof *st);
	st->st = raw;
	st->key = NULL;
	st->in_use = 1;
	st->conn = c;
	return st;
}

void store_finish(struct store_stmt *st)
{
	if (!st)
		return;
	if (!st->key) {
		sqlite3_finalize(st->st);
		free(st);
		return;
	}
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->in_use = 0;
}

void store_bind_text(struct store_stmt *st, int idx, const char *v)
{
	if (!v)
		sqlite3_bind_null(st->st, idx);
	else
		sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT);
}

void store_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st->st, idx, v);
}

void store_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n)
{
	sqlite3_bind_blob64(st->st, idx, p ? p : "", n, SQLITE_TRANSIENT);
}

void store_bind_null(struct store_stmt *st, int idx)
{
	sqlite3_bind_null(st->st, idx);
}

int store_step(struct store_stmt *st)
{
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY))
		return -ERR_CONFLICT;
	log_error("store: step failed: %s", sqlite3_errmsg(st->conn->db));
	return -ERR_DB;
}

enum err store_run(struct store_stmt *st)
{
	int rc;
	do
		rc = store_step(st);
	while (rc == STORE_ROW);
	return rc == STORE_DONE ? ERR_OK : (enum err)(-rc);
}

const char *store_col_text(struct store_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->st, col);
}

int64_t store_col_int(struct store_stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

const void *store_col_blob(struct store_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, col);
	*len = (size_t)sqlite3_column_bytes(st->st, col);
	return p;
}

int store_col_is_null(struct store_stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t store_last_id(struct store_conn *c)
{
	return sqlite3_last_insert_rowid(c->db);
}

int store_changes(struct store_conn *c)
{
	return sqlite3_changes(c->db);
}

enum err store_backup(struct store *s, const char *path)
{
	struct store_conn *c = store_acquire(s);
	sqlite3 *dst = NULL;
	enum err e = ERR_DB;
	if (sqlite3_open(path, &dst) != SQLITE_OK)
		goto out;
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
	if (!b)
		goto out;
	sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) == SQLITE_OK)
		e = ERR_OK;
out:
	sqlite3_close(dst);
	store_release(c);
	return e;
}

/* Runs one batch of units in one transaction; sets each unit's result. */
static void group_commit_batch(struct store *s, struct group_unit *batch)
{
	struct store_conn *c = store_acquire(s);
	enum err e = store_begin(c);
	for (struct group_unit *u = batch; u; u = u->next) {
		if (e != ERR_OK) {
			u->result = e;
			continue;
		}
		if (exec_simple(c, "SAVEPOINT unit") != ERR_OK) {
			u->result = ERR_DB;
			continue;
		}
		u->result = u->fn(c, u->ctx);
		if (u->result != ERR_OK)
			exec_simple(c, "ROLLBACK TO unit");
		exec_simple(c, "RELEASE unit");
		if (!store_in_tx(c)) {
			/* An error (disk full, I/O) rolled the whole shared transaction back: the
			 * units before this one are lost too and must not be reported stored. */
			e = ERR_DB;
			for (struct group_unit *v = batch; v; v = v->next)
				v->result = ERR_DB;
		}
	}
	if (e == ERR_OK && store_commit(c) != ERR_OK) {
		store_rollback(c);
		for (struct group_unit *u = batch; u; u = u->next)
			if (u->result == ERR_OK)
				u->result = ERR_DB;
	}
	store_release(c);
}

enum err store_group_run(struct store *s, store_work_fn fn, void *ctx)
{
	struct group_unit me = {fn, ctx, ERR_OK, 0, PTHREAD_COND_INITIALIZER, NULL};
	pthread_mutex_lock(&s->group_mu);
	*s->group_tail = &me;
	s->group_tail = &me.next;
	while (!me.done) {
		if (s->group_leading) {
			/* Each waiter sleeps on its own condition: only the finished units and the
			 * next leader are woken, not every waiting thread. */
			pthread_cond_wait(&me.wake, &s->group_mu);
			continue;
		}
		/* Lead: take everything queued so far (this unit included) as one batch. */
		s->group_leading = 1;
		struct group_unit *batch = s->group_head;
		s->group_head = NULL;
		s->group_tail = &s->group_head;
		pthread_mutex_unlock(&s->group_mu);
		group_commit_batch(s, batch);
		pthread_mutex_lock(&s->group_mu);
		for (struct group_unit *u = batch, *next; u; u = next) {
			next = u->next; /* read before done: a finished unit's memory may go */
			u->done = 1;
			if (u != &me)
				pthread_cond_signal(&u->wake);
		}
		s->group_leading = 0;
		if (s->group_head)
			pthread_cond_signal(&s->group_head->wake); /* the next batch's leader */
	}
	pthread_mutex_unlock(&s->group_mu);
	pthread_cond_destroy(&me.wake);
	return me.result;
}
