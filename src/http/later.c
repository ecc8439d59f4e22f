/* SPDX-License-Identifier: MIT */
/* later.c — the delayed-work thread: jobs in arrival order, each due at its own time (arrival
 * plus a random delay, so not strictly in order); the thread sleeps until the earliest. */
#include "http/later.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "vault/vault.h"

struct job {
	struct job *next;
	int64_t due_ms; /* clock_mono_ms */
	void (*fn)(void *arg);
	void *arg;
};

struct later {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	struct job *head, *tail;
	size_t queued;
	int stopping;
};

/* Takes the job due first if it is due by now (under lock), else NULL and *next_ms. */
static struct job *take_due(struct later *l, int64_t now, int64_t *next_ms)
{
	struct job **best = NULL;
	for (struct job **p = &l->head; *p; p = &(*p)->next)
		if (!best || (*p)->due_ms < (*best)->due_ms)
			best = p;
	if (!best)
		return NULL;
	if ((*best)->due_ms > now && !l->stopping) {
		*next_ms = (*best)->due_ms;
		return NULL;
	}
	struct job *j = *best;
	*best = j->next;
	if (l->tail == j) {
		l->tail = NULL;
		for (struct job *q = l->head; q; q = q->next)
			l->tail = q;
	}
	l->queued--;
	return j;
}

static void *later_main(void *arg)
{
	struct later *l = arg;
	pthread_mutex_lock(&l->lock);
	for (;;) {
		int64_t next = 0;
		struct job *j = take_due(l, clock_mono_ms(), &next);
		if (j) {
			pthread_mutex_unlock(&l->lock);
			j->fn(j->arg);
			free(j);
			pthread_mutex_lock(&l->lock);
			continue;
		}
		if (l->stopping && !l->head)
			break;
		if (!l->head) {
			pthread_cond_wait(&l->wake, &l->lock);
			continue;
		}
		struct timespec ts = {(time_t)(next / 1000), (long)(next % 1000) * 1000000L};
		pthread_cond_timedwait(&l->wake, &l->lock, &ts);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct later *later_start(void)
{
	struct later *l = xcalloc(1, sizeof *l);
	pthread_condattr_t ca;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* clock_mono_ms's clock */
	pthread_cond_init(&l->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&l->thread, NULL, later_main, l) != 0) {
		pthread_cond_destroy(&l->wake);
		pthread_mutex_destroy(&l->lock);
		free(l);
		return NULL;
	}
	pthread_setname_np(l->thread, "http-later"); /* for top -H and perf */
	return l;
}

void later_add(struct later *l, void (*fn)(void *arg), void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	j->due_ms = clock_mono_ms() + LATER_MIN_MS +
		    (int64_t)vault_random_uniform(LATER_MAX_MS - LATER_MIN_MS + 1);
	pthread_mutex_lock(&l->lock);
	if (l->queued >= LATER_QUEUE_MAX || l->stopping) {
		pthread_mutex_unlock(&l->lock);
		free(j);
		fn(arg); /* a flood: better late in this thread than lost */
		return;
	}
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->queued++;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
}

void later_stop(struct later *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stopping = 1;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
