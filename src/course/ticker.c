/* SPDX-License-Identifier: MIT */
/* ticker.c — while the server runs, a thread sends the reminders of the day before every
 * interval (MIMAMORI_COURSE_INTERVAL_MS; of several servers on one database, the one holding the
 * lock job:course): the platform's periodic job (app/periodic.h) with the course's turn. */
#include "course/course.h"

#include "app.h"
#include "app/periodic.h"
#include "base/clock.h"
#include "base/log.h"
#include "mail/mail.h"
#include "store/store.h"

/* One turn: the reminders due now (on the server holding the job's lock). */
static void tick(struct app *a)
{
	struct course_ctx x;
	size_t sent = 0;
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

static const struct periodic_job job = {
    .name = "course",
    .lock = "job:course",
    .turn = "remind",
    .interval_env = "MIMAMORI_COURSE_INTERVAL_MS",
    .default_ms = 600000,
    .run = tick,
};

struct periodic *course_ticker_start(struct app *a)
{
	return periodic_start(a, &job);
}
