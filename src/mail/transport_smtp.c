/* SPDX-License-Identifier: MIT */
/* transport_smtp.c — sends over SMTP to the relay with libcurl's multi interface: up to N
 * sessions at once, each kept open and reused for many messages (the multi's connection
 * cache), one recipient per transaction; STARTTLS when offered (or required) and AUTH. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

#define CONNECT_TIMEOUT_S 10L
#define TRANSFER_TIMEOUT_S 120L

/* One session: an easy handle and the message it is sending. */
struct session {
	CURL *h;
	int busy;
	void *tag;
	char *msg; /* owned while busy; wiped when done */
	size_t len, off;
	char *from_arg, *rcpt_arg;
	struct curl_slist *rcpts;
	char err_line[MAIL_REPLY_MAX]; /* last 4xx/5xx line the server sent */
};

struct smtp {
	struct mail_transport base; /* first, so a transport pointer is an smtp pointer */
	CURLM *multi;
	struct session *s;
	size_t n, busy;
	char *url;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct session *s = ud;
	size_t n = size * nmemb;
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(dst, s->msg + s->off, n);
	s->off += n;
	return n;
}

/* Copies src into dst (n bytes), dropping line ends and replacing anything that looks like an
 * address (a word with '@') so that no personal data reaches outbox.last_reply. */
static void scrub_reply(char *dst, size_t n, const char *src, size_t len)
{
	size_t o = 0;
	size_t i = 0;
	while (i < len && o + 1 < n) {
		size_t j = i;
		while (j < len && src[j] != ' ' && src[j] != '\r' && src[j] != '\n')
			j++;
		if (memchr(src + i, '@', j - i)) {
			const char *r = "<address>";
			for (; *r && o + 1 < n; r++)
				dst[o++] = *r;
		} else {
			for (size_t k = i; k < j && o + 1 < n; k++)
				dst[o++] = src[k];
		}
		if (j < len && src[j] == ' ' && o + 1 < n)
			dst[o++] = ' ';
		i = j < len && src[j] == ' ' ? j + 1 : len;
	}
	dst[o] = '\0';
}

/* Sees the server's reply lines (CURLINFO_HEADER_IN) and keeps the last error line. */
static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	struct session *s = ud;
	(void)h;
	if (type == CURLINFO_HEADER_IN && size >= 3 && (data[0] == '4' || data[0] == '5'))
		scrub_reply(s->err_line, sizeof s->err_line, data, size);
	return 0;
}

static size_t smtp_room(struct mail_transport *t)
{
	struct smtp *m = (struct smtp *)t;
	return m->n - m->busy;
}

static size_t smtp_busy(struct mail_transport *t)
{
	return ((struct smtp *)t)->busy;
}

static void smtp_start(struct mail_transport *t, const char *from, const char *rcpt, char *msg,
		       size_t len, void *tag)
{
	struct smtp *m = (struct smtp *)t;
	struct session *s = NULL;
	for (size_t i = 0; i < m->n && !s; i++)
		if (!m->s[i].busy)
			s = &m->s[i];
	if (!s) /* the sender asks for room first; this is a programming error */
		abort();
	char *env_from = mail_address_render(from), *r = mail_address_render(rcpt);
	s->from_arg = xasprintf("<%s>", env_from);
	s->rcpt_arg = xasprintf("<%s>", r);
	free(env_from);
	free(r);
	s->rcpts = curl_slist_append(NULL, s->rcpt_arg);
	s->msg = msg;
	s->len = len;
	s->off = 0;
	s->tag = tag;
	s->err_line[0] = '\0';
	s->busy = 1;
	m->busy++;
	curl_easy_setopt(s->h, CURLOPT_MAIL_FROM, s->from_arg);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, s->rcpts);
	curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_multi_add_handle(m->multi, s->h);
}

/* Frees what session s held for its message and makes it idle. */
static void session_reset(struct smtp *m, struct session *s)
{
	curl_multi_remove_handle(m->multi, s->h);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(s->rcpts);
	if (s->msg)
		vault_wipe(s->msg, s->len);
	free(s->msg);
	free(s->from_arg);
	free(s->rcpt_arg);
	s->rcpts = NULL;
	s->msg = NULL;
	s->from_arg = s->rcpt_arg = NULL;
	s->busy = 0;
	m->busy--;
}

/* The outcome of a finished transfer. */
static void outcome(struct session *s, CURLcode rc, struct mail_done *d)
{
	long code = 0;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
	d->tag = s->tag;
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CONNECT_ERROR ||
	    rc == CURLE_PEER_FAILED_VERIFICATION) {
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

/* Reads finished transfers into done (at most max); returns how many. */
static size_t drain(struct smtp *m, struct mail_done *done, size_t max)
{
	size_t n = 0;
	CURLMsg *msg;
	int left = 0;
	while (n < max && (msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct session *s = NULL;
		CURLcode rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		outcome(s, rc, &done[n++]);
		session_reset(m, s);
	}
	return n;
}

static size_t smtp_wait(struct mail_transport *t, int timeout_ms, struct mail_done *done,
			size_t max)
{
	struct smtp *m = (struct smtp *)t;
	int running = 0;
	curl_multi_perform(m->multi, &running);
	size_t n = drain(m, done, max);
	if (n == 0 && m->busy > 0 && timeout_ms > 0) {
		curl_multi_poll(m->multi, NULL, 0, timeout_ms, NULL);
		curl_multi_perform(m->multi, &running);
		n = drain(m, done, max);
	}
	return n;
}

static void smtp_free(struct mail_transport *t)
{
	struct smtp *m = (struct smtp *)t;
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		if (m->s[i].busy)
			session_reset(m, &m->s[i]);
		if (m->s[i].h)
			curl_easy_cleanup(m->s[i].h);
	}
	if (m->multi)
		curl_multi_cleanup(m->multi);
	free(m->s);
	free(m->url);
	free(m);
	curl_global_cleanup();
}

struct mail_transport *mail_transport_smtp_new(const char *url,
					       const struct mail_smtp_options *o)
{
	/* libcurl counts these calls; each transport pairs one with curl_global_cleanup. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("mail: curl_global_init failed");
		return NULL;
	}
	struct smtp *m = xcalloc(1, sizeof *m);
	m->base.room = smtp_room;
	m->base.busy = smtp_busy;
	m->base.start = smtp_start;
	m->base.wait = smtp_wait;
	m->base.free = smtp_free;
	m->url = xstrdup(url);
	m->n = o->sessions > 0 ? (size_t)o->sessions : 8;
	m->s = xcalloc(m->n, sizeof *m->s);
	m->multi = curl_multi_init();
	if (!m->multi)
		goto fail;
	/* Sessions stay open between messages: as many cached connections as sessions. */
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, (long)m->n);
	curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)m->n);
	for (size_t i = 0; i < m->n; i++) {
		struct session *s = &m->s[i];
		CURL *h = s->h = curl_easy_init();
		if (!h)
			goto fail;
		curl_easy_setopt(h, CURLOPT_URL, m->url);
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, s);
		curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)s);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, s);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* needed for debug_cb; it prints nothing */
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
	return &m->base;
fail:
	log_error("mail: libcurl could not be set up");
	smtp_free(&m->base);
	return NULL;
}
