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

#define BATCH_MAX 500       /* rows claimed at once */
#define CLAIM_LOW 100       /* claim more when fewer than this wait to start */
#define RECORD_EVERY 64     /* record outcomes when this many are waiting … */
#define RECORD_AFTER_MS 50  /* … or the oldest has waited this long */
#define HOLD_MAX_MS 2000    /* a row paced longer than this goes back to the table */
#define STOP_DRAIN_MS 10000 /* on stop, messages in flight may finish for this long */
#define IDLE_WAIT_MS 1000
#define BACKOFF_BASE_MS 5000
#define BACKOFF_MAX_MS (3600 * 1000)
#define ATTEMPTS_MAX 10
#define FROM_DEFAULT "mimamori <noreply@mimamori.invalid>"

struct mail_sender {
	struct store *s;
	const struct vault *v;
	struct mail_transport *t;
	struct mail_pacer *pacer;
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
	char *domain;
	unsigned char *blob[3]; /* to, subject, body */
	size_t len[3];
	enum { JOB_WAITING, JOB_FLIGHT, JOB_DONE } state;
	int64_t claimed_ms;
	/* the outcome, once done */
	enum mail_result r;
	int paced;       /* deferred by pacing, never tried: no attempt counted */
	int64_t next_ms; /* for a paced row: when to try */
	char reply[MAIL_REPLY_MAX];
};

static const char *const fields[3] = {"outbox.to", "outbox.subject", "outbox.body"};

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->kind);
	free(j->message_id);
	free(j->domain);
	for (int i = 0; i < 3; i++)
		free(j->blob[i]);
	free(j);
}

static int stopping(struct mail_sender *m)
{
	pthread_mutex_lock(&m->mu);
	int stop = m->stop;
	pthread_mutex_unlock(&m->mu);
	return stop;
}

/* The claimed rows in claim order. */
struct queue {
	struct job **j;
	size_t n, cap;
};

static void queue_push(struct queue *q, struct job *j)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : BATCH_MAX;
		q->j = xrealloc(q->j, q->cap * sizeof *q->j);
	}
	q->j[q->n++] = j;
}

/* Claims up to max due rows onto q, marking them 'sending' in one committed transaction
 * before anything is sent. Returns the number claimed (0 on error). */
static size_t claim(struct mail_sender *m, struct queue *q, size_t max)
{
	size_t n = 0, first = q->n;
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(m->s);
	struct store_stmt *st = NULL;
	if (store_begin(c) != ERR_OK)
		goto fail;
	st = store_prepare(c, "SELECT id, attempts, kind, message_id, domain, to_enc, "
			      "subject_enc, body_enc FROM outbox WHERE state IN ('queued', "
			      "'deferred') AND next_ms <= ? ORDER BY next_ms, id LIMIT ?");
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
		j->claimed_ms = now;
		for (int i = 0; i < 3; i++) {
			const void *p = store_col_blob(st, 5 + i, &j->len[i]);
			j->blob[i] = xmalloc(j->len[i] ? j->len[i] : 1);
			if (j->len[i])
				memcpy(j->blob[i], p, j->len[i]);
		}
		queue_push(q, j);
		n++;
	}
	store_finish(st);
	st = NULL;
	for (size_t i = first; i < q->n; i++) {
		st = store_prepare(c, "UPDATE outbox SET state = 'sending' WHERE id = ?");
		if (!st)
			goto fail;
		store_bind_int(st, 1, q->j[i]->id);
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
	for (size_t i = first; i < q->n; i++)
		job_free(q->j[i]);
	q->n = first;
	log_error("mail: could not claim outbox rows");
	return 0;
}

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
				     "last_reply = ? WHERE id = ?");
		if (st)
			store_bind_int(st, 1, now);
	} else if (j->r == MAIL_FAILED) {
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
			store_bind_int(st, 1, j->paced ? j->next_ms : now + delay);
	}
	if (st) {
		store_bind_int(st, 2, attempts);
		store_bind_text(st, 3, j->reply);
		store_bind_int(st, 4, j->id);
		e = store_run(st);
		store_finish(st);
	}
	if (j->r != MAIL_SENT && !j->paced)
		log_info("mail: outbox row %lld %s after %lld attempts", (long long)j->id,
			 j->r == MAIL_FAILED ? "failed" : "deferred", (long long)attempts);
	return e;
}

/* Records the finished jobs of q in one transaction (one durable write for many messages)
 * and drops them from q. A crash before this commit leaves their rows 'sending'; they are
 * sent again after the restart (they were in flight). */
static void record_done(struct mail_sender *m, struct queue *q)
{
	size_t ndone = 0;
	for (size_t i = 0; i < q->n; i++)
		ndone += q->j[i]->state == JOB_DONE;
	if (!ndone)
		return;
	struct store_conn *c = store_acquire(m->s);
	enum err e = store_begin(c);
	for (size_t i = 0; e == ERR_OK && i < q->n; i++)
		if (q->j[i]->state == JOB_DONE)
			e = record_one(m, c, q->j[i]);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		log_error("mail: could not record %zu outbox rows", ndone);
	}
	store_release(c);

	pthread_mutex_lock(&m->mu);
	size_t k = 0;
	for (size_t i = 0; i < q->n; i++) {
		struct job *j = q->j[i];
		if (j->state != JOB_DONE) {
			q->j[k++] = j;
			continue;
		}
		if (j->r == MAIL_SENT)
			m->sent++;
		else if (j->r == MAIL_FAILED)
			m->failed++;
		else if (!j->paced)
			m->deferred++;
		job_free(j);
	}
	q->n = k;
	pthread_mutex_unlock(&m->mu);
}

/* Unseals and builds one job's message into *msg (malloc'd) and *len, and its recipient into
 * *to (wipe with vault_wipe_free). On failure the job is done (failed) with the reason. */
static int build(struct mail_sender *m, struct job *j, char **msg, size_t *len, char **to)
{
	char *plain[3] = {NULL, NULL, NULL};
	int ok = 0;
	struct buf b;
	buf_init(&b, MAIL_MESSAGE_MAX);
	for (int i = 0; i < 3; i++) {
		if (vault_unseal(m->v, fields[i], j->blob[i], j->len[i], &plain[i]) != ERR_OK) {
			snprintf(j->reply, sizeof j->reply, "mimamori: cannot unseal %s", fields[i]);
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
	if (mail_mime_build(&mm, &b) != ERR_OK) {
		snprintf(j->reply, sizeof j->reply, "mimamori: message too large");
		goto out;
	}
	*len = b.len;
	*msg = buf_steal(&b);
	*to = plain[0];
	plain[0] = NULL;
	ok = 1;
out:
	if (!ok) {
		j->r = MAIL_FAILED;
		j->state = JOB_DONE;
		if (b.data)
			vault_wipe(b.data, b.len);
	}
	buf_free(&b);
	for (int i = 0; i < 3; i++)
		vault_wipe_free(plain[i]);
	return ok;
}

/* Notes a job's outcome: pacing learns from it. */
static void finish(struct mail_sender *m, struct job *j, enum mail_result r, const char *reply)
{
	j->r = r;
	snprintf(j->reply, sizeof j->reply, "%s", reply);
	j->state = JOB_DONE;
	mail_pacer_done(m->pacer, j->domain, r, reply, clock_now_ms());
}

/* Starts what may start now: in claim order, while the transport has room, each row whose
 * domain's pacing allows it. Rows paced for long go back to the table, spread over the
 * domain's rate. Returns how many were started (sent, for a one-at-a-time transport). */
static size_t start_due(struct mail_sender *m, struct queue *q, int64_t relay_down_until)
{
	size_t started = 0;
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < q->n && !stopping(m); i++) {
		struct job *j = q->j[i];
		if (j->state != JOB_WAITING)
			continue;
		if (relay_down_until > now) {
			/* The relay did not answer at all: defer the rest untried rather than waiting
			 * out a connect timeout for each message. */
			j->r = MAIL_DEFERRED;
			snprintf(j->reply, sizeof j->reply, "not tried: relay unreachable");
			j->state = JOB_DONE;
			continue;
		}
		if (m->t->room && m->t->room(m->t) == 0)
			break;
		int64_t until = mail_pacer_wait_until(m->pacer, j->domain, now);
		if (until) {
			if (until - j->claimed_ms > HOLD_MAX_MS) {
				/* Back to the table, after the ones of its domain already waiting. */
				int64_t gap = mail_pacer_interval_ms(m->pacer, j->domain, now);
				size_t ahead = 0;
				for (size_t k = 0; k < i; k++)
					ahead += q->j[k]->paced && strcmp(q->j[k]->domain, j->domain) == 0;
				j->r = MAIL_DEFERRED;
				j->paced = 1;
				j->next_ms = until + (int64_t)ahead * gap;
				snprintf(j->reply, sizeof j->reply, "paced: %s is limited", j->domain);
				j->state = JOB_DONE;
			}
			continue;
		}
		char *msg = NULL, *to = NULL;
		size_t len = 0;
		if (!build(m, j, &msg, &len, &to))
			continue;
		mail_pacer_started(m->pacer, j->domain, now);
		if (m->t->start) {
			j->state = JOB_FLIGHT;
			m->t->start(m->t, m->from_addr, to, msg, len, j);
		} else {
			char reply[MAIL_REPLY_MAX] = "";
			enum mail_result r =
			    m->t->send(m->t, m->from_addr, to, msg, len, reply, sizeof reply);
			vault_wipe(msg, len);
			free(msg);
			finish(m, j, r, reply);
		}
		vault_wipe_free(to);
		started++;
	}
	return started;
}

/* Collects finished messages from a concurrent transport (waiting at most timeout_ms).
 * Returns 1 when the relay could not be reached at all. */
static int collect(struct mail_sender *m, int timeout_ms)
{
	struct mail_done done[32];
	int unreachable = 0;
	if (!m->t->wait)
		return 0;
	size_t n = m->t->wait(m->t, timeout_ms, done, sizeof done / sizeof done[0]);
	for (size_t i = 0; i < n; i++) {
		finish(m, done[i].tag, done[i].r, done[i].reply);
		if (done[i].r == MAIL_DEFERRED && strncmp(done[i].reply, "curl: ", 6) == 0)
			unreachable = 1;
	}
	return unreachable;
}

/* Puts claimed but unstarted rows back in the queue (on stop). */
static void unclaim(struct mail_sender *m, struct queue *q)
{
	struct store_conn *c = store_acquire(m->s);
	if (store_begin(c) == ERR_OK) {
		enum err e = ERR_OK;
		for (size_t i = 0; e == ERR_OK && i < q->n; i++) {
			if (q->j[i]->state != JOB_WAITING)
				continue;
			struct store_stmt *st = store_prepare(
			    c, "UPDATE outbox SET state = 'queued' WHERE id = ? AND state = 'sending'");
			e = ERR_DB;
			if (st) {
				store_bind_int(st, 1, q->j[i]->id);
				e = store_run(st);
				store_finish(st);
			}
		}
		if (e == ERR_OK)
			store_commit(c);
	}
	store_rollback(c);
	store_release(c);
}

/* Counts q's jobs in state. */
static size_t count(const struct queue *q, int state)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++)
		n += q->j[i]->state == (unsigned)state;
	return n;
}

static void idle_wait(struct mail_sender *m, int64_t ms)
{
	pthread_mutex_lock(&m->mu);
	if (!m->stop && !m->woken) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!m->stop && !m->woken &&
		       pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT)
			;
	}
	m->woken = 0;
	pthread_mutex_unlock(&m->mu);
}

static void *sender_main(void *arg)
{
	struct mail_sender *m = arg;
	struct queue q = {0};
	int64_t relay_down_until = 0, oldest_done = 0;
	while (!stopping(m)) {
		size_t waiting = count(&q, JOB_WAITING), flight = count(&q, JOB_FLIGHT);
		if (waiting < CLAIM_LOW && clock_now_ms() >= relay_down_until)
			claim(m, &q, BATCH_MAX - waiting > 0 ? BATCH_MAX - waiting : 1);
		size_t started = start_due(m, &q, relay_down_until);
		flight = count(&q, JOB_FLIGHT);
		if (flight && collect(m, started ? 0 : 20))
			relay_down_until = clock_now_ms() + m->backoff_ms;
		size_t done = count(&q, JOB_DONE);
		int64_t now = clock_now_ms();
		if (done && !oldest_done)
			oldest_done = now;
		flight = count(&q, JOB_FLIGHT);
		if (done && (done >= RECORD_EVERY || flight == 0 ||
			     now - oldest_done >= RECORD_AFTER_MS)) {
			record_done(m, &q);
			oldest_done = 0;
		}
		if (q.n == 0) {
			idle_wait(m, IDLE_WAIT_MS);
		} else if (!started && !flight && count(&q, JOB_WAITING)) {
			/* Only paced rows wait: sleep a little rather than spin. */
			idle_wait(m, 20);
		}
	}
	/* Stopping: let the messages in flight finish (bounded), record, put the rest back. */
	int64_t until = clock_now_ms() + STOP_DRAIN_MS;
	while (count(&q, JOB_FLIGHT) && clock_now_ms() < until)
		collect(m, 100);
	record_done(m, &q);
	unclaim(m, &q);
	for (size_t i = 0; i < q.n; i++)
		job_free(q.j[i]);
	free(q.j);
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

/* The relay settings from the environment (`serve` sets them from mimamori.conf):
 * MIMAMORI_MAIL_SESSIONS (1-64, default 8), MIMAMORI_MAIL_TLS (try|require|off),
 * MIMAMORI_MAIL_CA, MIMAMORI_MAIL_USER, MIMAMORI_MAIL_PASSWORD. ERR_INVALID with a log line for
 * a bad value. */
static enum err smtp_options(struct mail_smtp_options *o)
{
	const char *sessions = getenv("MIMAMORI_MAIL_SESSIONS"), *tls = getenv("MIMAMORI_MAIL_TLS");
	memset(o, 0, sizeof *o);
	o->sessions = 8;
	if (sessions && *sessions) {
		char *end = NULL;
		long v = strtol(sessions, &end, 10);
		if (!end || *end || v < 1 || v > 64) {
			log_error("mail: mail_sessions must be a number from 1 to 64");
			return ERR_INVALID;
		}
		o->sessions = (int)v;
	}
	if (tls && *tls) {
		if (strcmp(tls, "try") == 0) {
			o->tls = MAIL_TLS_TRY;
		} else if (strcmp(tls, "require") == 0) {
			o->tls = MAIL_TLS_REQUIRE;
		} else if (strcmp(tls, "off") == 0) {
			o->tls = MAIL_TLS_OFF;
		} else {
			log_error("mail: mail_tls must be try, require or off");
			return ERR_INVALID;
		}
	}
	o->ca_file = getenv("MIMAMORI_MAIL_CA");
	o->user = getenv("MIMAMORI_MAIL_USER");
	o->password = getenv("MIMAMORI_MAIL_PASSWORD");
	return ERR_OK;
}

enum err mail_sender_start(struct store *s, const struct vault *v, const char *transport_url,
			   struct mail_sender **out)
{
	struct mail_sender *m = NULL;
	struct mail_transport *t = NULL;
	struct mail_pacer *pacer = NULL;
	struct mail_smtp_options so;
	const char *from = getenv("MIMAMORI_MAIL_FROM"), *bad = NULL;
	char *from_name = NULL, *from_addr = NULL;
	enum err e;
	pthread_condattr_t ca;

	*out = NULL;
	e = mail_from_parse(from && *from ? from : FROM_DEFAULT, &from_name, &from_addr);
	if (e != ERR_OK) {
		log_error("mail: MIMAMORI_MAIL_FROM is not a valid address");
		goto out;
	}
	e = smtp_options(&so);
	if (e != ERR_OK)
		goto out;
	/* A throttled domain rests as long as a deferred message does before its first retry. */
	pacer = mail_pacer_new(getenv("MIMAMORI_MAIL_PACE"), so.sessions, backoff_from_env(), &bad);
	if (!pacer) {
		log_error("mail: %s", bad);
		e = ERR_INVALID;
		goto out;
	}
	if (strncmp(transport_url, "smtp://", 7) == 0) {
		t = mail_transport_smtp_new(transport_url, &so);
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
	m->pacer = pacer;
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
	pacer = NULL;
	from_name = NULL;
	from_addr = NULL;
	*out = m;
out:
	if (t)
		t->free(t);
	mail_pacer_free(pacer);
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
	mail_pacer_free(m->pacer);
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
