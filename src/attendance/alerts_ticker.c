/* SPDX-License-Identifier: MIT */
/* alerts_ticker.c — while the server runs, a thread checks the alerts every interval (of
 * several servers on one database, the one holding the lock job:alerts). */
#include "attendance/plan.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "app.h"
#include "store/store.h"

struct alerts_ticker {
	struct app *app;
	int64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

static void *run(void *arg)
{
	struct alerts_ticker *t = arg;
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		pthread_mutex_unlock(&t->mu);
		struct alerts_summary sum;
		/* One server of several on one database checks (the one that holds the job's lock;
		 * another takes it over when that one is gone). The check itself re-reads what is due
		 * under the write lock, so two checks at once would still raise each alert once. */
		int mine = store_lock_take(t->app->store, "job:alerts");
		enum err e = mine == 1 ? alerts_check(t->app, clock_now_ms(), &sum) : ERR_OK;
		if (mine != 1)
			memset(&sum, 0, sizeof sum);
		if (mine < 0)
			log_warn("alerts: cannot ask the database whose turn it is to check");
		if (e != ERR_OK)
			log_warn("alerts: check failed: %s", err_str(e));
		else if (sum.not_arrived || sum.still_present || sum.cleared)
			log_info("alerts: raised not_arrived=%zu still_present=%zu cleared=%zu "
				 "mails=%zu",
				 sum.not_arrived, sum.still_present, sum.cleared, sum.mails);
		pthread_mutex_lock(&t->mu);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += t->interval_ms / 1000;
		ts.tv_nsec += (t->interval_ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

struct alerts_ticker *alerts_ticker_start(struct app *a, int64_t interval_ms)
{
	struct alerts_ticker *t = xcalloc(1, sizeof *t);
	pthread_condattr_t ca;
	t->app = a;
	t->interval_ms = interval_ms > 0 ? interval_ms : 30000;
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return NULL;
	}
	return t;
}

void alerts_ticker_stop(struct alerts_ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}
