/* SPDX-License-Identifier: MIT */
/* store.c — what both engines share: choosing one, the pool of connections, the writers' turns,
 * the statement cache and the migrations (group commit: group.c). The engines are sqlite.c and
 * pg.c. */
#include "store/store.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"
#include "store/migrations.h"

/* Set when a store call of this thread met an unreachable database server. */
static _Thread_local int unavailable_here;

void store_note_unavailable(void)
{
	unavailable_here = 1;
}

void store_reachable_again(void)
{
	unavailable_here = 0;
}

int store_unavailable_take(void)
{
	int u = unavailable_here;
	unavailable_here = 0;
	return u;
}

int store_target_is_pg(const char *target)
{
	if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0)
		return 1;
	/* A libpq connection string is keyword=value pairs; a file path has no '=' before its
	 * first '/' (a relative path such as "data/x=1.db" still starts with a directory). */
	const char *eq = strchr(target, '='), *slash = strchr(target, '/');
	return eq && (!slash || eq < slash);
}

int store_url_valid(const char *url)
{
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p < 0x20)
			return 0;
	return store_target_is_pg(url);
}

/* Reads the schema version on c into *v (0 when none is recorded). */
static enum err version_read(struct store_conn *c, int *v)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT COALESCE(MAX(version),0) FROM schema_version");
	*v = 0;
	if (!st)
		return ERR_DB;
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*v = (int)store_col_int(st, 0);
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : ERR_DB;
}

/* Applies the migrations not yet recorded, each in its own write transaction (so another process
 * opening the same database at the same moment waits, then finds them applied). */
static enum err migrate(struct store *s, struct store_conn *c, int create)
{
	int version = 0, latest = 0;
	enum err e = ERR_OK;
	for (size_t i = 0; i < store_migrations_count; i++)
		if (store_migrations[i].version > latest)
			latest = store_migrations[i].version;
	if (!create) {
		/* Opening a database that is up to date writes nothing and takes no write lock (a
		 * `mail-in` while the server writes must get as far as its own transaction). */
		e = version_read(c, &version);
		if (s->eng->strict_create && (e != ERR_OK || version == 0)) {
			log_error(
			    "store: the database holds no mimamori schema (made with mimamori "
			    "init --store?)");
			return ERR_NOTFOUND;
		}
		if (e == ERR_OK && version >= latest)
			return ERR_OK;
	}
	if (create || !s->eng->strict_create) {
		e = store_begin(c);
		if (e == ERR_OK)
			e = store_exec(c, "CREATE TABLE IF NOT EXISTS schema_version("
					  "version INTEGER NOT NULL)");
		if (e == ERR_OK)
			e = version_read(c, &version);
		if (e == ERR_OK)
			e = store_commit(c);
		if (e != ERR_OK) {
			store_rollback(c);
			return e;
		}
		if (s->eng->strict_create && version > 0) {
			log_error("store: the database holds a mimamori schema already");
			return ERR_CONFLICT;
		}
	}
	for (size_t i = 0; i < store_migrations_count; i++) {
		const struct store_migration *m = &store_migrations[i];
		if (m->version <= version)
			continue;
		e = store_begin(c);
		if (e == ERR_OK)
			e = version_read(c, &version);
		if (e == ERR_OK && m->version > version) {
			e = store_exec(c, m->sql[s->eng->dialect]);
			if (e != ERR_OK)
				log_error("store: migration %d failed", m->version);
			struct store_stmt *st =
			    e == ERR_OK
				? store_prepare(c, "INSERT INTO schema_version(version) VALUES (?)")
				: NULL;
			if (e == ERR_OK && !st)
				e = ERR_DB;
			if (st) {
				store_bind_int(st, 1, m->version);
				e = store_run(st);
				store_finish(st);
			}
		}
		if (e == ERR_OK)
			e = store_commit(c);
		if (e != ERR_OK) {
			store_rollback(c);
			return e;
		}
	}
	return ERR_OK;
}

enum err store_open(const char *target, int create, int pool_size, struct store **out)
{
	enum err e;
	if (pool_size < 1)
		pool_size = 1;
	struct store *s = xcalloc(1, sizeof *s);
	s->eng = store_target_is_pg(target) ? &store_pg_engine : &store_sqlite_engine;
	s->target = xstrdup(target);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	pthread_mutex_init(&s->write_mu, NULL);
	pthread_cond_init(&s->write_cv, NULL);
	pthread_mutex_init(&s->group_mu, NULL);
	pthread_cond_init(&s->commit_cv, NULL);
	s->group_tail = &s->group_head;
	s->conns = xcalloc((size_t)pool_size, sizeof *s->conns);
	s->n = pool_size;
	for (int i = 0; i < pool_size; i++)
		s->conns[i].owner = s;
	s->group_conn.owner = s;
	s->group_conn.busy = 1; /* never lent by store_acquire */
	e = s->eng->connect(s, &s->conns[0], create);
	if (e == ERR_OK)
		e = migrate(s, &s->conns[0], create);
	if (e == ERR_OK)
		e = s->eng->ready(s, &s->conns[0]);
	/* SQLite opens every connection now (a file: cheap, and a failure shows at once); a
	 * server's connections are made when first borrowed (store_acquire), so an idle pool costs
	 * the server nothing. */
	for (int i = 1; e == ERR_OK && i < pool_size && s->eng == &store_sqlite_engine; i++)
		e = s->eng->connect(s, &s->conns[i], 0);
	if (e != ERR_OK) {
		store_close(s);
		return e;
	}
	*out = s;
	return ERR_OK;
}

static void cache_clear(struct store_conn *c)
{
	for (int j = 0; j < c->ncache; j++) {
		free(c->cache[j]->text);
		c->owner->eng->stmt_free(c->cache[j]);
	}
	c->ncache = 0;
}

void store_conn_close(struct store_conn *c)
{
	cache_clear(c);
	c->owner->eng->disconnect(c);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_group_stop(s);
	s->closing = 1;
	store_locks_close(s);
	for (int i = 0; i < s->n; i++)
		store_conn_close(&s->conns[i]);
	if (s->group_conn.db)
		store_conn_close(&s->group_conn);
	s->eng->done(s);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->freed);
	pthread_mutex_destroy(&s->write_mu);
	pthread_cond_destroy(&s->write_cv);
	pthread_mutex_destroy(&s->group_mu);
	pthread_cond_destroy(&s->commit_cv);
	if (s->target) {
		memset(s->target, 0, strlen(s->target));
		free(s->target);
	}
	free(s->conns);
	free(s);
}

int store_schema_version(struct store *s)
{
	struct store_conn *c = store_acquire(s);
	int v = 0;
	version_read(c, &v);
	store_release(c);
	return v;
}

struct store_conn *store_acquire(struct store *s)
{
	struct store_conn *c = NULL;
	pthread_mutex_lock(&s->lock);
	while (!c) {
		for (int i = 0; i < s->n && !c; i++) {
			if (!s->conns[i].busy) {
				s->conns[i].busy = 1;
				c = &s->conns[i];
			}
		}
		if (!c)
			pthread_cond_wait(&s->freed, &s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	/* Outside the pool's lock: a connection being made or repaired must not hold up the
	 * threads borrowing the others. A failure leaves c unusable: its calls fail (ERR_DB) and
	 * the next borrower tries again. */
	if (!c->db)
		s->eng->connect(s, c, 0);
	else
		s->eng->check(c);
	return c;
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

void store_write_turn_give(struct store_conn *c)
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
	if (c->db && s->eng->in_tx(c)) {
		log_warn("store: connection released inside a transaction; rolling back");
		s->eng->rollback(c);
	}
	store_write_turn_give(c);
	pthread_mutex_lock(&s->lock);
	c->busy = 0;
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

enum err store_begin(struct store_conn *c)
{
	assert(!c->holds_write);
	write_turn_take(c);
	enum err e = c->owner->eng->begin(c);
	if (e != ERR_OK)
		store_write_turn_give(c);
	return e;
}

enum err store_begin_read(struct store_conn *c)
{
	return c->owner->eng->begin_read(c);
}

enum err store_commit(struct store_conn *c)
{
	enum err e = c->owner->eng->commit(c);
	if (e == ERR_OK)
		store_write_turn_give(c); /* on failure the caller rolls back, which gives the turn */
	return e;
}

struct store *store_of(struct store_conn *c)
{
	return c->owner;
}

int store_in_tx(struct store_conn *c)
{
	return c->owner->eng->in_tx(c);
}

void store_rollback(struct store_conn *c)
{
	c->owner->eng->rollback(c);
	store_write_turn_give(c);
}

enum err store_exec(struct store_conn *c, const char *sql)
{
	return c->owner->eng->exec(c, sql);
}

struct store_stmt *store_prepare(struct store_conn *c, const char *sql)
{
	const struct store_engine *eng = c->owner->eng;
	for (int i = 0; i < c->ncache; i++) {
		struct store_stmt *e = c->cache[i];
		if (e->key != sql || e->in_use)
			continue;
		if (strcmp(e->text, sql) == 0) {
			e->in_use = 1;
			return e;
		}
		/* Same address, other text (a caller's freed buffer was reused): prepare anew. */
		struct store_stmt *fresh = eng->stmt_new(c, sql);
		if (!fresh)
			return NULL;
		free(e->text);
		eng->stmt_free(e);
		fresh->conn = c;
		fresh->key = sql;
		fresh->text = xstrdup(sql);
		fresh->in_use = 1;
		c->cache[i] = fresh;
		return fresh;
	}
	struct store_stmt *st = eng->stmt_new(c, sql);
	if (!st)
		return NULL;
	st->conn = c;
	st->in_use = 1;
	if (c->ncache < STORE_STMT_CACHE) {
		st->key = sql;
		st->text = xstrdup(sql);
		c->cache[c->ncache++] = st;
	}
	return st;
}

void store_finish(struct store_stmt *st)
{
	if (!st)
		return;
	const struct store_engine *eng = st->conn->owner->eng;
	if (!st->key) {
		eng->stmt_free(st);
		return;
	}
	eng->stmt_reset(st);
	st->in_use = 0;
}

void store_bind_text(struct store_stmt *st, int idx, const char *v)
{
	st->conn->owner->eng->bind_text(st, idx, v);
}

void store_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	st->conn->owner->eng->bind_int(st, idx, v);
}

void store_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n)
{
	st->conn->owner->eng->bind_blob(st, idx, p, n);
}

void store_bind_null(struct store_stmt *st, int idx)
{
	st->conn->owner->eng->bind_null(st, idx);
}

int store_step(struct store_stmt *st)
{
	return st->conn->owner->eng->step(st);
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
	return st->conn->owner->eng->col_text(st, col);
}

int64_t store_col_int(struct store_stmt *st, int col)
{
	return st->conn->owner->eng->col_int(st, col);
}

const void *store_col_blob(struct store_stmt *st, int col, size_t *len)
{
	return st->conn->owner->eng->col_blob(st, col, len);
}

int store_col_is_null(struct store_stmt *st, int col)
{
	return st->conn->owner->eng->col_type(st, col) == STORE_T_NULL;
}

enum store_type store_col_type(struct store_stmt *st, int col)
{
	return st->conn->owner->eng->col_type(st, col);
}

int store_col_count(struct store_stmt *st)
{
	return st->conn->owner->eng->col_count(st);
}

int64_t store_last_id(struct store_conn *c)
{
	return c->owner->eng->last_id(c);
}

int store_changes(struct store_conn *c)
{
	return c->owner->eng->changes(c);
}

enum err store_backup(struct store *s, const char *path)
{
	struct store_conn *c = store_acquire(s);
	enum err e = s->eng->backup(s, c, path);
	store_release(c);
	return e;
}

enum err store_scrub(struct store *s, const char *table)
{
	struct store_conn *c = store_acquire(s);
	enum err e = s->eng->scrub(c, table);
	store_release(c);
	return e;
}
