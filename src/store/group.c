/* SPDX-License-Identifier: MIT */
/* group.c — group commit: small writes that arrive together share one transaction and one
 * durable COMMIT, led by a waiting caller (store_group_run) or by the store's committing thread
 * for units whose callers do not wait (store_group_submit). */
#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"
#include "store/store.h"

struct group_unit {
	store_work_fn fn;
	void *ctx;
	/* A unit nobody waits for (store_group_submit): called once its batch is over, on the
	 * thread that led it; the unit lives on the heap. NULL: its caller waits. */
	store_group_done_fn finished;
	enum err result;
	int done;
	int unavailable; /* the batch failed because the database could not be reached */
	pthread_cond_t wake; /* signalled when done, or when this unit's thread should lead */
	struct group_unit *next;
};

/* Runs one of a unit's savepoint statements (a literal: the statement cache keys on its
 * address) on c. SQLite's are prepared once per connection, where store_exec compiled three for
 * every scan; PostgreSQL's go as they are (pg.c: one round trip each either way). */
static enum err unit_savepoint(struct store *s, struct store_conn *c, const char *sql)
{
	if (s->eng != &store_sqlite_engine)
		return store_exec(c, sql);
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Runs one batch of units in one transaction; sets each unit's result (and whether it failed
 * for want of a reachable database, which the unit's own thread is told). */
static void group_commit_batch(struct store *s, struct group_unit *batch)
{
	int mine = store_unavailable_take(); /* the leader's own mark, from before the batch */
	/* Only the leading thread uses the group's connection (group_leading is its lock); it is
	 * made when first needed and repaired like a pooled one. */
	struct store_conn *c = &s->group_conn;
	enum err e = c->db ? s->eng->check(c) : s->eng->connect(s, c, 0);
	if (e == ERR_OK)
		e = store_begin(c);
	for (struct group_unit *u = batch; u; u = u->next) {
		if (e != ERR_OK) {
			u->result = e;
			continue;
		}
		if (unit_savepoint(s, c, "SAVEPOINT unit") != ERR_OK) {
			u->result = ERR_DB;
			continue;
		}
		u->result = u->fn(c, u->ctx);
		if (u->result != ERR_OK)
			unit_savepoint(s, c, "ROLLBACK TO unit");
		unit_savepoint(s, c, "RELEASE unit");
		if (!store_in_tx(c)) {
			/* An error (disk full, I/O, a lost connection) rolled the whole shared
			 * transaction back: the units before this one are lost too and must not be
			 * reported stored. */
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
	if (c->db && s->eng->in_tx(c))
		s->eng->rollback(c); /* a unit's error left the transaction open but failed */
	store_write_turn_give(c);
	int lost = store_unavailable_take();
	for (struct group_unit *u = batch; u; u = u->next)
		u->unavailable = lost && u->result != ERR_OK;
	if (mine)
		store_note_unavailable();
}

/* With group_mu held and nobody leading: wakes whoever should lead what is queued — its
 * first unit's waiting caller, and the committing thread (the first to take the lock leads). */
static void hand_on(struct store *s)
{
	if (!s->group_head)
		return;
	if (!s->group_head->finished)
		pthread_cond_signal(&s->group_head->wake);
	if (s->committer_started)
		pthread_cond_signal(&s->commit_cv);
}

/* With group_mu held and nobody leading: takes every queued unit as one batch, commits it (the
 * lock released meanwhile), marks the waited-for units done and wakes their callers (self, the
 * leading caller's own unit, is not woken), and hands the lead on. Returns the batch's units
 * nobody waits for, in order, for the caller to finish (finish_units) once it has released
 * group_mu. */
static struct group_unit *lead_batch(struct store *s, struct group_unit *self)
{
	s->group_leading = 1;
	struct group_unit *batch = s->group_head;
	s->group_head = NULL;
	s->group_tail = &s->group_head;
	pthread_mutex_unlock(&s->group_mu);
	group_commit_batch(s, batch);
	pthread_mutex_lock(&s->group_mu);
	struct group_unit *unwaited = NULL, **tail = &unwaited;
	for (struct group_unit *u = batch, *next; u; u = next) {
		next = u->next; /* read before done: a finished unit's memory may go */
		if (u->finished) {
			u->next = NULL;
			*tail = u;
			tail = &u->next;
			continue;
		}
		u->done = 1;
		if (u != self)
			pthread_cond_signal(&u->wake);
	}
	s->group_leading = 0;
	hand_on(s);
	return unwaited;
}

/* Calls each unit's finished callback in order and frees it (group_mu not held). */
static void finish_units(struct group_unit *u)
{
	for (struct group_unit *next; u; u = next) {
		next = u->next;
		u->finished(u->ctx, u->result, u->unavailable);
		free(u);
	}
}

enum err store_group_run(struct store *s, store_work_fn fn, void *ctx)
{
	struct group_unit me = {.fn = fn, .ctx = ctx, .wake = PTHREAD_COND_INITIALIZER};
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
		struct group_unit *unwaited = lead_batch(s, &me);
		if (unwaited) {
			pthread_mutex_unlock(&s->group_mu);
			finish_units(unwaited);
			pthread_mutex_lock(&s->group_mu);
		}
	}
	pthread_mutex_unlock(&s->group_mu);
	pthread_cond_destroy(&me.wake);
	if (me.unavailable)
		store_note_unavailable();
	return me.result;
}

/* The committing thread: leads every batch whose first unit nobody waits for, until stopped
 * with nothing queued. */
static void *committer_main(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->group_mu);
	for (;;) {
		if (s->group_head && !s->group_leading) {
			struct group_unit *unwaited = lead_batch(s, NULL);
			if (unwaited) {
				pthread_mutex_unlock(&s->group_mu);
				finish_units(unwaited);
				pthread_mutex_lock(&s->group_mu);
			}
			continue;
		}
		if (s->committer_stop && !s->group_head)
			break;
		pthread_cond_wait(&s->commit_cv, &s->group_mu);
	}
	pthread_mutex_unlock(&s->group_mu);
	return NULL;
}

enum err store_group_submit(struct store *s, store_work_fn fn, void *ctx,
			    store_group_done_fn finished)
{
	struct group_unit *u = xcalloc(1, sizeof *u);
	u->fn = fn;
	u->ctx = ctx;
	u->finished = finished;
	pthread_mutex_lock(&s->group_mu);
	if (s->committer_stop) {
		pthread_mutex_unlock(&s->group_mu);
		free(u);
		return ERR_TEMP;
	}
	if (!s->committer_started) {
		if (pthread_create(&s->committer, NULL, committer_main, s) != 0) {
			pthread_mutex_unlock(&s->group_mu);
			free(u);
			log_error("store: cannot start the committing thread");
			return ERR_TEMP;
		}
		pthread_setname_np(s->committer, "store-commit"); /* for top -H and perf */
		s->committer_started = 1;
	}
	*s->group_tail = u;
	s->group_tail = &u->next;
	if (!s->group_leading)
		pthread_cond_signal(&s->commit_cv);
	pthread_mutex_unlock(&s->group_mu);
	return ERR_OK;
}

void store_group_stop(struct store *s)
{
	pthread_mutex_lock(&s->group_mu);
	s->committer_stop = 1;
	int started = s->committer_started;
	pthread_cond_signal(&s->commit_cv);
	pthread_mutex_unlock(&s->group_mu);
	if (started)
		pthread_join(s->committer, NULL);
}
