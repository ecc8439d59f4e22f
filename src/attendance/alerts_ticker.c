/* SPDX-License-Identifier: MIT */
/* alerts_ticker.c — while the server runs, a thread checks the alerts every interval
 * (MIMAMORI_ALERT_INTERVAL_MS; of several servers on one database, the one holding the lock
 * job:alerts): the platform's periodic job (app/periodic.h) with the alerts' check. */
#include "attendance/plan.h"

#include "app/periodic.h"
#include "base/clock.h"
#include "base/log.h"

/* One turn: the check, on the server holding the job's lock (another takes it over when that
 * one is gone). The check itself re-reads what is due under the write lock, so two checks at
 * once would still raise each alert once. */
static void check(struct app *a)
{
	struct alerts_summary sum;
	enum err e = alerts_check(a, clock_now_ms(), &sum);
	if (e != ERR_OK)
		log_warn("alerts: check failed: %s", err_str(e));
	else if (sum.not_arrived || sum.still_present || sum.cleared)
		log_info("alerts: raised not_arrived=%zu still_present=%zu cleared=%zu mails=%zu",
			 sum.not_arrived, sum.still_present, sum.cleared, sum.mails);
}

static const struct periodic_job job = {
    .name = "alerts",
    .lock = "job:alerts",
    .turn = "check",
    .interval_env = "MIMAMORI_ALERT_INTERVAL_MS",
    .default_ms = 30000,
    .run = check,
};

struct periodic *alerts_ticker_start(struct app *a)
{
	return periodic_start(a, &job);
}
