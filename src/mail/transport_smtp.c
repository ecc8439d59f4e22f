/* SPDX-License-Identifier: MIT */
/* transport_smtp.c — sends over SMTP with one reused libcurl handle, so the session stays
 * open between messages; one recipient per transaction. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail_internal.h"

#define CONNECT_TIMEOUT_S 10L
#define TRANSFER_TIMEOUT_S 120L

struct smtp {
	struct mail_transport base; /* first, so a transport pointer is an smtp pointer */
	CURL *h;
	char *url;
	char err_line[MAIL_REPLY_MAX]; /* last 4xx/5xx line the server sent */
};

/* The message being uploaded. */
struct cursor {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct cursor *c = ud;
	size_t n = size * nmemb;
	if (n > c->left)
		n = c->left;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
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
	struct smtp *s = ud;
	(void)h;
	if (type == CURLINFO_HEADER_IN && size >= 3 && (data[0] == '4' || data[0] == '5'))
		scrub_reply(s->err_line, sizeof s->err_line, data, size);
	return 0;
}

static enum mail_result smtp_send(struct mail_transport *t, const char *from, const char *rcpt,
				  const char *msg, size_t len, char *reply, size_t reply_n)
{
	struct smtp *s = (struct smtp *)t;
	struct cursor cur = {msg, len};
	char *env_from = mail_address_render(from);
	char *r = mail_address_render(rcpt);
	char *from_arg = xasprintf("<%s>", env_from);
	char *rcpt_arg = xasprintf("<%s>", r);
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt_arg);
	long code = 0;
	enum mail_result res;

	s->err_line[0] = '\0';
	curl_easy_setopt(s->h, CURLOPT_MAIL_FROM, from_arg);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(s->h, CURLOPT_READDATA, &cur);
	curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	CURLcode rc = rcpts ? curl_easy_perform(s->h) : CURLE_OUT_OF_MEMORY;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);

	if (rc == CURLE_OK && code >= 200 && code < 300) {
		snprintf(reply, reply_n, "%ld", code);
		res = MAIL_SENT;
	} else if (code >= 500 && code < 600) {
		snprintf(reply, reply_n, "%s", s->err_line[0] ? s->err_line : "5xx");
		res = MAIL_FAILED;
	} else {
		/* 4xx, or no usable reply at all (refused, timed out, dropped): try later. */
		if (code >= 400 && s->err_line[0])
			snprintf(reply, reply_n, "%s", s->err_line);
		else
			snprintf(reply, reply_n, "curl: %s", curl_easy_strerror(rc));
		log_warn("mail: smtp send deferred: code %ld, %s", code, curl_easy_strerror(rc));
		res = MAIL_DEFERRED;
	}
	/* The handle keeps no pointer into this call's memory past here. */
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(s->h, CURLOPT_READDATA, NULL);
	curl_slist_free_all(rcpts);
	free(env_from);
	free(r);
	free(from_arg);
	free(rcpt_arg);
	return res;
}

static void smtp_free(struct mail_transport *t)
{
	struct smtp *s = (struct smtp *)t;
	if (!s)
		return;
	curl_easy_cleanup(s->h);
	free(s->url);
	free(s);
	curl_global_cleanup();
}

struct mail_transport *mail_transport_smtp_new(const char *url)
{
	/* libcurl counts these calls; each transport pairs one with curl_global_cleanup. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("mail: curl_global_init failed");
		return NULL;
	}
	struct smtp *s = xcalloc(1, sizeof *s);
	s->base.send = smtp_send;
	s->base.free = smtp_free;
	s->url = xstrdup(url);
	s->h = curl_easy_init();
	if (!s->h) {
		log_error("mail: curl_easy_init failed");
		smtp_free(&s->base);
		return NULL;
	}
	curl_easy_setopt(s->h, CURLOPT_URL, s->url);
	curl_easy_setopt(s->h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S);
	curl_easy_setopt(s->h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(s->h, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(s->h, CURLOPT_VERBOSE, 1L); /* needed for debug_cb; it prints nothing */
	return &s->base;
}
