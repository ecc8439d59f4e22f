/* SPDX-License-Identifier: MIT */
/* backup_job.c — the nightly backup while the server runs: once a day at [backup] time (JST),
 * into [backup] dir with rotation (keep), on the one server holding the job's lock; a turn that
 * finds today's backup done (or failed: it is not tried again until the next day) does nothing. */
#include <stdlib.h>

#include "app.h"
#include "app/lifecycle.h"
#include "app/periodic.h"
#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"

#define DAY_MS (24LL * 60 * 60 * 1000)

/* Returns the last moment the nightly backup was due at or before now. */
static int64_t last_due(int64_t now, int time_min)
{
	int m = clock_jst_minutes(now);
	int64_t since = (int64_t)((m - time_min + 1440) % 1440) * 60000 + now % 60000;
	return now - since;
}

/* Returns 1 when a nightly run started at or after due. */
static int ran_since(struct app *a, int64_t due)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM backup_runs WHERE how = 'nightly' AND started_ms >= ?");
	int ran = 1; /* when it cannot be asked, do not pile backups up */
	if (st) {
		store_bind_int(st, 1, due);
		if (store_step(st) == STORE_ROW)
			ran = store_col_int(st, 0) > 0;
		store_finish(st);
	}
	store_release(c);
	return ran;
}

static void nightly(struct app *a)
{
	struct backup_settings set;
	backup_settings_read(a->data_dir, &set);
	int time_min = set.time_min;
	backup_settings_free(&set);
	if (time_min < 0)
		return;
	int64_t now = clock_now_ms();
	if (ran_since(a, last_due(now, time_min)))
		return;
	char *made = NULL;
	int64_t bytes = 0;
	int key_made = 0;
	const char *why = NULL;
	if (backup_make(a, NULL, BACKUP_NIGHTLY, "job", &made, &bytes, &key_made, &why) == ERR_OK)
		log_info("backup: the nightly backup is %s (%lld bytes)%s", made, (long long)bytes,
			 key_made ? "; a new backup key was made: keep a copy away from the server"
				  : "");
	free(made);
}

static const struct periodic_job job = {
    .name = "backup",
    .lock = "job:backup",
    .turn = "nightly",
    .interval_env = "MIMAMORI_BACKUP_INTERVAL_MS",
    .default_ms = 60000,
    .run = nightly,
};

struct periodic *backup_job_start(struct app *a, int *failed)
{
	struct backup_settings set;
	backup_settings_read(a->data_dir, &set);
	int on = set.time_min >= 0;
	backup_settings_free(&set);
	*failed = 0;
	if (!on)
		return NULL;
	struct periodic *p = periodic_start(a, &job);
	*failed = p == NULL;
	return p;
}
