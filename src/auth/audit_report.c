/* SPDX-License-Identifier: MIT */
/* audit_report.c — one month of the audit log per staff user: reads, exports, denials, use
 * outside working hours, and a volume unusual against the user's own previous months. */
#include "auth/audit_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)
#define JST_MS (9LL * 3600 * 1000)
#define HISTORY_MAX 24

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

char audit_action_class(const char *action)
{
	static const char *const exports[] = {".sheet", ".letter", ".statements", ".mailing",
					      ".download", ".csv", ".pdf", ".xlsx"};
	static const char *const reads[] = {".view", ".list", ".search", ".roster", ".inquiries",
					    ".inactive", ".registrants"};
	/* Named whole where the word does not tell: opening a case or a child shows the whole
	 * record (the pages show the answer to …/open), plaza.user one person; making the
	 * month's statements writes them. */
	static const char *const read_names[] = {"casework.open", "casework.break_glass",
						 "plaza.user", "homehelp.follow_ups",
						 "homehelp.supporters"};
	static const char *const change_names[] = {"centre.statements"};
	for (size_t i = 0; i < sizeof read_names / sizeof *read_names; i++)
		if (strcmp(action, read_names[i]) == 0)
			return 'r';
	for (size_t i = 0; i < sizeof change_names / sizeof *change_names; i++)
		if (strcmp(action, change_names[i]) == 0)
			return 'c';
	if (strcmp(action, "denied") == 0 ||
	    (strncmp(action, "signin.", 7) == 0 && strcmp(action, "signin.ok") != 0))
		return 'd';
	if (strstr(action, "export") || strncmp(action, "ledger.", 7) == 0)
		return 'e';
	for (size_t i = 0; i < sizeof exports / sizeof *exports; i++)
		if (ends_with(action, exports[i]))
			return 'e';
	if (strstr(action, "read"))
		return 'r';
	for (size_t i = 0; i < sizeof reads / sizeof *reads; i++)
		if (ends_with(action, reads[i]))
			return 'r';
	return 'c';
}

/* Sets *start and *end to the Japan-time bounds of month y-m shifted by back months earlier. */
static int month_bounds(int y, int m, int back, int64_t *start, int64_t *end)
{
	char day[32];
	int idx = y * 12 + (m - 1) - back;
	snprintf(day, sizeof day, "%04d-%02d-01", (idx / 12) % 10000, idx % 12 + 1);
	if (clock_day_parse(day, start, NULL) != 0)
		return -1;
	idx++;
	snprintf(day, sizeof day, "%04d-%02d-01", (idx / 12) % 10000, idx % 12 + 1);
	return clock_day_parse(day, end, NULL);
}

/* Returns 1 when at_ms (Japan time) is outside conf's working hours. */
static int off_hours(int64_t at_ms, const struct audit_report_conf *conf)
{
	int64_t days = (at_ms + JST_MS) / DAY_MS;
	int weekday = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday */
	int min = clock_jst_minutes(at_ms);
	if (conf->weekends_off && (weekday == 0 || weekday == 6))
		return 1;
	return min < conf->day_start_min || min >= conf->day_end_min;
}

/* The row of user id in *rows (added when missing). */
static struct audit_report_row *row_of(struct audit_report_row **rows, size_t *n, size_t *cap,
				       int64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*rows)[i].user_id == id)
			return &(*rows)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*rows = xrealloc(*rows, *cap * sizeof **rows);
	}
	struct audit_report_row *r = &(*rows)[(*n)++];
	memset(r, 0, sizeof *r);
	r->user_id = id;
	return r;
}

/* Returns the user id of actor "user:N", or 0. */
static int64_t actor_user(const char *actor)
{
	if (strncmp(actor, "user:", 5) != 0)
		return 0;
	char *end = NULL;
	long long id = strtoll(actor + 5, &end, 10);
	return end && !*end && id > 0 ? id : 0;
}

/* Counts month [start, end) on c into rows (history < 0) or, for a previous month, each known
 * user's reads + exports into hist[user index][history]. */
static enum err scan(struct store_conn *c, int64_t start, int64_t end,
		     const struct audit_report_conf *conf, struct audit_report_row **rows,
		     size_t *n, size_t *cap, int history, int64_t (*hist)[HISTORY_MAX])
{
	/* Sign-ins are written under "login:NAME" (before anyone is signed in): a failed one is
	 * that account's denial. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT a.actor, a.action, a.at_ms, u.id FROM audit a LEFT JOIN users u ON "
	       "a.actor LIKE 'login:%' AND u.login = substr(a.actor, 7) WHERE a.at_ms >= ? AND "
	       "a.at_ms < ? AND (a.actor LIKE 'user:%' OR a.actor LIKE 'login:%') ORDER BY a.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, start);
	store_bind_int(st, 2, end);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = actor_user(store_col_text(st, 0));
		char k = audit_action_class(store_col_text(st, 1));
		if (!id && k == 'd' && !store_col_is_null(st, 3))
			id = store_col_int(st, 3); /* only its refusals count: not signin.ok */
		if (!id)
			continue;
		if (history >= 0) {
			for (size_t i = 0; i < *n; i++)
				if ((*rows)[i].user_id == id && (k == 'r' || k == 'e'))
					hist[i][history]++;
			continue;
		}
		struct audit_report_row *r = row_of(rows, n, cap, id);
		if (k == 'r')
			r->reads++;
		else if (k == 'e')
			r->exports++;
		else if (k == 'd')
			r->denials++;
		else
			r->changes++;
		if ((k == 'r' || k == 'e') && off_hours(store_col_int(st, 2), conf))
			r->off_hours++;
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_login(const void *a, const void *b)
{
	const struct audit_report_row *x = a, *y = b;
	return strcmp(x->login, y->login);
}

/* Fills each row's login on c. */
static enum err logins(struct store_conn *c, struct audit_report_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct store_stmt *st = store_prepare(c, "SELECT login FROM users WHERE id = ?");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, rows[i].user_id);
		int rc = store_step(st);
		snprintf(rows[i].login, sizeof rows[i].login, "%s",
			 rc == STORE_ROW ? store_col_text(st, 0) : "");
		store_finish(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return ERR_DB;
	}
	return ERR_OK;
}

enum err audit_report(struct store *s, const char *month, const struct audit_report_conf *conf,
		      struct audit_report_row **rows, size_t *n)
{
	int y = 0, m = 0, used = 0;
	char tail = 0;
	size_t cap = 0;
	int64_t start, end, (*hist)[HISTORY_MAX] = NULL;
	int months = conf->history_months < 0	      ? 0
		     : conf->history_months > HISTORY_MAX ? HISTORY_MAX
							  : conf->history_months;
	enum err e = ERR_INVALID;
	struct store_conn *c = NULL;
	*rows = NULL;
	*n = 0;
	if (strlen(month) != 7 || sscanf(month, "%4d-%2d%n%c", &y, &m, &used, &tail) != 2 ||
	    used != 7 || y < 2000 || y > 2200 || m < 1 || m > 12 ||
	    month_bounds(y, m, 0, &start, &end) != 0)
		return ERR_INVALID;
	c = store_acquire(s);
	e = store_begin_read(c);
	if (e == ERR_OK)
		e = scan(c, start, end, conf, rows, n, &cap, -1, NULL);
	if (e == ERR_OK && *n > 0)
		hist = xcalloc(*n, sizeof *hist);
	for (int b = 1; e == ERR_OK && *n > 0 && b <= months; b++) {
		int64_t ps, pe;
		if (month_bounds(y, m, b, &ps, &pe) == 0)
			e = scan(c, ps, pe, conf, rows, n, &cap, b - 1, hist);
	}
	if (e == ERR_OK)
		e = logins(c, *rows, *n);
	for (size_t i = 0; e == ERR_OK && i < *n; i++) {
		struct audit_report_row *r = &(*rows)[i];
		int64_t vol = r->reads + r->exports;
		if (months > 0) {
			qsort(hist[i], (size_t)months, sizeof hist[i][0], cmp_i64);
			r->median = months % 2 ? hist[i][months / 2]
					       : (hist[i][months / 2 - 1] + hist[i][months / 2]) / 2;
		}
		r->flag_off_hours = r->off_hours > 0;
		r->flag_volume = vol >= conf->volume_min && vol > conf->volume_factor * r->median;
	}
	store_rollback(c);
	store_release(c);
	free(hist);
	if (e != ERR_OK) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return e;
	}
	if (*n > 1)
		qsort(*rows, *n, sizeof **rows, cmp_login);
	return ERR_OK;
}
