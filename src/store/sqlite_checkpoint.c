/* SPDX-License-Identifier: MIT */
/* sqlite_checkpoint.c — the SQLite WAL copied back into the database file by a thread of its
 * own, so that no commit waits for it.
 *
 * SQLite's own automatic checkpoint runs inside the COMMIT that takes the WAL past 1,000 pages:
 * the committing thread of the group commit (group.c) then copied ~4 MB back before it could
 * answer its batch or start the next one, and every kiosk in that batch waited for it. Here
 * every connection's commit hook only asks this thread for a checkpoint once the WAL holds
 * SQ_CKPT_PAGES pages; the thread runs PASSIVE checkpoints on its own connection, which take
 * no lock writers or readers wait for. Pages written again and again between two checkpoints
 * (the tables' last pages, the indexes' hot leaves) are copied once per checkpoint, so a
 * larger WAL also costs less copying. A WAL that reaches SQ_CKPT_PAGES_MAX anyway (the thread
 * cannot keep up, or could not start) is checkpointed by the committing connection, as SQLite
 * would have. */
#include "store/sqlite_checkpoint.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/xalloc.h"

/* 10,000 pages of 4 KB: a WAL of ~40 MB. */
#define SQ_CKPT_PAGES 10000
#define SQ_CKPT_PAGES_MAX (8 * SQ_CKPT_PAGES)

struct sq_checkpointer {
	char *path; /* the database file */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started, wanted, stop;
	int pages; /* ask for a checkpoint from this many WAL pages */
};

struct sq_checkpointer *sq_checkpointer_new(const char *path)
{
	struct sq_checkpointer *k = xcalloc(1, sizeof *k);
	k->path = xstrdup(path);
	k->pages = SQ_CKPT_PAGES;
	const char *v = getenv("MIMAMORI_SQLITE_CHECKPOINT_PAGES");
	if (v && *v) {
		char *end = NULL;
		long n = strtol(v, &end, 10);
		if (end && *end == '\0' && n >= 100 && n < SQ_CKPT_PAGES_MAX)
			k->pages = (int)n;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	return k;
}

static void *checkpointer_main(void *arg)
{
	struct sq_checkpointer *k = arg;
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(k->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("store: the checkpoint thread cannot open the database; commits checkpoint "
			  "past %d pages",
			  SQ_CKPT_PAGES_MAX);
		sqlite3_close(db);
		return NULL;
	}
	/* This connection writes nothing: no hook of its own, and SQLite's checkpoint at close
	 * is left to the store's last connection. */
	sqlite3_wal_hook(db, NULL, NULL);
	pthread_mutex_lock(&k->mu);
	for (;;) {
		while (!k->wanted && !k->stop)
			pthread_cond_wait(&k->cv, &k->mu);
		if (k->stop)
			break;
		k->wanted = 0;
		pthread_mutex_unlock(&k->mu);
		/* PASSIVE: copies what no reader still needs, waits for nobody; a checkpoint
		 * running elsewhere (a scrub's TRUNCATE) makes this one BUSY, and the next commit
		 * asks again. */
		int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			log_error("store: checkpoint failed: %s", sqlite3_errstr(rc));
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	sqlite3_close(db);
	return NULL;
}

/* The commit hook of every connection: frames is the WAL's size in pages. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sq_checkpointer *k = arg;
	if (frames < k->pages)
		return SQLITE_OK;
	if (frames >= SQ_CKPT_PAGES_MAX) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&k->mu);
	if (!k->started && !k->stop) {
		if (pthread_create(&k->thread, NULL, checkpointer_main, k) == 0) {
			k->started = 1;
			pthread_setname_np(k->thread, "sqlite-ckpt"); /* for top -H and perf */
		}
		else
			k->stop = 1; /* the commits checkpoint past SQ_CKPT_PAGES_MAX */
	}
	k->wanted = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	return SQLITE_OK;
}

void sq_checkpointer_attach(struct sq_checkpointer *k, sqlite3 *db)
{
	sqlite3_wal_hook(db, on_commit, k);
}

void sq_checkpointer_free(struct sq_checkpointer *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	int started = k->started;
	pthread_mutex_unlock(&k->mu);
	if (started)
		pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k->path);
	free(k);
}
