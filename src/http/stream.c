/* SPDX-License-Identifier: MIT */
/* stream.c — long-lived answers (Server-Sent Events) on libmicrohttpd's thread pool: the
 * answer's content reader hands out what other threads queued, and when nothing waits it
 * suspends the connection (MHD_suspend_connection) and returns 0, so an idle subscriber costs
 * a socket and this struct, not a worker thread; http_stream_send resumes it. The daemon runs
 * with MHD_ALLOW_SUSPEND_RESUME; http_server_stop ends every stream first, since the library
 * refuses to stop with connections still suspended. */
#include "http/http.h"
#include "http/stream.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define STREAM_PENDING_MAX (256 * 1024)

struct http_stream {
	pthread_mutex_t mu;
	struct MHD_Connection *mhd; /* set when the answer is queued */
	struct buf pending;	    /* bytes not yet handed to the library */
	size_t sent;		    /* of pending */
	int suspended;		    /* the reader suspended the connection */
	int gone;		    /* the connection has ended (the free callback ran) */
	int ending;		    /* end once pending is sent */
	int refs;
	struct http_stream *prev, *next; /* every open stream, for shutdown */
};

static pthread_mutex_t all_mu = PTHREAD_MUTEX_INITIALIZER;
static struct http_stream *all;
static int stopping;

/* Wakes s's connection when the reader parked it; s->mu held. */
static void wake(struct http_stream *s)
{
	if (s->suspended && !s->gone) {
		s->suspended = 0;
		MHD_resume_connection(s->mhd);
	}
}

void http_stream_open(struct http_resp *rs, struct http_stream **out)
{
	struct http_stream *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	buf_init(&s->pending, STREAM_PENDING_MAX);
	s->refs = 2; /* the caller's and the connection's */
	pthread_mutex_lock(&all_mu);
	s->next = all;
	if (all)
		all->prev = s;
	all = s;
	pthread_mutex_unlock(&all_mu);
	rs->stream = s;
	*out = s;
}

int http_stream_send(struct http_stream *s, const char *data, size_t len)
{
	int ok = 0;
	pthread_mutex_lock(&s->mu);
	if (!s->gone && !s->ending) {
		if (buf_append(&s->pending, data, len) == ERR_OK)
			ok = 1;
		else
			s->ending = 1; /* too slow a reader: let it go, it reconnects */
		wake(s);
	}
	pthread_mutex_unlock(&s->mu);
	return ok;
}

int http_stream_alive(struct http_stream *s)
{
	pthread_mutex_lock(&s->mu);
	int alive = !s->gone && !s->ending;
	pthread_mutex_unlock(&s->mu);
	return alive;
}

void http_stream_end(struct http_stream *s)
{
	pthread_mutex_lock(&s->mu);
	s->ending = 1;
	wake(s);
	pthread_mutex_unlock(&s->mu);
}

void http_stream_release(struct http_stream *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	int last = --s->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (!last)
		return;
	pthread_mutex_lock(&all_mu);
	if (s->prev)
		s->prev->next = s->next;
	else if (all == s)
		all = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&all_mu);
	buf_free(&s->pending);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* The library asks for the next bytes of the answer. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct http_stream *s = cls;
	ssize_t n;
	(void)pos;
	pthread_mutex_lock(&s->mu);
	if (s->sent < s->pending.len) {
		size_t k = s->pending.len - s->sent;
		if (k > max)
			k = max;
		memcpy(out, s->pending.data + s->sent, k);
		s->sent += k;
		if (s->sent == s->pending.len)
			s->pending.len = s->sent = 0;
		n = (ssize_t)k;
	} else if (s->ending || __atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Nothing to send: park the connection until http_stream_send wakes it. */
		s->suspended = 1;
		MHD_suspend_connection(s->mhd);
		n = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The library is done with the answer (the connection ended). */
static void stream_freed(void *cls)
{
	struct http_stream *s = cls;
	pthread_mutex_lock(&s->mu);
	s->gone = 1;
	s->suspended = 0;
	pthread_mutex_unlock(&s->mu);
	http_stream_release(s);
}

struct MHD_Response *http_stream_response(struct http_stream *s, struct MHD_Connection *mc)
{
	s->mhd = mc;
	struct MHD_Response *r =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_freed);
	if (!r)
		return NULL;
	MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
	/* nginx (and proxies that honour it) pass the events on as they come */
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	return r;
}

void http_stream_abandon(struct http_stream *s)
{
	pthread_mutex_lock(&s->mu);
	s->gone = 1;
	pthread_mutex_unlock(&s->mu);
	http_stream_release(s); /* the connection's reference: it never took it */
}

void http_streams_start(void)
{
	__atomic_store_n(&stopping, 0, __ATOMIC_RELEASE);
}

void http_streams_stop(void)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&all_mu);
	for (struct http_stream *s = all; s; s = s->next) {
		pthread_mutex_lock(&s->mu);
		s->ending = 1;
		wake(s);
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_unlock(&all_mu);
}
