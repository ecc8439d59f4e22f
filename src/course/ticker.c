/* SPDX-License-Identifier: MIT */
/* ticker.c — while the server runs, a thread sends the reminders of the day before every
 * interval (MIMAMORI_COURSE_INTERVAL_MS; of several servers on one database, the one holding the
 * lock job:course). */
#include "course/course.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"

struct course_ticker {
	struct app *app;
	int64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

/* One check: the reminders due now, by the server holding the job's lock. */
static void tick(struct app *a)
{
	struct course_ctx x;
	size_t sent = 0;
	int mine = store_lock_take(a->store, "job:course");
	if (mine < 0)
		log_warn("course: cannot ask the database whose turn it is to remind");
	if (mine != 1)
		return;
	struct store_conn *c = store_acquire(a->store);
	course_ctx_init(&x, c, course_vault(a), a->cfg.base_url, clock_now_ms());
	enum err e = course_remind(&x, &sent);
	store_release(c);
	if (e != ERR_OK)
		log_warn("course: reminders failed: %s", err_str(e));
	else if (sent) {
		log_info("course: reminders queued=%zu", sent);
		if (a->mail)
			mail_sender_wake(a->mail);
	}
}

static void *run(void *arg)
{
	struct course_ticker *t = arg;
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		pthread_mutex_unlock(&t->mu);
		tick(t->app);
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

struct course_ticker *course_ticker_start(struct app *a, int64_t interval_ms)
{
	struct course_ticker *t = xcalloc(1, sizeof *t);
	pthread_condattr_t ca;
	t->app = a;
	t->interval_ms = interval_ms > 0 ? interval_ms : 600000;
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

void course_ticker_stop(struct course_ticker *t)
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
