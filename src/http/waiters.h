/* SPDX-License-Identifier: MIT */
/* waiters.h — threads for requests whose handler waits on a shared commit (internal to
 * src/http/): the libmicrohttpd worker suspends such a request's connection and hands it here,
 * so that a worker with several kiosk connections is never held by one of them while a group
 * commit syncs, and every waiting request can join the same commit. */
#ifndef MIMAMORI_HTTP_WAITERS_H
#define MIMAMORI_HTTP_WAITERS_H

struct waiters;

/* Starts n threads (n >= 1); NULL when none can start. Stop and free with waiters_stop. */
struct waiters *waiters_start(unsigned n);
/* Queues fn(arg) for a waiting thread: first calls accepted(arg) under the queue's lock (the
 * caller suspends its connection there, before any thread can run fn). Returns 0, or -1 when
 * w is NULL or stopping (nothing was called: the caller runs the work itself). fn owns arg. */
int waiters_submit(struct waiters *w, void (*fn)(void *arg), void (*accepted)(void *arg),
		   void *arg);
/* Runs what is queued, stops the threads and frees w; later submissions are refused. NULL is
 * a no-op. */
void waiters_stop(struct waiters *w);

#endif
