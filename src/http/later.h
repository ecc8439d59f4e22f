/* SPDX-License-Identifier: MIT */
/* later.h — work that runs a little after an answer has been sent (internal to src/http/): one
 * thread, a queue, and a random delay of LATER_MIN_MS to LATER_MAX_MS, so that neither the
 * answer nor the moments right after it show how long the work takes. */
#ifndef MIMAMORI_HTTP_LATER_H
#define MIMAMORI_HTTP_LATER_H

#define LATER_MIN_MS 50
#define LATER_MAX_MS 150
#define LATER_QUEUE_MAX 10000 /* past this a job runs at once in the caller's thread */

struct later;

/* Starts the worker thread; NULL when it cannot start. */
struct later *later_start(void);
/* Queues fn(arg) to run after a random delay; fn owns arg and runs exactly once. */
void later_add(struct later *l, void (*fn)(void *arg), void *arg);
/* Runs every queued job now (their delay no longer matters), stops the thread and frees l.
 * NULL is a no-op. */
void later_stop(struct later *l);

#endif
