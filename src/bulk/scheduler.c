/* SPDX-License-Identifier: MIT */
/* scheduler.c — the thread of `mimamori serve` that sends scheduled bulk sends when their time
 * has come (bulk_run_due), every few seconds — of several servers on one database, the one that
 * holds the lock job:bulk-scheduler; the clock is the injectable one, so tests move a running
 * server to a send's time. */
#include "bulk/bulk.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"

struct bulk_scheduler {
	struct app *a;
	const struct bulk_kind *const *kinds;
	int64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

static void *run(void *arg)
{
	struct bulk_scheduler *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		pthread_mutex_unlock(&s->mu);
		size_t sent = 0;
		/* One server of several on one database runs the due sends (the holder of the lock
		 * job:bulk-scheduler; another takes it over when that one is gone). bulk_run_due
		 * moves each send out of 'scheduled' under the write lock, so it is queued once
		 * even if two ran. */
		int mine = store_lock_take(s->a->store, "job:bulk-scheduler");
		if (mine < 0)
			log_warn("bulk: cannot ask the database whose turn it is to send");
		enum err e = mine == 1 ? bulk_run_due(s->a, s->kinds, clock_now_ms(), &sent) : ERR_OK;
		if (e != ERR_OK)
			log_error("bulk: scheduled sends could not be checked now; trying again");
		else if (sent)
			log_info("bulk: %zu scheduled sends queued", sent);
		pthread_mutex_lock(&s->mu);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += s->interval_ms / 1000;
		ts.tv_nsec += (long)(s->interval_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!s->stop)
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct bulk_scheduler *bulk_scheduler_start(struct app *a, const struct bulk_kind *const *kinds,
					    int64_t interval_ms)
{
	struct bulk_scheduler *s = xcalloc(1, sizeof *s);
	pthread_condattr_t ca;
	s->a = a;
	s->kinds = kinds;
	s->interval_ms = interval_ms > 0 ? interval_ms : 15000;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	pthread_setname_np(s->thread, "bulk-schedule"); /* for top -H and perf */
	return s;
}

void bulk_scheduler_stop(struct bulk_scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
