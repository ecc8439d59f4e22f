/* SPDX-License-Identifier: MIT */
/* sender.c — the sender's network thread: takes the rows the keeper claimed (outbox_rows.c),
 * builds each message, starts as many as the transport's sessions and each domain's pacing
 * allow, and hands the outcomes back to the keeper to record; plus start, stop and stats. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "mail/sender.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define HOLD_MAX_MS 2000    /* a row paced longer than this goes back to the table */
#define STOP_DRAIN_MS 10000 /* on stop, messages in flight may finish for this long */
#define IDLE_WAIT_MS 1000
#define BACKOFF_BASE_MS 5000
#define BACKOFF_MAX_MS (3600 * 1000)
#define FROM_DEFAULT "noreply@mimamori.invalid"

static const char *const fields[3] = {"outbox.to", "outbox.subject", "outbox.body"};

static int stopping(struct mail_sender *m)
{
	pthread_mutex_lock(&m->mu);
	int stop = m->stop;
	pthread_mutex_unlock(&m->mu);
	return stop;
}

/* For bulk mail: the List-Unsubscribe URL and mailto of job j into url and mailto, and the
 * body — with the read confirmation link when the row asks for one, and a footer naming the
 * unsubscribe link (old phones show no List-Unsubscribe button) — into *body (malloc'd; wipe
 * with vault_wipe_free). A list that may not be left gets no link (url and mailto ""), and its
 * footer says so. Returns 0 when they cannot be made. */
static int bulk_parts(struct mail_sender *m, const struct job *j, const char *plain_body,
		      char *url, size_t url_n, char *mailto, size_t mailto_n, char **body)
{
	char token[64], read[64] = "";
	char *text = NULL;
	if (j->read_link) {
		if (mail_read_token(m->v, j->id, read, sizeof read) != ERR_OK)
			return 0;
		/* Right after the message, before the sender's footer (the bulk layer's last
		 * "\n\n--\n"), where a reader sees it. */
		const char *foot = NULL;
		for (const char *p = strstr(plain_body, "\n\n--\n"); p; p = strstr(p + 1, "\n\n--\n"))
			foot = p;
		int n = foot ? (int)(foot - plain_body) : (int)strlen(plain_body);
		text = xasprintf("%.*s\n\nこのメールを読んだら、次のリンクを開いて「読みました」を押して"
				 "ください。\n%s/read/?t=%s%s",
				 n, plain_body, m->base_url, read, foot ? foot : "");
	} else {
		text = xasprintf("%s", plain_body);
	}
	/* One footer: the line joins the sender's own (the bulk layer's "\n\n--\n…\n") when
	 * there is one, else it opens it. */
	const char *open_foot = strstr(text, "\n\n--\n") ? "" : "\n\n--\n";
	if (!j->may_leave) {
		url[0] = mailto[0] = '\0';
		*body = xasprintf("%s%sこのメールは%sのため、配信停止はできません。\n", text, open_foot,
				  j->list_label ? j->list_label : "大切なお知らせ");
		vault_wipe_free(text);
		return 1;
	}
	if (mail_unsub_token(m->v, j->id, token, sizeof token) != ERR_OK ||
	    mail_unsub_mailto(m->v, j->id, m->bounce_domain, mailto, mailto_n) != ERR_OK) {
		vault_wipe_free(text);
		return 0;
	}
	int w = snprintf(url, url_n, "%s/api/v1/unsubscribe/%s", m->base_url, token);
	if (w < 0 || (size_t)w >= url_n) {
		vault_wipe_free(text);
		return 0;
	}
	*body = xasprintf("%s%sこのメールの配信停止: %s\n", text, open_foot, url);
	vault_wipe_free(text);
	return 1;
}

/* Returns 1 when domain (lower case) is one of list ("a,b", see iso2022jp_domains). */
static int iso2022jp_wanted(const char *list, const char *domain)
{
	size_t n = strlen(domain);
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && memcmp(p, domain, n) == 0)
			return 1;
		p += len + (comma != NULL);
	}
	return 0;
}

/* Unseals and builds one job's message into *msg (malloc'd) and *len, and its recipient into
 * *to (wipe with vault_wipe_free). On failure the job is done (failed) with the reason. */
static int build(struct mail_sender *m, struct job *j, char **msg, size_t *len, char **to)
{
	char *plain[3] = {NULL, NULL, NULL}, *bulk_body = NULL;
	char url[512], mailto[256];
	int ok = 0, bulk = strcmp(j->kind, "bulk") == 0;
	struct buf b;
	buf_init(&b, MAIL_MESSAGE_MAX);
	/* The row is sealed under the key of the service that queued it. */
	const struct vault *v = keyring_vault(m->k, j->service);
	for (int i = 0; i < 3; i++) {
		if (!v || vault_unseal(v, fields[i], j->blob[i], j->len[i], &plain[i]) != ERR_OK) {
			snprintf(j->reply, sizeof j->reply, "mimamori: cannot unseal %s", fields[i]);
			goto out;
		}
	}
	if (bulk && !bulk_parts(m, j, plain[2], url, sizeof url, mailto, sizeof mailto,
				&bulk_body)) {
		snprintf(j->reply, sizeof j->reply, "mimamori: cannot make the unsubscribe link");
		goto out;
	}
	/* The name of the service whose mail it is, when it has its own. */
	const char *from_name = m->from_name;
	for (size_t i = 0; i < m->nnames; i++)
		if (strcmp(m->names[i].service, j->service) == 0)
			from_name = m->names[i].name;
	struct mail_message mm = {
	    .from_name = from_name,
	    .from_addr = m->from_addr,
	    .to = plain[0],
	    .subject = plain[1],
	    .body = bulk ? bulk_body : plain[2],
	    .iso2022jp = iso2022jp_wanted(m->iso2022jp, j->domain),
	    .message_id = j->message_id,
	    .kind = j->kind,
	    .date_ms = clock_now_ms(),
	    .unsubscribe_url = bulk && url[0] ? url : NULL,
	    .unsubscribe_mailto = bulk && mailto[0] ? mailto : NULL,
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
	vault_wipe_free(bulk_body);
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
	if (stopping(m))
		return 0;
	for (size_t i = 0; i < q->n; i++) {
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
		char verp[256];
		size_t len = 0;
		if (!build(m, j, &msg, &len, &to))
			continue;
		/* The return path names the row, so a bounce finds it (mail-in); the From address
		 * stays the ward's. */
		if (mail_verp_make(m->v, j->id, m->bounce_domain, verp, sizeof verp) != ERR_OK)
			snprintf(verp, sizeof verp, "%s", m->from_addr);
		mail_pacer_started(m->pacer, j->domain, now);
		if (m->t->start) {
			j->state = JOB_FLIGHT;
			m->t->start(m->t, verp, to, msg, len, j);
		} else {
			char reply[MAIL_REPLY_MAX] = "";
			enum mail_result r =
			    m->t->send(m->t, verp, to, msg, len, reply, sizeof reply);
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

/* How many of q's jobs wait, are in flight, are done. */
struct counts {
	size_t waiting, flight, done;
};

static struct counts count(const struct queue *q)
{
	struct counts c = {0, 0, 0};
	for (size_t i = 0; i < q->n; i++) {
		int st = q->j[i]->state;
		c.waiting += st == JOB_WAITING;
		c.flight += st == JOB_FLIGHT;
		c.done += st == JOB_DONE;
	}
	return c;
}

/* Waits at most ms for claimed rows from the keeper (or a stop). */
static void idle_wait(struct mail_sender *m, int64_t ms)
{
	pthread_mutex_lock(&m->mu);
	if (!m->stop && m->ready.n == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!m->stop && m->ready.n == 0 &&
		       pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&m->mu);
}

/* Takes claimed rows from the keeper while q holds fewer than SENDER_BATCH; hands q's finished
 * jobs to the keeper; returns the relay's down-until time. */
static int64_t exchange(struct mail_sender *m, struct queue *q)
{
	pthread_mutex_lock(&m->mu);
	size_t took = 0, k = 0, had = m->finished.n;
	for (size_t i = 0; i < q->n; i++) {
		if (q->j[i]->state == JOB_DONE) {
			sender_queue_push(&m->finished, q->j[i]);
		} else {
			q->j[k++] = q->j[i];
		}
	}
	q->n = k;
	size_t r = 0;
	for (; r < m->ready.n && q->n < SENDER_BATCH; r++, took++)
		sender_queue_push(q, m->ready.j[r]);
	if (r && m->ready.n > r) /* (a NULL array with nothing to move is not for memmove) */
		memmove(m->ready.j, m->ready.j + r, (m->ready.n - r) * sizeof *m->ready.j);
	m->ready.n -= r;
	/* Wake the keeper only when it has something to do: the first finished row (it records
	 * within RECORD_WAIT_MS), a full round of them, or rows to claim. */
	if ((had == 0 && m->finished.n > 0) ||
	    (had < SENDER_RECORD_MIN && m->finished.n >= SENDER_RECORD_MIN) ||
	    (took && m->ready.n < SENDER_CLAIM_LOW))
		pthread_cond_signal(&m->kcv);
	int64_t down = m->relay_down_until;
	pthread_mutex_unlock(&m->mu);
	return down;
}

void sender_thread_background(void)
{
	/* On Linux a thread is a task: PRIO_PROCESS with its id sets this thread alone. Raising
	 * the value needs no privilege; a failure leaves the thread as it was. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), SENDER_NICE) != 0)
		log_warn("mail: could not lower the sender thread's priority");
}

static void *sender_main(void *arg)
{
	struct mail_sender *m = arg;
	struct queue q = {0};
	sender_thread_background();
	while (!stopping(m)) {
		int64_t down = exchange(m, &q);
		struct counts n = count(&q);
		size_t started = start_due(m, &q, down);
		if ((n.flight || started) && collect(m, started ? 0 : 20)) {
			pthread_mutex_lock(&m->mu);
			m->relay_down_until = clock_now_ms() + m->backoff_ms;
			pthread_mutex_unlock(&m->mu);
		}
		n = count(&q);
		if (q.n == 0) {
			idle_wait(m, IDLE_WAIT_MS);
		} else if (!started && !n.flight && !n.done && n.waiting) {
			/* Only paced rows wait: sleep a little rather than spin. */
			idle_wait(m, 20);
		}
	}
	/* Stopping: let the messages in flight finish (bounded), then hand everything over: the
	 * finished to be recorded, the unstarted to be put back. */
	int64_t until = clock_now_ms() + STOP_DRAIN_MS;
	while (count(&q).flight && clock_now_ms() < until)
		collect(m, 100);
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < q.n; i++) {
		struct job *j = q.j[i];
		if (j->state == JOB_DONE)
			sender_queue_push(&m->finished, j);
		else if (j->state == JOB_WAITING)
			sender_queue_push(&m->ready, j);
		else
			sender_job_free(j); /* still in flight: its row stays 'sending' */
	}
	pthread_cond_signal(&m->kcv);
	pthread_mutex_unlock(&m->mu);
	free(q.j);
	return NULL;
}

/* How often the keeper looks for the rows of senders that are gone (MIMAMORI_MAIL_RECOVER_MS,
 * tests shorten it; default 2 s). */
static int64_t recover_from_env(void)
{
	const char *v = getenv("MIMAMORI_MAIL_RECOVER_MS");
	char *end = NULL;
	long long ms;
	if (!v || !*v)
		return 2000;
	errno = 0;
	ms = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || ms < 50 || ms > 3600 * 1000) {
		log_warn("mail: ignoring bad MIMAMORI_MAIL_RECOVER_MS");
		return 2000;
	}
	return ms;
}

/* Names sender m (128 random bits in hex), takes its lock and puts back the rows of senders
 * that are gone. ERR_CONFLICT when another process holds the lock: on SQLite, another server
 * uses the database. */
static enum err sender_name(struct store *s, struct mail_sender *m)
{
	unsigned char rnd[SENDER_ID_LEN / 2];
	char lock[64];
	vault_random(rnd, sizeof rnd);
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(m->id + 2 * i, 3, "%02x", rnd[i]);
	snprintf(lock, sizeof lock, "mail-sender:%s", m->id);
	int took = store_lock_take(s, lock);
	if (took == 0) {
		log_error("mail: another mimamori serve uses this database (SQLite: one server only)");
		return ERR_CONFLICT;
	}
	if (took < 0)
		return ERR_DB;
	return sender_recover(m, 1);
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
/* Why the last mail_sender_start refused its settings, in Japanese (static), or NULL. */
static const char *config_why;

const char *mail_sender_config_why(void)
{
	return config_why;
}

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
			config_why = "[mail] sessions は 1〜64 の数にしてください";
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
			config_why = "[mail] tls は try・require・off のどれかにしてください";
			return ERR_INVALID;
		}
	}
	o->ca_file = getenv("MIMAMORI_MAIL_CA");
	o->user = getenv("MIMAMORI_MAIL_USER");
	o->password = getenv("MIMAMORI_MAIL_PASSWORD");
	return ERR_OK;
}

/* Returns 1 when url can go into a List-Unsubscribe header and a body: http(s)://, printable
 * ASCII without spaces, '<', '>' or quotes, and short. */
static int base_url_valid(const char *url)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return 0;
	if (strlen(url) > 200)
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>\"'\\,", *p))
			return 0;
	return 1;
}

/* Reads MIMAMORI_MAIL_ISO2022JP ("docomo.ne.jp, ezweb.ne.jp": the recipient domains whose
 * mail goes as ISO-2022-JP) into *out as "docomo.ne.jp,ezweb.ne.jp" in lower case (malloc'd,
 * caller frees; NULL when unset or empty). ERR_INVALID with a log line for an entry that is not
 * a domain. */
static enum err iso2022jp_domains(char **out)
{
	const char *v = getenv("MIMAMORI_MAIL_ISO2022JP");
	char *copy = NULL, *save = NULL;
	struct buf b;
	enum err e = ERR_OK;
	*out = NULL;
	if (!v || !*v)
		return ERR_OK;
	buf_init(&b, strlen(v)); /* the list written back is never longer */
	copy = xstrdup(v);
	for (char *tok = strtok_r(copy, ", \t", &save); tok && e == ERR_OK;
	     tok = strtok_r(NULL, ", \t", &save)) {
		for (char *c = tok; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!mail_domain_valid(tok)) {
			config_why = "[mail] iso2022jp はドメインをカンマで区切って書いてください（例 "
				     "docomo.ne.jp, ezweb.ne.jp）";
			log_error("mail: iso2022jp takes domains separated by commas, e.g. "
				  "docomo.ne.jp, ezweb.ne.jp");
			e = ERR_INVALID;
		} else if (b.len) {
			e = buf_printf(&b, ",%s", tok);
		} else {
			e = buf_puts(&b, tok);
		}
	}
	free(copy);
	if (e == ERR_OK && b.len)
		*out = buf_steal(&b);
	buf_free(&b);
	return e;
}

enum err mail_sender_start(struct store *s, struct keyring *k, const char *transport_url,
			   const char *base_url, struct mail_sender **out)
{
	const struct vault *v = keyring_platform(k);
	struct mail_sender *m = NULL;
	struct mail_transport *t = NULL;
	struct mail_pacer *pacer = NULL;
	struct mail_smtp_options so;
	const char *from = getenv("MIMAMORI_MAIL_FROM"), *bad = NULL;
	char *from_name = NULL, *from_addr = NULL, *bounce_domain = NULL, *iso2022jp = NULL;
	enum err e;
	pthread_condattr_t ca;

	*out = NULL;
	e = mail_from_parse(from && *from ? from : FROM_DEFAULT, &from_name, &from_addr);
	if (e != ERR_OK) {
		log_error("mail: MIMAMORI_MAIL_FROM is not a valid address");
		config_why = "[mail] from のメールアドレスが正しくありません";
		goto out;
	}
	/* The name guardians see: [mail] from_name (the ward's name), else a name written in
	 * `from`, else the Japanese default. */
	const char *fname = getenv("MIMAMORI_MAIL_FROM_NAME");
	if (fname && *fname) {
		if (text_line_check(fname, MAIL_FROM_NAME_MAX) != TEXT_OK) {
			log_error("mail: from_name must be 1 to %d characters on one line",
				  MAIL_FROM_NAME_MAX);
			config_why = "[mail] from_name は1〜64文字の1行にしてください";
			e = ERR_INVALID;
			goto out;
		}
		free(from_name);
		from_name = xstrdup(fname);
	} else if (!from_name[0]) {
		free(from_name);
		from_name = xstrdup(MAIL_FROM_NAME_DEFAULT);
	}
	e = smtp_options(&so);
	if (e == ERR_OK)
		e = iso2022jp_domains(&iso2022jp);
	if (e != ERR_OK)
		goto out;
	if (!base_url_valid(base_url)) {
		log_error("mail: base_url must be an http(s) URL without spaces or quotes");
		config_why = "[server] base_url は http:// か https:// で始まる、空白や引用符のない"
			     "URLにしてください";
		e = ERR_INVALID;
		goto out;
	}
	/* Bounces and unsubscribe mails come back to this domain (the From domain by default). */
	const char *bd = getenv("MIMAMORI_MAIL_BOUNCE_DOMAIN");
	bounce_domain = bd && *bd ? xstrdup(bd) : mail_address_domain(from_addr);
	char probe[256];
	if (mail_verp_make(v, 1, bounce_domain, probe, sizeof probe) != ERR_OK) {
		log_error("mail: bounce_domain is not a domain");
		config_why = "[mail] bounce_domain がドメインの形ではありません";
		e = ERR_INVALID;
		goto out;
	}
	if (strncmp(transport_url, "smtp://", 7) == 0) {
		t = mail_transport_smtp_new(transport_url, &so);
	} else if (strncmp(transport_url, "maildir:", 8) == 0 && transport_url[8]) {
		t = mail_transport_maildir_new(transport_url + 8);
	} else {
		log_error("mail: unknown transport (use smtp://host:port or maildir:PATH)");
		config_why = "[mail] url は smtp://ホスト:ポート か maildir:フォルダ にしてください";
		e = ERR_INVALID;
		goto out;
	}
	if (!t) {
		e = ERR_IO;
		goto out;
	}
	/* A throttled domain rests as long as a deferred message does before its first retry. */
	pacer = mail_pacer_new(getenv("MIMAMORI_MAIL_PACE"), so.sessions, t->per_session,
			       backoff_from_env(), &bad);
	if (!pacer) {
		log_error("mail: %s", bad);
		config_why = "[mail] pace は ドメイン=同時接続数/1分の通数 をカンマで区切って書いてください";
		e = ERR_INVALID;
		goto out;
	}
	m = xcalloc(1, sizeof *m);
	m->s = s;
	m->k = k;
	m->v = v;
	m->t = t;
	m->pacer = pacer;
	m->from_name = from_name;
	m->nnames = mail_from_names_copy(m->names, MAIL_FROM_NAMES_MAX);
	m->from_addr = from_addr;
	m->bounce_domain = bounce_domain;
	m->base_url = xstrdup(base_url);
	/* A trailing '/' would double in the links. */
	for (size_t n = strlen(m->base_url); n > 0 && m->base_url[n - 1] == '/'; n--)
		m->base_url[n - 1] = '\0';
	m->iso2022jp = iso2022jp;
	m->backoff_ms = backoff_from_env();
	m->recover_ms = recover_from_env();
	e = sender_name(s, m);
	if (e != ERR_OK) {
		free(m->base_url);
		free(m);
		m = NULL;
		goto out;
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_cond_init(&m->kcv, &ca);
	pthread_condattr_destroy(&ca);
	m->woken = 1; /* claim at once */
	if (pthread_create(&m->keeper, NULL, sender_keeper_main, m) != 0) {
		pthread_cond_destroy(&m->cv);
		pthread_cond_destroy(&m->kcv);
		pthread_mutex_destroy(&m->mu);
		free(m->base_url);
		free(m);
		m = NULL;
		e = ERR_IO;
		goto out;
	}
	if (pthread_create(&m->thread, NULL, sender_main, m) != 0) {
		pthread_mutex_lock(&m->mu);
		m->keeper_stop = 1;
		pthread_cond_signal(&m->kcv);
		pthread_mutex_unlock(&m->mu);
		pthread_join(m->keeper, NULL);
		pthread_cond_destroy(&m->cv);
		pthread_cond_destroy(&m->kcv);
		pthread_mutex_destroy(&m->mu);
		free(m->base_url);
		free(m);
		m = NULL;
		e = ERR_IO;
		goto out;
	}
	pthread_setname_np(m->keeper, "mail-keeper"); /* for top -H and perf */
	pthread_setname_np(m->thread, "mail-send");
	t = NULL;
	pacer = NULL;
	from_name = NULL;
	from_addr = NULL;
	bounce_domain = NULL;
	iso2022jp = NULL;
	*out = m;
out:
	if (t)
		t->free(t);
	mail_pacer_free(pacer);
	free(from_name);
	free(from_addr);
	free(bounce_domain);
	free(iso2022jp);
	return e;
}

void mail_sender_wake(struct mail_sender *m)
{
	pthread_mutex_lock(&m->mu);
	m->woken = 1;
	pthread_cond_signal(&m->kcv); /* the keeper claims the new rows */
	pthread_mutex_unlock(&m->mu);
}

void mail_sender_stop(struct mail_sender *m)
{
	if (!m)
		return;
	/* The network thread first (it finishes what is in flight and hands everything over),
	 * then the keeper (it records and puts unstarted rows back). */
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_cond_signal(&m->cv);
	pthread_cond_signal(&m->kcv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	pthread_mutex_lock(&m->mu);
	m->keeper_stop = 1;
	pthread_cond_signal(&m->kcv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->keeper, NULL);
	m->t->free(m->t);
	mail_pacer_free(m->pacer);
	pthread_cond_destroy(&m->cv);
	pthread_cond_destroy(&m->kcv);
	pthread_mutex_destroy(&m->mu);
	free(m->ready.j);
	free(m->finished.j);
	free(m->putback);
	free(m->from_name);
	free(m->from_addr);
	free(m->bounce_domain);
	free(m->base_url);
	free(m->iso2022jp);
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
	st->handed = m->handed;
	pthread_mutex_unlock(&m->mu);
}

void mail_sender_metrics(struct mail_sender *m, struct buf *b)
{
	mail_pacer_metrics(m->pacer, b);
}
