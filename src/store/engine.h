/* SPDX-License-Identifier: MIT */
/* engine.h — what src/store/store.c (pool, write turns, statement cache, group commit,
 * migrations) needs from an engine (sqlite.c, pg.c). Internal to src/store/. */
#ifndef MIMAMORI_STORE_ENGINE_H
#define MIMAMORI_STORE_ENGINE_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_STMT_CACHE 96

/* The part of a statement the cache keeps; each engine's statement begins with it. */
struct store_stmt {
	struct store_conn *conn;
	const char *key; /* the SQL text pointer it was cached under; NULL if uncached */
	char *text;	 /* a copy of that text: a freed and reused pointer must not match */
	int in_use;
};

struct store_conn {
	struct store *owner;
	void *db; /* the engine's connection (sqlite3 *, struct pg_conn *); NULL until connected */
	int busy;
	int holds_write; /* this connection holds the pool's write turn */
	int ncache;
	struct store_stmt *cache[STORE_STMT_CACHE];
};

enum store_dialect { STORE_SQLITE = 0, STORE_POSTGRESQL = 1 };

/* A column's type in the current row, for copying between engines (copy.c). */
enum store_type { STORE_T_NULL, STORE_T_INT, STORE_T_TEXT, STORE_T_BLOB, STORE_T_REAL };

struct store_engine {
	const char *name;
	enum store_dialect dialect; /* which text of each migration (migrations.h) it runs */
	/* Opens c->db for s->target (creating a missing database file when create is set). */
	enum err (*connect)(struct store *s, struct store_conn *c, int create);
	/* Closes c->db and sets it to NULL; NULL is a no-op. */
	void (*disconnect)(struct store_conn *c);
	/* Called when c is borrowed: repairs a broken connection (ERR_OK when usable). A repaired
	 * connection has lost its prepared statements: the engine prepares them again. */
	enum err (*check)(struct store_conn *c);
	/* Called once after the migrations, on the first connection. */
	enum err (*ready)(struct store *s, struct store_conn *c);
	/* Frees s->engine_data (the connections are closed already). */
	void (*done)(struct store *s);
	enum err (*exec)(struct store_conn *c, const char *sql);
	enum err (*begin)(struct store_conn *c);      /* the write transaction, serialised */
	enum err (*begin_read)(struct store_conn *c); /* one snapshot for every read */
	enum err (*commit)(struct store_conn *c);
	void (*rollback)(struct store_conn *c); /* no-op outside a transaction */
	int (*in_tx)(struct store_conn *c);
	/* A new statement for sql on c (its header zeroed but for conn), or NULL after logging. */
	struct store_stmt *(*stmt_new)(struct store_conn *c, const char *sql);
	void (*stmt_reset)(struct store_stmt *st); /* reset and clear the bindings */
	void (*stmt_free)(struct store_stmt *st);
	void (*bind_text)(struct store_stmt *st, int idx, const char *v);
	void (*bind_int)(struct store_stmt *st, int idx, int64_t v);
	void (*bind_blob)(struct store_stmt *st, int idx, const void *p, size_t n);
	void (*bind_null)(struct store_stmt *st, int idx);
	int (*step)(struct store_stmt *st);
	const char *(*col_text)(struct store_stmt *st, int col);
	int64_t (*col_int)(struct store_stmt *st, int col);
	const void *(*col_blob)(struct store_stmt *st, int col, size_t *len);
	enum store_type (*col_type)(struct store_stmt *st, int col);
	int (*col_count)(struct store_stmt *st);
	int64_t (*last_id)(struct store_conn *c);
	int (*changes)(struct store_conn *c);
	enum err (*backup)(struct store *s, struct store_conn *c, const char *path);
	/* Leaves no byte of deleted rows of table in the database's files (store_scrub). */
	enum err (*scrub)(struct store_conn *c, const char *table);
	/* 1: store_open with create refuses a database that holds a schema already, and without
	 * create refuses one that holds none (a server's database is made by its administrator,
	 * so there is no file whose presence says which it is). */
	int strict_create;
};

struct group_unit;

struct store {
	const struct store_engine *eng;
	char *target;	   /* the SQLite file, or the PostgreSQL connection string (may hold a
			    * password: wiped when closed, never logged) */
	void *engine_data; /* the engine's own, per store (pg.c: the tables with an id) */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	/* Writers take turns in arrival order (a ticket lock) before their transaction begins,
	 * so they queue here instead of in the engine's own waiting, and none is starved. */
	pthread_mutex_t write_mu;
	pthread_cond_t write_cv;
	uint64_t write_next, write_serving;
	/* Group commit: units waiting for the next shared transaction. */
	pthread_mutex_t group_mu;
	struct group_unit *group_head, **group_tail;
	int group_leading;
	/* The committing thread (group.c), started by the first store_group_submit: it leads the
	 * batches of units nobody waits for. */
	pthread_t committer;
	pthread_cond_t commit_cv;
	int committer_started, committer_stop;
	/* The group commit's own connection (used only by the leading thread): its page cache
	 * stays warm, as no reader's transaction and few other commits go through it. */
	struct store_conn group_conn;
	int closing; /* store_close has begun: statements need not be forgotten one by one */
	struct store_locks *locks; /* locks.c: the named locks of this process, made on first use */
	int n;
	struct store_conn *conns;
};

extern const struct store_engine store_sqlite_engine;
extern const struct store_engine store_pg_engine;

/* Returns 1 when target names a PostgreSQL database (a postgresql:// or postgres:// URL, or a
 * libpq connection string "key=value ..."), 0 for a SQLite file path. */
int store_target_is_pg(const char *target);

/* Marks this thread's store calls as having met an unreachable database server
 * (store_unavailable_take); store_reachable_again clears the mark after a repaired connection
 * ran what had failed. */
void store_note_unavailable(void);
void store_reachable_again(void);
/* Frees c's cached statements and closes its engine connection (c itself is the caller's). */
void store_conn_close(struct store_conn *c);
/* Ends this process's named locks (locks.c; called by store_close). */
void store_locks_close(struct store *s);

/* The type of column col of st's current row (copy.c). */
enum store_type store_col_type(struct store_stmt *st, int col);
/* The number of columns of st's result. */
int store_col_count(struct store_stmt *st);

/* Gives back c's turn to write (store.c), if it holds it. */
void store_write_turn_give(struct store_conn *c);
/* Stops the committing thread once what is queued has been committed (group.c); before the
 * store's connections close. */
void store_group_stop(struct store *s);

#endif
