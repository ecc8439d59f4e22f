/* SPDX-License-Identifier: MIT */
/* transport_smtp.c — sends over SMTP to the relay with libcurl's multi interface: up to N
 * sessions at once, each kept open and reused for many messages (the multi's connection
 * cache), one recipient per transaction; STARTTLS when offered (or required) and AUTH. The
 * sessions are spread over a few worker threads, each with its own multi. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

#define CONNECT_TIMEOUT_S 10L
#define TRANSFER_TIMEOUT_S 120L
#define SESSIONS_PER_WORKER 5
#define WORKERS_MAX 4

/* One message handed to the transport. The sender thread fills a free item and hands it to a
 * worker; from then until the worker reports it done, only the worker touches it. */
struct item {
	int busy; /* sender thread's view: handed out and not yet collected */
	struct worker *w;
	void *tag;
	char *msg; /* owned while busy; wiped when sent or dropped */
	size_t len;
	char *from_arg, *rcpt_arg;
};

/* One SMTP session of a worker: an easy handle (its connection stays in the multi's cache)
 * and the item it is sending, if any. */
struct session {
	CURL *h;
	struct item *it;
	size_t off;
	struct curl_slist *rcpts;
	char err_line[MAIL_REPLY_MAX]; /* last 4xx/5xx line the server sent */
};

/* One worker thread and its multi handle with its own sessions. libcurl waits for the reply
 * to a message's final "." blocking inside the multi (smtp_done), so one multi serialises
 * that wait over all its sessions; a few multis on their own threads overlap it. Each worker
 * also holds up to one more item per session, so a session that finishes starts its next
 * message at once instead of waiting for the sender thread. */
struct worker {
	struct smtp *m;
	pthread_t th;
	int started;
	CURLM *multi;
	struct session *s;
	size_t ns;
	size_t cap;  /* items it may hold: two per session */
	size_t load; /* items given to it and not yet collected (sender thread) */
	/* under m->mu: */
	struct item **inbox; /* handed over, not yet taken by the worker */
	size_t in_n;
	int polling; /* in curl_multi_poll: needs a wakeup for new work */
};

struct smtp {
	struct mail_transport base; /* first, so a transport pointer is an smtp pointer */
	struct item *items;
	size_t n_items, busy;
	struct worker *w;
	size_t nw;
	char *url;
	pthread_mutex_t mu;	/* guards the workers' inboxes, done, waiting, stop */
	pthread_cond_t cv;	/* the sender thread waits here for outcomes */
	int waiting;		/* the sender thread waits on cv */
	struct mail_done *done; /* outcomes not yet collected: a ring of n_items */
	struct item **done_it;	/* and their items */
	size_t done_head, done_n;
	int stop;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct session *s = ud;
	struct item *it = s->it;
	size_t n = size * nmemb;
	if (n > it->len - s->off)
		n = it->len - s->off;
	memcpy(dst, it->msg + s->off, n);
	s->off += n;
	return n;
}

/* Sees the server's reply lines (libcurl passes an SMTP session's replies to the header
 * callback) and keeps the last error line. Cheaper than CURLOPT_VERBOSE with a debug
 * callback, which also has libcurl format its informational text for every message. */
static size_t header_cb(char *data, size_t size, size_t nmemb, void *ud)
{
	struct session *s = ud;
	size_t n = size * nmemb;
	if (n >= 3 && (data[0] == '4' || data[0] == '5')) {
		/* One line without its line end, then every word with an '@' blanked, as the
		 * bounce diagnostics are: no personal data reaches outbox.last_reply. */
		char line[1024]; /* an SMTP reply line is at most 512 (RFC 5321 4.5.3.1.5) */
		size_t k = 0;	 /* data is not NUL-terminated: bounded by n */
		while (k < n && data[k] != '\r' && data[k] != '\n')
			k++;
		if (k >= sizeof line) {
			/* Cut between words, never inside one: a cut address could lose its '@'. */
			k = sizeof line - 1;
			while (k > 0 && data[k] != ' ')
				k--;
		}
		memcpy(line, data, k);
		line[k] = '\0';
		mail_text_blank_addresses(line, s->err_line, sizeof s->err_line);
	}
	return n;
}

static size_t smtp_room(struct mail_transport *t)
{
	struct smtp *m = (struct smtp *)t;
	return m->n_items - m->busy;
}

static size_t smtp_busy(struct mail_transport *t)
{
	return ((struct smtp *)t)->busy;
}

static void smtp_start(struct mail_transport *t, const char *from, const char *rcpt, char *msg,
		       size_t len, void *tag)
{
	struct smtp *m = (struct smtp *)t;
	struct item *it = NULL;
	struct worker *w = NULL;
	for (size_t i = 0; i < m->n_items && !it; i++)
		if (!m->items[i].busy)
			it = &m->items[i];
	/* The worker with the most room. */
	for (size_t i = 0; i < m->nw; i++)
		if (m->w[i].load < m->w[i].cap &&
		    (!w || m->w[i].cap - m->w[i].load > w->cap - w->load))
			w = &m->w[i];
	if (!it || !w) /* the sender asks for room first; this is a programming error */
		abort();
	char *env_from = mail_address_render(from), *r = mail_address_render(rcpt);
	it->from_arg = xasprintf("<%s>", env_from);
	it->rcpt_arg = xasprintf("<%s>", r);
	free(env_from);
	free(r);
	it->msg = msg;
	it->len = len;
	it->tag = tag;
	it->w = w;
	it->busy = 1;
	w->load++;
	m->busy++;
	pthread_mutex_lock(&m->mu);
	w->inbox[w->in_n++] = it;
	int wake = w->polling;
	w->polling = 0;
	pthread_mutex_unlock(&m->mu);
	if (wake)
		curl_multi_wakeup(w->multi);
}

/* Wipes and frees what item it holds for its message. */
static void item_clear(struct item *it)
{
	if (it->msg)
		vault_wipe(it->msg, it->len);
	free(it->msg);
	free(it->from_arg);
	free(it->rcpt_arg);
	it->msg = NULL;
	it->from_arg = it->rcpt_arg = NULL;
}

/* Starts item it on idle session s (worker thread). */
static void session_begin(struct worker *w, struct session *s, struct item *it)
{
	s->it = it;
	s->off = 0;
	s->err_line[0] = '\0';
	s->rcpts = curl_slist_append(NULL, it->rcpt_arg);
	curl_easy_setopt(s->h, CURLOPT_MAIL_FROM, it->from_arg);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, s->rcpts);
	curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)it->len);
	curl_multi_add_handle(w->multi, s->h);
}

/* Takes session s's handle out of the multi and makes it idle (worker thread, or any thread
 * once the workers have stopped). */
static void session_end(struct worker *w, struct session *s)
{
	curl_multi_remove_handle(w->multi, s->h);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(s->rcpts);
	s->rcpts = NULL;
	if (s->it)
		item_clear(s->it);
	s->it = NULL;
}

/* The outcome of a finished transfer. */
static void outcome(struct session *s, CURLcode rc, struct mail_done *d)
{
	long code = 0;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
	d->tag = s->it->tag;
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION) {
		/* Our side of the relay is wrong (login, TLS): the recipient is not at fault, and
		 * nothing went out. "curl: " marks the relay as not usable for now. */
		snprintf(d->reply, sizeof d->reply, "curl: relay refused our %s (%s)",
			 rc == CURLE_LOGIN_DENIED ? "login" : "TLS", curl_easy_strerror(rc));
		d->r = MAIL_DEFERRED;
	} else if (rc == CURLE_OK && code >= 200 && code < 300) {
		snprintf(d->reply, sizeof d->reply, "%ld", code);
		d->r = MAIL_SENT;
	} else if (code >= 500 && code < 600) {
		snprintf(d->reply, sizeof d->reply, "%s", s->err_line[0] ? s->err_line : "5xx");
		d->r = MAIL_FAILED;
	} else {
		/* 4xx, or no usable reply at all (refused, timed out, dropped): try later. */
		if (code >= 400 && s->err_line[0])
			snprintf(d->reply, sizeof d->reply, "%s", s->err_line);
		else
			snprintf(d->reply, sizeof d->reply, "curl: %s", curl_easy_strerror(rc));
		d->r = MAIL_DEFERRED;
	}
}

/* Worker thread: takes the items handed over, starts them on its idle sessions, drives its
 * multi, and reports finished messages into m->done. Stops when m->stop is set. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct smtp *m = w->m;
	struct item **pend = xcalloc(w->cap, sizeof *pend); /* FIFO of items not yet started */
	size_t p_head = 0, p_n = 0;
	struct mail_done *out = xcalloc(w->ns, sizeof *out);
	struct item **out_it = xcalloc(w->ns, sizeof *out_it);
	int running = 0;
	for (;;) {
		pthread_mutex_lock(&m->mu);
		int stop = m->stop;
		for (size_t i = 0; i < w->in_n; i++)
			pend[(p_head + p_n++) % w->cap] = w->inbox[i];
		w->in_n = 0;
		w->polling = 0;
		pthread_mutex_unlock(&m->mu);
		if (stop)
			break;
		for (size_t i = 0; i < w->ns && p_n; i++) {
			if (w->s[i].it)
				continue;
			session_begin(w, &w->s[i], pend[p_head]);
			p_head = (p_head + 1) % w->cap;
			p_n--;
		}
		curl_multi_perform(w->multi, &running);
		size_t n = 0;
		CURLMsg *cm;
		int left = 0;
		while ((cm = curl_multi_info_read(w->multi, &left)) != NULL) {
			if (cm->msg != CURLMSG_DONE)
				continue;
			struct session *s = NULL;
			CURLcode rc = cm->data.result;
			curl_easy_getinfo(cm->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			outcome(s, rc, &out[n]);
			out_it[n++] = s->it;
			session_end(w, s);
		}
		pthread_mutex_lock(&m->mu);
		for (size_t i = 0; i < n; i++) {
			size_t at = (m->done_head + m->done_n++) % m->n_items;
			m->done[at] = out[i];
			m->done_it[at] = out_it[i];
		}
		if (n && m->waiting)
			pthread_cond_signal(&m->cv);
		/* Sessions freed with items waiting, or new items: go round again at once. */
		int idle = (n == 0 || p_n == 0) && w->in_n == 0 && !m->stop;
		if (idle)
			w->polling = 1;
		pthread_mutex_unlock(&m->mu);
		if (idle)
			curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
	}
	/* Items never started: dropped like the ones in flight (smtp_free). */
	for (; p_n; p_n--, p_head = (p_head + 1) % w->cap)
		item_clear(pend[p_head]);
	free(pend);
	free(out);
	free(out_it);
	return NULL;
}

static size_t smtp_wait(struct mail_transport *t, int timeout_ms, struct mail_done *done,
			size_t max)
{
	struct smtp *m = (struct smtp *)t;
	size_t n = 0;
	pthread_mutex_lock(&m->mu);
	if (m->done_n == 0 && m->busy > 0 && timeout_ms > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		m->waiting = 1;
		while (m->done_n == 0 && pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT)
			;
		m->waiting = 0;
	}
	for (; n < max && m->done_n > 0; n++) {
		/* The item of this outcome is free again. */
		struct item *it = m->done_it[m->done_head];
		done[n] = m->done[m->done_head];
		m->done_head = (m->done_head + 1) % m->n_items;
		m->done_n--;
		it->busy = 0;
		it->w->load--;
		m->busy--;
	}
	pthread_mutex_unlock(&m->mu);
	return n;
}

/* Stops the workers (those started) and waits for them. */
static void workers_stop(struct smtp *m)
{
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_mutex_unlock(&m->mu);
	for (size_t i = 0; i < m->nw; i++) {
		if (!m->w[i].started)
			continue;
		curl_multi_wakeup(m->w[i].multi);
		pthread_join(m->w[i].th, NULL);
		m->w[i].started = 0;
	}
}

static void smtp_free(struct mail_transport *t)
{
	struct smtp *m = (struct smtp *)t;
	if (!m)
		return;
	workers_stop(m);
	/* Messages still in flight or handed over are dropped (their rows stay 'sending'). */
	for (size_t i = 0; i < m->nw; i++) {
		struct worker *w = &m->w[i];
		for (size_t k = 0; w->s && k < w->ns; k++) {
			if (w->s[k].it)
				session_end(w, &w->s[k]);
			if (w->s[k].h)
				curl_easy_cleanup(w->s[k].h);
		}
		for (size_t k = 0; k < w->in_n; k++)
			item_clear(w->inbox[k]);
		if (w->multi)
			curl_multi_cleanup(w->multi);
		free(w->s);
		free(w->inbox);
	}
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m->w);
	free(m->items);
	free(m->done);
	free(m->done_it);
	free(m->url);
	free(m);
	curl_global_cleanup();
}

/* How many worker threads drive n sessions: one per SESSIONS_PER_WORKER, at most
 * WORKERS_MAX. */
static size_t workers_for(size_t n)
{
	size_t k = (n + SESSIONS_PER_WORKER - 1) / SESSIONS_PER_WORKER;
	return k > WORKERS_MAX ? WORKERS_MAX : k;
}

/* Sets up easy handle h for session s. */
static void session_setup(CURL *h, struct session *s, const char *url,
			  const struct mail_smtp_options *o)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, s);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)s);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	/* STARTTLS: when offered ("try"), always ("require"), never ("off"). */
	curl_easy_setopt(h, CURLOPT_USE_SSL,
			 o->tls == MAIL_TLS_REQUIRE ? (long)CURLUSESSL_ALL
			 : o->tls == MAIL_TLS_OFF   ? (long)CURLUSESSL_NONE
						    : (long)CURLUSESSL_TRY);
	if (o->ca_file && o->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	if (o->user && o->user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, o->password ? o->password : "");
	}
}

struct mail_transport *mail_transport_smtp_new(const char *url, const struct mail_smtp_options *o)
{
	/* libcurl counts these calls; each transport pairs one with curl_global_cleanup. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("mail: curl_global_init failed");
		return NULL;
	}
	struct smtp *m = xcalloc(1, sizeof *m);
	pthread_condattr_t ca;
	size_t n = o->sessions > 0 ? (size_t)o->sessions : 8;
	m->base.room = smtp_room;
	m->base.busy = smtp_busy;
	m->base.start = smtp_start;
	m->base.wait = smtp_wait;
	m->base.free = smtp_free;
	m->url = xstrdup(url);
	m->n_items = 2 * n;
	m->items = xcalloc(m->n_items, sizeof *m->items);
	m->done = xcalloc(m->n_items, sizeof *m->done);
	m->done_it = xcalloc(m->n_items, sizeof *m->done_it);
	m->nw = workers_for(n);
	m->w = xcalloc(m->nw, sizeof *m->w);
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	for (size_t i = 0; i < m->nw; i++) {
		struct worker *w = &m->w[i];
		w->m = m;
		w->ns = n / m->nw + (i < n % m->nw);
		w->cap = 2 * w->ns;
		w->inbox = xcalloc(w->cap, sizeof *w->inbox);
		w->s = xcalloc(w->ns, sizeof *w->s);
		w->multi = curl_multi_init();
		if (!w->multi)
			goto fail;
		/* Sessions stay open between messages: as many cached connections as sessions. */
		curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)w->ns);
		curl_multi_setopt(w->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)w->ns);
		for (size_t k = 0; k < w->ns; k++) {
			w->s[k].h = curl_easy_init();
			if (!w->s[k].h)
				goto fail;
			session_setup(w->s[k].h, &w->s[k], m->url, o);
		}
	}
	for (size_t i = 0; i < m->nw; i++) {
		if (pthread_create(&m->w[i].th, NULL, worker_main, &m->w[i]) != 0)
			goto fail;
		m->w[i].started = 1;
	}
	return &m->base;
fail:
	log_error("mail: libcurl could not be set up");
	smtp_free(&m->base);
	return NULL;
}
