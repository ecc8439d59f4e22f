/* SPDX-License-Identifier: MIT */
/* outbox_rows.c — the sender's keeper thread: claims due outbox rows for the network thread
 * and records their outcomes (sent / failed / deferred with back-off), each round in one
 * transaction, so that sending never waits for a disk flush; and puts back the rows of senders
 * that are gone (another server's, killed), never those a live sender holds. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/sender.h"
#include "store/store.h"

#define IDLE_POLL_MS 1000 /* with nothing known to be due, look again this often */
#define BACKOFF_MAX_MS (3600 * 1000)
#define ATTEMPTS_MAX 10
#define RECORD_WAIT_MS 100 /* a finished row is recorded at most this long after it is seen */
#define RECORD_RETRY_MS 500 /* a round that could not be recorded is tried again this often */
#define RECOVER_MS 2000	     /* how often the rows of senders that are gone are looked for */

void sender_job_free(struct job *j)
{
	if (!j)
		return;
	free(j->kind);
	free(j->message_id);
	free(j->domain);
	free(j->service);
	free(j->list_label);
	for (int i = 0; i < 3; i++)
		free(j->blob[i]);
	free(j);
}

void sender_queue_push(struct queue *q, struct job *j)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->j = xrealloc(q->j, q->cap * sizeof *q->j);
	}
	q->j[q->n++] = j;
}

/* Moves every job of from onto the end of to. */
static void move_all(struct queue *to, struct queue *from)
{
	for (size_t i = 0; i < from->n; i++)
		sender_queue_push(to, from->j[i]);
	from->n = 0;
}

/* Row ids whose claim may or may not have been committed (its COMMIT failed: the database
 * was lost at that moment, and a promoted replica may hold the claim): none of them was handed
 * to the network thread, so they are put back in the queue once the database answers. */
struct unsure {
	int64_t *id;
	size_t n, cap;
};

/* Adds id to u. */
static void unsure_add(struct unsure *u, int64_t id)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->id = xrealloc(u->id, u->cap * sizeof *u->id);
	}
	u->id[u->n++] = id;
}

void sender_putback_add(struct mail_sender *m, int64_t id)
{
	if (m->nputback == m->capputback) {
		m->capputback = m->capputback ? m->capputback * 2 : 64;
		m->putback = xrealloc(m->putback, m->capputback * sizeof *m->putback);
	}
	m->putback[m->nputback++] = id;
}

/* Puts the rows of u back in the queue (those still 'sending' under this sender's claim: a
 * row another server claimed since is left to it); empties u when that committed. */
static void unsure_release(struct mail_sender *m, struct unsure *u)
{
	struct store_conn *c = store_acquire(m->s);
	enum err e = store_begin(c);
	for (size_t i = 0; e == ERR_OK && i < u->n; i++) {
		struct store_stmt *st = store_prepare(
		    c, "UPDATE outbox SET state = 'queued', claimed_by = NULL "
		       "WHERE id = ? AND state = 'sending' AND claimed_by = ?");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, u->id[i]);
			store_bind_text(st, 2, m->id);
			e = store_run(st);
			store_finish(st);
		}
	}
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		store_rollback(c);
	store_release(c);
	if (e == ERR_OK) {
		log_warn("mail: re-queued %zu rows whose claim was not known to be stored", u->n);
		u->n = 0;
	}
}

/* Claims up to max due rows onto q, marking them 'sending' in one committed transaction
 * before anything is sent. Returns the number claimed (0 on error; when the COMMIT itself
 * failed, the rows' ids are added to u). */
static size_t claim(struct mail_sender *m, struct queue *q, size_t max, struct unsure *u)
{
	int committing = 0;
	size_t n = 0, first = q->n;
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(m->s);
	struct store_stmt *st = NULL;
	if (store_begin(c) != ERR_OK)
		goto fail;
	/* With each row its list's property (may it be left, what is it called) and whether it
	 * asks for a read confirmation. */
	st = store_prepare(c, "SELECT o.id, o.attempts, o.kind, o.message_id, o.domain, o.to_enc, "
			      "o.subject_enc, o.body_enc, o.service, o.read_link, l.name, "
			      "l.may_leave, l.label_ja FROM outbox o "
			      "LEFT JOIN mail_lists l ON l.name = o.list "
			      "WHERE o.state IN ('queued', 'deferred') AND o.next_ms <= ? "
			      "ORDER BY o.next_ms, o.id LIMIT ?");
	if (!st)
		goto fail;
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, (int64_t)max);
	while (n < max && store_step(st) == STORE_ROW) {
		struct job *j = xcalloc(1, sizeof *j);
		j->id = store_col_int(st, 0);
		j->attempts = store_col_int(st, 1);
		j->kind = xstrdup(store_col_text(st, 2));
		j->message_id = xstrdup(store_col_text(st, 3));
		j->domain = xstrdup(store_col_text(st, 4));
		j->service = xstrdup(store_col_text(st, 8));
		j->read_link = store_col_int(st, 9) != 0;
		j->may_leave = store_col_is_null(st, 10) || store_col_int(st, 11) != 0;
		j->list_label = store_col_is_null(st, 10) ? NULL : xstrdup(store_col_text(st, 12));
		j->claimed_ms = now;
		for (int i = 0; i < 3; i++) {
			const void *p = store_col_blob(st, 5 + i, &j->len[i]);
			j->blob[i] = xmalloc(j->len[i] ? j->len[i] : 1);
			if (j->len[i])
				memcpy(j->blob[i], p, j->len[i]);
		}
		sender_queue_push(q, j);
		n++;
	}
	store_finish(st);
	st = NULL;
	for (size_t i = first; i < q->n; i++) {
		st = store_prepare(c,
				   "UPDATE outbox SET state = 'sending', claimed_by = ? WHERE id = ?");
		if (!st)
			goto fail;
		store_bind_text(st, 1, m->id);
		store_bind_int(st, 2, q->j[i]->id);
		enum err e = store_run(st);
		store_finish(st);
		st = NULL;
		if (e != ERR_OK)
			goto fail;
	}
	committing = 1;
	if (store_commit(c) != ERR_OK)
		goto fail;
	store_release(c);
	return n;
fail:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	for (size_t i = first; i < q->n; i++) {
		if (committing)
			unsure_add(u, q->j[i]->id);
		sender_job_free(q->j[i]);
	}
	q->n = first;
	log_error("mail: could not claim outbox rows");
	return 0;
}

/* A row is recorded only while it is still this sender's: a sender whose lock another server
 * found free (its database connection was lost for a while) has had its rows put back, and
 * whoever claimed them since records them. */
#define CLAIMED "state = 'sending' AND claimed_by = ?5"

/* Records the outcome of one job on c (inside the batch's transaction). */
static enum err record_one(struct mail_sender *m, struct store_conn *c, struct job *j)
{
	int64_t now = clock_now_ms();
	int64_t attempts = j->paced ? j->attempts : j->attempts + 1;
	struct store_stmt *st = NULL;
	enum err e = ERR_DB;

	if (j->r == MAIL_DEFERRED && attempts >= ATTEMPTS_MAX)
		j->r = MAIL_FAILED;
	if (j->r == MAIL_SENT) {
		st =
		    store_prepare(c, "UPDATE outbox SET state = 'sent', sent_ms = ?, attempts = ?, "
				     "last_reply = ?, claimed_by = NULL WHERE id = ? AND " CLAIMED);
		if (st)
			store_bind_int(st, 1, now);
	} else if (j->r == MAIL_FAILED) {
		st = store_prepare(c, "UPDATE outbox SET state = 'failed', next_ms = ?, "
				      "attempts = ?, last_reply = ?, claimed_by = NULL "
				      "WHERE id = ? AND " CLAIMED);
		if (st)
			store_bind_int(st, 1, now);
	} else {
		int64_t delay = m->backoff_ms;
		for (int64_t i = 1; i < attempts && delay < BACKOFF_MAX_MS; i++)
			delay *= 2;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
		st = store_prepare(c, "UPDATE outbox SET state = 'deferred', next_ms = ?, "
				      "attempts = ?, last_reply = ?, claimed_by = NULL "
				      "WHERE id = ? AND " CLAIMED);
		if (st)
			store_bind_int(st, 1, j->paced ? j->next_ms : now + delay);
	}
	if (st) {
		store_bind_int(st, 2, attempts);
		store_bind_text(st, 3, j->reply);
		store_bind_int(st, 4, j->id);
		store_bind_text(st, 5, m->id);
		e = store_run(st);
		store_finish(st);
	}
	if (j->r != MAIL_SENT && !j->paced)
		log_info("mail: outbox row %lld %s after %lld attempts", (long long)j->id,
			 j->r == MAIL_FAILED ? "failed" : "deferred", (long long)attempts);
	return e;
}

/* Records the jobs of q (all done) in one transaction — one durable write for all that
 * finished since the last round — frees them and empties q. A crash before this commit leaves
 * their rows 'sending'; they are sent again after the restart (they were in flight). When the
 * transaction fails (the database lost, a replica being promoted) q is kept as it is and
 * ERR_DB returned: the caller records it again later (the same updates: harmless if the failed
 * COMMIT had in fact been stored), so that a message sent is not left 'sending'. */
static enum err record(struct mail_sender *m, struct queue *q)
{
	struct store_conn *c = store_acquire(m->s);
	enum err e = store_begin(c);
	for (size_t i = 0; e == ERR_OK && i < q->n; i++)
		e = record_one(m, c, q->j[i]);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		log_error("mail: could not record %zu outbox rows; trying again", q->n);
	}
	store_release(c);
	if (e != ERR_OK)
		return e;
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < q->n; i++) {
		struct job *j = q->j[i];
		if (j->r == MAIL_SENT)
			m->sent++;
		else if (j->r == MAIL_FAILED)
			m->failed++;
		else if (!j->paced)
			m->deferred++;
		sender_job_free(j);
	}
	pthread_mutex_unlock(&m->mu);
	q->n = 0;
	return ERR_OK;
}

/* Puts the rows of q (claimed, never started) back in the queue, frees them, empties q. */
static void unclaim(struct mail_sender *m, struct queue *q)
{
	struct store_conn *c = store_acquire(m->s);
	if (q->n && store_begin(c) == ERR_OK) {
		enum err e = ERR_OK;
		for (size_t i = 0; e == ERR_OK && i < q->n; i++) {
			struct store_stmt *st =
			    store_prepare(c, "UPDATE outbox SET state = 'queued', claimed_by = NULL "
					     "WHERE id = ? AND state = 'sending' AND claimed_by = ?");
			e = ERR_DB;
			if (st) {
				store_bind_int(st, 1, q->j[i]->id);
				store_bind_text(st, 2, m->id);
				e = store_run(st);
				store_finish(st);
			}
		}
		if (e == ERR_OK)
			store_commit(c);
	}
	store_rollback(c);
	store_release(c);
	for (size_t i = 0; i < q->n; i++)
		sender_job_free(q->j[i]);
	q->n = 0;
}

/* Puts back (queued) the rows left 'sending' by sender who — another process's, gone — or, for
 * who NULL, by a program that did not name its sender. Returns how many, or -1 on an error. */
static int requeue_of(struct store *s, const char *who)
{
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = NULL;
	int n = -1;
	if (store_begin(c) != ERR_OK)
		goto out;
	st = store_prepare(c, who ? "UPDATE outbox SET state = 'queued', claimed_by = NULL "
				    "WHERE state = 'sending' AND claimed_by = ?"
				  : "UPDATE outbox SET state = 'queued' "
				    "WHERE state = 'sending' AND claimed_by IS NULL");
	if (!st)
		goto out;
	if (who)
		store_bind_text(st, 1, who);
	if (store_run(st) != ERR_OK)
		goto out;
	n = store_changes(c);
	if (store_commit(c) != ERR_OK)
		n = -1;
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return n;
}

enum err sender_recover(struct mail_sender *m, int unnamed)
{
	char lock[64];
	char (*who)[SENDER_ID_LEN + 1] = NULL;
	size_t n = 0, cap = 0;
	enum err e = ERR_DB;
	int put_back = 0;
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;

	snprintf(lock, sizeof lock, "mail-sender:%s", m->id);
	/* Our own lock, again: a connection made anew after the database restarted holds none. */
	if (store_lock_take(m->s, lock) != 1)
		goto out;
	c = store_acquire(m->s);
	st = store_prepare(c, "SELECT DISTINCT claimed_by FROM outbox WHERE state = 'sending' "
			      "AND claimed_by IS NOT NULL AND claimed_by <> ?");
	if (!st)
		goto out;
	store_bind_text(st, 1, m->id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *id = store_col_text(st, 0);
		if (strlen(id) > SENDER_ID_LEN)
			continue; /* never ours: no sender names itself so */
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			who = xrealloc(who, cap * sizeof *who);
		}
		snprintf(who[n++], SENDER_ID_LEN + 1, "%s", id);
	}
	store_finish(st);
	st = NULL;
	store_release(c);
	c = NULL;
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		snprintf(lock, sizeof lock, "mail-sender:%s", who[i]);
		int held = store_lock_held_elsewhere(m->s, lock);
		if (held < 0) {
			e = ERR_DB;
		} else if (!held) {
			int k = requeue_of(m->s, who[i]);
			if (k < 0)
				e = ERR_DB;
			else
				put_back += k;
		}
	}
	if (e == ERR_OK && unnamed) {
		int k = requeue_of(m->s, NULL);
		if (k < 0)
			e = ERR_DB;
		else
			put_back += k;
	}
	if (put_back > 0)
		log_warn("mail: re-queued %d messages left in flight by a sender that is gone",
			 put_back);
out:
	store_finish(st);
	if (c)
		store_release(c);
	free(who);
	return e;
}

/* Waits on the keeper's condition for at most ms (called with m->mu held). */
static void keeper_wait(struct mail_sender *m, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&m->kcv, &m->mu, &ts);
}

void *sender_keeper_main(void *arg)
{
	struct mail_sender *m = arg;
	struct queue rec = {0}, got = {0};
	int64_t next_poll = 0;
	int64_t since = 0; /* when the keeper first saw the finished rows now waiting */
	int64_t next_recover = clock_mono_ms() + m->recover_ms;
	int last_full = 0;
	struct unsure unsure = {0};
	int64_t record_retry = 0; /* a failed record round is tried again from then on */
	pthread_mutex_lock(&m->mu);
	for (;;) {
		int64_t now = clock_now_ms();
		if (m->finished.n && !since)
			since = now;
		/* Record in rounds of SENDER_RECORD_MIN, or what finished within RECORD_WAIT_MS:
		 * fewer commits (each a disk flush) for the same rows. */
		int record_now = m->finished.n >= SENDER_RECORD_MIN ||
				 (m->finished.n && now - since >= RECORD_WAIT_MS) ||
				 (m->finished.n && (m->stop || m->keeper_stop));
		if (record_now) {
			move_all(&rec, &m->finished);
			since = 0;
		}
		int claim_now = !m->stop && m->ready.n < SENDER_CLAIM_LOW &&
				now >= m->relay_down_until && (m->woken || last_full || now >= next_poll);
		int stop = m->keeper_stop;
		if (claim_now)
			m->woken = 0;
		for (size_t i = 0; i < m->nputback; i++)
			unsure_add(&unsure, m->putback[i]);
		m->nputback = 0;
		pthread_mutex_unlock(&m->mu);

		if (rec.n && (stop || clock_now_ms() >= record_retry))
			record_retry = record(m, &rec) == ERR_OK ? 0 : clock_now_ms() + RECORD_RETRY_MS;
		if (unsure.n)
			unsure_release(m, &unsure);
		if (!stop && clock_mono_ms() >= next_recover) {
			if (sender_recover(m, 0) != ERR_OK)
				log_warn("mail: the rows of senders that are gone cannot be looked for "
					 "now");
			next_recover = clock_mono_ms() + m->recover_ms;
			next_poll = 0; /* rows put back are due at once */
		}
		size_t claimed = 0;
		if (claim_now) {
			claimed = claim(m, &got, SENDER_BATCH, &unsure);
			last_full = claimed == SENDER_BATCH;
			if (!claimed)
				next_poll = clock_now_ms() + IDLE_POLL_MS;
		}

		pthread_mutex_lock(&m->mu);
		if (claimed) {
			move_all(&m->ready, &got);
			pthread_cond_signal(&m->cv);
		}
		if (stop && m->finished.n == 0)
			break;
		now = clock_now_ms();
		/* New rows to claim (woken) only count when there is room and the relay is up:
		 * otherwise the keeper would spin on the flag. */
		int can_claim = !m->stop && m->ready.n < SENDER_CLAIM_LOW && now >= m->relay_down_until;
		if (claimed || record_now || (m->woken && can_claim))
			continue;
		int64_t ms = stop ? 10 : next_poll > now ? next_poll - now : IDLE_POLL_MS;
		if (last_full || m->woken)
			ms = 50; /* ready is full: wait for the network to take some */
		if (m->woken && m->relay_down_until > now && m->relay_down_until - now < ms)
			ms = m->relay_down_until - now;
		if (m->finished.n) {
			if (!since)
				since = now;
			ms = since + RECORD_WAIT_MS - now;
		}
		if (rec.n && record_retry - now < ms)
			ms = record_retry - now;
		if (ms > 0)
			keeper_wait(m, ms);
	}
	/* Stopping: the network thread has handed everything over. */
	move_all(&got, &m->ready);
	pthread_mutex_unlock(&m->mu);
	unclaim(m, &got);
	if (unsure.n)
		unsure_release(m, &unsure);
	free(unsure.id);
	for (size_t i = 0; i < rec.n; i++) /* could not be recorded: 'sending' until a restart */
		sender_job_free(rec.j[i]);
	free(rec.j);
	free(got.j);
	return NULL;
}
