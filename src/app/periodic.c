/* SPDX-License-Identifier: MIT */
/* periodic.c — the thread of a service's background job: a turn, then a wait of the interval
 * on the monotonic clock that a stop cuts short. */
#include "app/periodic.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"

struct periodic {
	struct app *app;
	const struct periodic_job *job;
	int64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

/* One turn: the job runs on the server holding its lock only (on each, without one). */
static void turn(struct periodic *p)
{
	int mine = p->job->lock ? store_lock_take(p->app->store, p->job->lock) : 1;
	if (mine < 0)
		log_warn("%s: cannot ask the database whose turn it is to %s", p->job->name,
			 p->job->turn);
	if (mine == 1)
		p->job->run(p->app);
}

static void *run(void *arg)
{
	struct periodic *p = arg;
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		pthread_mutex_unlock(&p->mu);
		turn(p);
		pthread_mutex_lock(&p->mu);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += p->interval_ms / 1000;
		ts.tv_nsec += (p->interval_ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct periodic *periodic_start(struct app *a, const struct periodic_job *job)
{
	struct periodic *p = xcalloc(1, sizeof *p);
	pthread_condattr_t ca;
	const char *iv = job->interval_env ? getenv(job->interval_env) : NULL;
	int64_t interval_ms = job->interval_ms ? job->interval_ms(a) : iv ? strtoll(iv, NULL, 10) : 0;
	p->app = a;
	p->job = job;
	p->interval_ms = interval_ms > 0 ? interval_ms : job->default_ms;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	char name[16]; /* for top -H and perf: "job-course" */
	snprintf(name, sizeof name, "job-%s", job->name);
	pthread_setname_np(p->thread, name);
	return p;
}

void periodic_stop(struct periodic *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
