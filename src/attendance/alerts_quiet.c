/* SPDX-License-Identifier: MIT */
/* alerts_quiet.c — which sites the alert check may pass over: a site whose last check found
 * nothing to change, with no write to what its alerts depend on since (sites.board_version,
 * bumped by triggers on scans, alerts, children, plans and the site's own row, whichever server
 * or command wrote; sql/0034_board_versions.sql) and no threshold of its day passed since
 * (its arrival + grace, its closing, midnight), would find nothing again. Without this the
 * check read every child of every site every turn (59 sites × 4,100 children each minute of a
 * club day), a cost that grew with the depth of a year's indexes; now a turn costs what changed. */
#include "attendance/plan.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define QUIET_SLOTS 1024

/* The state at which a site's last check found nothing to change. */
struct quiet {
	const struct store *store; /* the database it was read from (NULL: empty slot) */
	int64_t site_id, version;
	char day[16];
	int64_t due_ms, closes_ms; /* the day's thresholds, from the site's row of that version */
	int phase;
};

static struct quiet slots[QUIET_SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t checked, passed; /* site checks run and passed over, for /metrics (under mu) */

/* Which thresholds now_ms has passed: 1 arrival + grace, 2 closing. */
static int phase_of(int64_t due_ms, int64_t closes_ms, int64_t now_ms)
{
	return (now_ms >= due_ms ? 1 : 0) | (now_ms >= closes_ms ? 2 : 0);
}

int alerts_quiet(const struct store *store, int64_t site_id, int64_t version, const char *day,
		 int64_t now_ms)
{
	struct quiet *q = &slots[(uint64_t)site_id % QUIET_SLOTS];
	pthread_mutex_lock(&mu);
	int yes = q->store == store && q->site_id == site_id && q->version == version &&
		  strcmp(q->day, day) == 0 &&
		  q->phase == phase_of(q->due_ms, q->closes_ms, now_ms);
	if (yes)
		passed++;
	else
		checked++;
	pthread_mutex_unlock(&mu);
	return yes;
}

void alerts_quiet_note(const struct store *store, int64_t site_id, int64_t version,
		       const char *day, int64_t due_ms, int64_t closes_ms, int64_t now_ms)
{
	struct quiet *q = &slots[(uint64_t)site_id % QUIET_SLOTS];
	pthread_mutex_lock(&mu);
	q->store = store;
	q->site_id = site_id;
	q->version = version;
	snprintf(q->day, sizeof q->day, "%s", day);
	q->due_ms = due_ms;
	q->closes_ms = closes_ms;
	q->phase = phase_of(due_ms, closes_ms, now_ms);
	pthread_mutex_unlock(&mu);
}

void alerts_quiet_counts(uint64_t *checked_out, uint64_t *passed_out)
{
	pthread_mutex_lock(&mu);
	*checked_out = checked;
	*passed_out = passed;
	pthread_mutex_unlock(&mu);
}

void alerts_quiet_forget(const struct store *store)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < QUIET_SLOTS; i++)
		if (slots[i].store == store)
			memset(&slots[i], 0, sizeof slots[i]);
	pthread_mutex_unlock(&mu);
}
