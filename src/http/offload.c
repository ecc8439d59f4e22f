/* SPDX-License-Identifier: MIT */
/* offload.c — the threads that run the handlers of HTTP_ROUTE_OFFLOAD routes (a kiosk's scan
 * waits for the shared durable commit): a FIFO of jobs and n threads taking them. */
#include "http/offload.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/xalloc.h"

struct job {
	void (*fn)(void *arg);
	void *arg;
	struct job *next;
};

struct offload {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	int stop;
	size_t n;
	pthread_t *threads;
};

static void *run(void *arg)
{
	struct offload *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		struct job *j = p->head;
		if (!j)
			break; /* stopping, and nothing left */
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct offload *offload_start(size_t n)
{
	struct offload *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->threads = xcalloc(n, sizeof *p->threads);
	for (size_t i = 0; i < n; i++) {
		if (pthread_create(&p->threads[p->n], NULL, run, p) == 0)
			p->n++;
	}
	if (!p->n) {
		offload_stop(p);
		return NULL;
	}
	return p;
}

void offload_add(struct offload *p, void (*fn)(void *arg), void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void offload_stop(struct offload *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
