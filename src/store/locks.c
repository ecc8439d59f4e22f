/* SPDX-License-Identifier: MIT */
/* locks.c — named locks a process holds for as long as it runs, so that several `mimamori
 * serve` on one database can tell who runs a job and whose mail sender is alive: PostgreSQL
 * session advisory locks on a connection of their own; on SQLite one lock file per database,
 * which makes the first server the only one. */
#include "store/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"

/* The write transactions' advisory key (pg.c); a lock's key never equals it. */
#define WRITE_KEY 7883681224226140777ULL

struct store_locks {
	pthread_mutex_t mu;
	struct store_conn conn; /* PostgreSQL: the connection that holds this process's locks */
	int fd;			/* SQLite: the open lock file, or -1 */
	int held;		/* SQLite: this process holds the lock file */
};

/* A lock's 64-bit advisory key: FNV-1a of "mimamori-lock:" and the name. */
static uint64_t key_of(const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = "mimamori-lock:"; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h == WRITE_KEY ? h + 1 : h;
}

/* The store's locks, made on first use (under s->lock). */
static struct store_locks *locks_of(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	if (!s->locks) {
		struct store_locks *l = xcalloc(1, sizeof *l);
		pthread_mutex_init(&l->mu, NULL);
		l->conn.owner = s;
		l->fd = -1;
		s->locks = l;
	}
	pthread_mutex_unlock(&s->lock);
	return s->locks;
}

/* SQLite: takes the database's lock file (the file's name with ".serve-lock") unless held.
 * Returns 1 when this process holds it, 0 when another does, -1 on an error. */
static int sqlite_take(struct store *s, struct store_locks *l)
{
	if (l->held)
		return 1;
	if (l->fd < 0) {
		char *path = xasprintf("%s.serve-lock", s->target);
		l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		free(path);
		if (l->fd < 0) {
			log_error("store: the data directory's lock file cannot be opened");
			return -1;
		}
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0)
		return 0;
	l->held = 1;
	return 1;
}

/* PostgreSQL: runs the one-row, one-integer query sql with the key's three forms bound on the
 * locks' connection (made or repaired first). Returns the integer, or -1 on an error. */
static int pg_ask(struct store *s, struct store_locks *l, const char *sql, uint64_t key)
{
	int v = -1;
	struct store_stmt *st = NULL;
	if (!l->conn.db && s->eng->connect(s, &l->conn, 0) != ERR_OK)
		goto out;
	if (s->eng->check(&l->conn) != ERR_OK)
		goto out;
	st = store_prepare(&l->conn, sql);
	if (!st)
		goto out;
	store_bind_int(st, 1, (int64_t)key);
	store_bind_int(st, 2, (int64_t)(key >> 32));
	store_bind_int(st, 3, (int64_t)(key & 0xffffffffULL));
	if (store_step(st) == STORE_ROW)
		v = (int)store_col_int(st, 0);
out:
	store_finish(st);
	return v;
}

/* Held by this session already (after a reconnection it is not: then it is taken again), else
 * taken now if nobody holds it. */
static const char *const SQL_TAKE =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND objsubid = 1 AND pid = pg_backend_pid() AND classid::bigint = ?2 "
    "AND objid::bigint = ?3) THEN 1 WHEN pg_try_advisory_lock(?1) THEN 1 ELSE 0 END";
/* Held by another session of this database. */
static const char *const SQL_HELD =
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
    "AND pid <> pg_backend_pid() AND classid::bigint = ?2 AND objid::bigint = ?3 "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND ?1 IS NOT NULL";

int store_lock_take(struct store *s, const char *name)
{
	struct store_locks *l = locks_of(s);
	int r;
	pthread_mutex_lock(&l->mu);
	if (s->eng->dialect == STORE_SQLITE)
		r = sqlite_take(s, l);
	else
		r = pg_ask(s, l, SQL_TAKE, key_of(name));
	pthread_mutex_unlock(&l->mu);
	return r;
}

int store_lock_held_elsewhere(struct store *s, const char *name)
{
	struct store_locks *l = locks_of(s);
	int r;
	pthread_mutex_lock(&l->mu);
	if (s->eng->dialect == STORE_SQLITE) {
		/* Every lock is the one file: holding it, this process is the only server. */
		r = sqlite_take(s, l);
		r = r < 0 ? -1 : !r;
	} else {
		r = pg_ask(s, l, SQL_HELD, key_of(name));
		if (r > 0)
			r = 1;
	}
	pthread_mutex_unlock(&l->mu);
	return r;
}

void store_locks_close(struct store *s)
{
	struct store_locks *l = s->locks;
	if (!l)
		return;
	store_conn_close(&l->conn); /* its locks end with its session */
	if (l->fd >= 0)
		close(l->fd); /* and the lock file's with the last descriptor */
	pthread_mutex_destroy(&l->mu);
	free(l);
	s->locks = NULL;
}
