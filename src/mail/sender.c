/* SPDX-License-Identifier: MIT */
/* sender.c — the sender thread: claims due outbox rows, hands them to a transport, and
 * records sent / failed / deferred with back-off. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "store/store.h"
#include "vault/vault.h"

#define BATCH_MAX 100
#define IDLE_WAIT_MS 1000
#define BACKOFF_BASE_MS 5000
#define BACKOFF_MAX_MS (3600 * 1000)
#define ATTEMPTS_MAX 10
#define FROM_DEFAULT "mimamori <noreply@mimamori.invalid>"

struct mail_sender {
	struct store *s;
	const struct vault *v;
	struct mail_transport *t;
	char *from_name;
	char *from_addr;
	int64_t backoff_ms;
	pthread_t thread;
	pthread_mutex_t mu; /* guards everything below */
	pthread_cond_t cv;
	int stop;
	int woken;
	int64_t sent, failed, deferred;
};

/* One claimed row; blobs copied out of the statement. */
struct job {
	int64_t id;
	int64_t attempts;
	char *kind;
	char *message_id;
	unsigned char *blob[3]; /* to, subject, body */
	size_t len[3];
};

static const char *const fields[3] = {"outbox.to", "outbox.subject", "outbox.body"};

static void job_clear(struct job *j)
{
	free(j->kind);
	free(j->message_id);
	for (int i = 0; i < 3; i++)
		free(j->blob[i]);
	memset(j, 0, sizeof *j);
}

static int stopping(struct mail_sender *m)
{
	pthread_mutex_lock(&m->mu);
	int stop = m->stop;
	pthread_mutex_unlock(&m->mu);
	return stop;
}

/* Claims up to BATCH_MAX due rows into jobs, marking them 'sending' in one committed
 * transaction before anything is sent. Returns the number claimed (0 on error). */
static size_t claim(struct mail_sender *m, struct job *jobs)
{
	size_t n = 0;
	struct store_conn *c = store_acquire(m->s);
	struct store_stmt *st = NULL;
	if (store_begin(c) != ERR_OK)
		goto fail;
	st = store_prepare(c, "SELECT id, attempts, kind, message_id, to_enc, subject_enc, "
			      "body_enc FROM outbox WHERE state IN ('queued', 'deferred') "
			      "AND next_ms <= ? ORDER BY id LIMIT 100");
	if (!st)
		goto fail;
	store_bind_int(st, 1, clock_now_ms());
	while (n < BATCH_MAX && store_step(st) == STORE_ROW) {
		struct job *j = &jobs[n++];
		j->id = store_col_int(st, 0);
		j->attempts = store_col_int(st, 1);
		j->kind = xstrdup(store_col_text(st, 2));
		j->message_id = xstrdup(store_col_text(st, 3));
		for (int i = 0; i < 3; i++) {
			const void *p = store_col_blob(st, 4 + i, &j->len[i]);
			j->blob[i] = xmalloc(j->len[i] ? j->len[i] : 1);
			if (j->len[i])
				memcpy(j->blob[i], p, j->len[i]);
		}
	}
	store_finish(st);
	st = NULL;
	for (size_t i = 0; i < n; i++) {
		st = store_prepare(c, "UPDATE outbox SET state = 'sending' WHERE id = ?");
		if (!st)
			goto fail;
		store_bind_int(st, 1, jobs[i].id);
		enum err e = store_run(st);
		store_finish(st);
		st = NULL;
		if (e != ERR_OK)
			goto fail;
	}
	if (store_commit(c) != ERR_OK)
		goto fail;
	store_release(c);
	return n;
fail:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	for (size_t i = 0; i < n; i++)
		job_clear(&jobs[i]);
	log_error("mail: could not claim outbox rows");
	return 0;
}

struct outcome {
	enum mail_result r;
	char reply[MAIL_REPLY_MAX];
};

/* Records the outcome of one job on c (inside the batch's transaction). */
static enum err record_one(struct mail_sender *m, struct store_conn *c, const struct job *j,
			   struct outcome *o)
{
	int64_t now = clock_now_ms();
	int64_t attempts = j->attempts + 1;
	struct store_stmt *st = NULL;
	enum err e = ERR_DB;

	if (o->r == MAIL_DEFERRED && attempts >= ATTEMPTS_MAX)
		o->r = MAIL_FAILED;
	if (o->r == MAIL_SENT) {
		st =
		    store_prepare(c, "UPDATE outbox SET state = 'sent', sent_ms = ?, attempts = ?, "
				     "last_reply = ? WHERE id = ?");
		if (st)
			store_bind_int(st, 1, now);
	} else if (o->r == MAIL_FAILED) {
		st = store_prepare(c, "UPDATE outbox SET state = 'failed', next_ms = ?, "
				      "attempts = ?, last_reply = ? WHERE id = ?");
		if (st)
			store_bind_int(st, 1, now);
	} else {
		int64_t delay = m->backoff_ms;
		for (int64_t i = 1; i < attempts && delay < BACKOFF_MAX_MS; i++)
			delay *= 2;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
		st = store_prepare(c, "UPDATE outbox SET state = 'deferred', next_ms = ?, "
				      "attempts = ?, last_reply = ? WHERE id = ?");
		if (st)
			store_bind_int(st, 1, now + delay);
	}
	if (st) {
		store_bind_int(st, 2, attempts);
		store_bind_text(st, 3, o->reply);
		store_bind_int(st, 4, j->id);
		e = store_run(st);
		store_finish(st);
	}
	if (o->r != MAIL_SENT)
		log_info("mail: outbox row %lld %s after %lld attempts", (long long)j->id,
			 o->r == MAIL_FAILED ? "failed" : "deferred", (long long)attempts);
	return e;
}

/* Records the outcomes of a batch in one transaction: one durable write per batch rather
 * than per message. A crash before this commit leaves the rows 'sending'; they are sent
 * again after the restart (they were in flight). */
static void record_batch(struct mail_sender *m, const struct job *jobs, struct outcome *out,
			 size_t n)
{
	struct store_conn *c = store_acquire(m->s);
	enum err e = store_begin(c);
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		e = record_one(m, c, &jobs[i], &out[i]);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		log_error("mail: could not record %zu outbox rows", n);
	}
	store_release(c);

	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < n; i++) {
		if (out[i].r == MAIL_SENT)
			m->sent++;
		else if (out[i].r == MAIL_FAILED)
			m->failed++;
		else
			m->deferred++;
	}
	pthread_mutex_unlock(&m->mu);
}

/* Unseals, builds and sends one job; the result goes into *o. */
static void send_job(struct mail_sender *m, const struct job *j, struct outcome *o)
{
	char *plain[3] = {NULL, NULL, NULL};
	char *reply = o->reply;
	const size_t reply_len = sizeof o->reply;
	enum mail_result r = MAIL_FAILED;
	reply[0] = '\0';
	struct buf msg;
	buf_init(&msg, MAIL_MESSAGE_MAX);

	for (int i = 0; i < 3; i++) {
		if (vault_unseal(m->v, fields[i], j->blob[i], j->len[i], &plain[i]) != ERR_OK) {
			snprintf(reply, reply_len, "mimamori: cannot unseal %s", fields[i]);
			goto out;
		}
	}
	struct mail_message mm = {
	    .from_name = m->from_name,
	    .from_addr = m->from_addr,
	    .to = plain[0],
	    .subject = plain[1],
	    .body = plain[2],
	    .message_id = j->message_id,
	    .kind = j->kind,
	    .date_ms = clock_now_ms(),
	};
	if (mail_mime_build(&mm, &msg) != ERR_OK) {
		snprintf(reply, reply_len, "mimamori: message too large");
		goto out;
	}
	r = m->t->send(m->t, m->from_addr, plain[0], msg.data, msg.len, reply, reply_len);
out:
	o->r = r;
	if (msg.data)
		vault_wipe(msg.data, msg.len);
	buf_free(&msg);
	for (int i = 0; i < 3; i++)
		vault_wipe_free(plain[i]);
}

/* Puts a claimed but unsent row back in the queue (on stop). */
static void unclaim(struct mail_sender *m, const struct job *j)
{
	struct store_conn *c = store_acquire(m->s);
	struct store_stmt *st = NULL;
	if (store_begin(c) == ERR_OK)
		st = store_prepare(
		    c, "UPDATE outbox SET state = 'queued' WHERE id = ? AND state = 'sending'");
	if (st) {
		store_bind_int(st, 1, j->id);
		if (store_run(st) == ERR_OK)
			store_commit(c);
		store_finish(st);
	}
	store_rollback(c);
	store_release(c);
}

/* Sends one batch; returns how many rows were claimed. */
static size_t run_batch(struct mail_sender *m)
{
	struct job *jobs = xcalloc(BATCH_MAX, sizeof *jobs);
	struct outcome *out = xcalloc(BATCH_MAX, sizeof *out);
	size_t n = claim(m, jobs), done = 0;
	int relay_down = 0;
	for (size_t i = 0; i < n; i++) {
		if (stopping(m)) {
			unclaim(m, &jobs[i]);
		} else if (relay_down) {
			/* The relay did not answer at all: defer the rest of the batch untried rather
			 * than waiting out a connect timeout for each message. */
			out[done].r = MAIL_DEFERRED;
			snprintf(out[done].reply, sizeof out[done].reply, "not tried: relay unreachable");
			done++;
		} else {
			send_job(m, &jobs[i], &out[done]);
			relay_down = out[done].r == MAIL_DEFERRED &&
				     strncmp(out[done].reply, "curl: ", 6) == 0;
			done++;
		}
	}
	/* Sent jobs are the first `done` (unclaiming only happens once stopping starts). */
	record_batch(m, jobs, out, done);
	for (size_t i = 0; i < n; i++)
		job_clear(&jobs[i]);
	free(out);
	free(jobs);
	return n;
}

static void *sender_main(void *arg)
{
	struct mail_sender *m = arg;
	for (;;) {
		size_t n = run_batch(m);
		pthread_mutex_lock(&m->mu);
		if (!m->stop && !m->woken && n == 0) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += IDLE_WAIT_MS / 1000;
			ts.tv_nsec += (long)(IDLE_WAIT_MS % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			while (!m->stop && !m->woken &&
			       pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT)
				;
		}
		m->woken = 0;
		int stop = m->stop;
		pthread_mutex_unlock(&m->mu);
		if (stop)
			break;
	}
	return NULL;
}

/* Rows a crash left 'sending' may or may not have gone out; sending them again is the only
 * way not to lose them. */
static enum err requeue_in_flight(struct store *s)
{
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "UPDATE outbox SET state = 'queued' WHERE state = 'sending'");
	if (st) {
		e = store_run(st);
		store_finish(st);
	}
	int n = e == ERR_OK ? store_changes(c) : 0;
	store_release(c);
	if (n > 0)
		log_warn("mail: re-queued %d messages left in flight", n);
	return e;
}

static int64_t backoff_from_env(void)
{
	const char *v = getenv("MIMAMORI_MAIL_BACKOFF_MS");
	if (!v || !*v)
		return BACKOFF_BASE_MS;
	char *end = NULL;
	errno = 0;
	long long ms = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || ms < 1 || ms > BACKOFF_MAX_MS) {
		log_warn("mail: ignoring bad MIMAMORI_MAIL_BACKOFF_MS");
		return BACKOFF_BASE_MS;
	}
	return ms;
}

enum err mail_sender_start(struct store *s, const struct vault *v, const char *transport_url,
			   struct mail_sender **out)
{
	struct mail_sender *m = NULL;
	struct mail_transport *t = NULL;
	const char *from = getenv("MIMAMORI_MAIL_FROM");
	char *from_name = NULL, *from_addr = NULL;
	enum err e;
	pthread_condattr_t ca;

	*out = NULL;
	e = mail_from_parse(from && *from ? from : FROM_DEFAULT, &from_name, &from_addr);
	if (e != ERR_OK) {
		log_error("mail: MIMAMORI_MAIL_FROM is not a valid address");
		goto out;
	}
	if (strncmp(transport_url, "smtp://", 7) == 0) {
		t = mail_transport_smtp_new(transport_url);
	} else if (strncmp(transport_url, "maildir:", 8) == 0 && transport_url[8]) {
		t = mail_transport_maildir_new(transport_url + 8);
	} else {
		log_error("mail: unknown transport (use smtp://host:port or maildir:PATH)");
		e = ERR_INVALID;
		goto out;
	}
	if (!t) {
		e = ERR_IO;
		goto out;
	}
	e = requeue_in_flight(s);
	if (e != ERR_OK)
		goto out;

	m = xcalloc(1, sizeof *m);
	m->s = s;
	m->v = v;
	m->t = t;
	m->from_name = from_name;
	m->from_addr = from_addr;
	m->backoff_ms = backoff_from_env();
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&m->thread, NULL, sender_main, m) != 0) {
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		free(m);
		m = NULL;
		e = ERR_IO;
		goto out;
	}
	t = NULL;
	from_name = NULL;
	from_addr = NULL;
	*out = m;
out:
	if (t)
		t->free(t);
	free(from_name);
	free(from_addr);
	return e;
}

void mail_sender_wake(struct mail_sender *m)
{
	pthread_mutex_lock(&m->mu);
	m->woken = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

void mail_sender_stop(struct mail_sender *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	m->t->free(m->t);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m->from_name);
	free(m->from_addr);
	free(m);
}

void mail_sender_stats(struct mail_sender *m, struct mail_stats *st)
{
	int64_t depth = 0;
	struct store_conn *c = store_acquire(m->s);
	struct store_stmt *q = store_prepare(
	    c, "SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'deferred', 'sending')");
	if (q && store_step(q) == STORE_ROW)
		depth = store_col_int(q, 0);
	store_finish(q);
	store_release(c);

	pthread_mutex_lock(&m->mu);
	st->queued = depth;
	st->sent = m->sent;
	st->failed = m->failed;
	st->deferred = m->deferred;
	pthread_mutex_unlock(&m->mu);
}
