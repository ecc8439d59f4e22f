/* SPDX-License-Identifier: MIT */
/* waiters.c — a fixed pool of threads running the handlers that wait on a group commit
 * (waiters.h). */
#include "http/waiters.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/xalloc.h"

struct job {
	void (*fn)(void *arg);
	void *arg;
	struct job *next;
};

struct waiters {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, **tail;
	int stopping;
	unsigned n;
	pthread_t *threads;
};

static void *waiter_main(void *arg)
{
	struct waiters *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		struct job *j = w->head;
		if (!j)
			break; /* stopping, and nothing left */
		w->head = j->next;
		if (!w->head)
			w->tail = &w->head;
		pthread_mutex_unlock(&w->mu);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct waiters *waiters_start(unsigned n)
{
	struct waiters *w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->tail = &w->head;
	w->threads = xcalloc(n ? n : 1, sizeof *w->threads);
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&w->threads[i], NULL, waiter_main, w) != 0)
			break;
		pthread_setname_np(w->threads[i], "http-wait"); /* for top -H and perf */
		w->n++;
	}
	if (w->n == 0) {
		log_error("http: cannot start the waiting threads");
		waiters_stop(w);
		return NULL;
	}
	return w;
}

int waiters_submit(struct waiters *w, void (*fn)(void *arg), void (*accepted)(void *arg),
		   void *arg)
{
	if (!w)
		return -1;
	struct job *j = xcalloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		free(j);
		return -1;
	}
	accepted(arg);
	*w->tail = j;
	w->tail = &j->next;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void waiters_stop(struct waiters *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->threads);
	free(w);
}
