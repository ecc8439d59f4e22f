/* SPDX-License-Identifier: MIT */
/* simulate.c — `mimamori simulate-day`: one club day of the whole ward run through the real
 * code with injected time: every child planned that day scans in around the site's arrival
 * time and out at the planned leave time, a few come late or not at all and a few stay past
 * closing; the alert check runs every simulated minute. It then checks that exactly the
 * expected alerts were raised and prints the wall-clock time (the benchmark of issue 3). */
#include "cli.h"

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define SIM_THREADS 8 /* scans of one minute run concurrently, as kiosks would send them */

/* One scan to make at a simulated minute. */
struct sim_event {
	int minute; /* minutes since midnight, Japan time */
	int64_t kiosk_id, site_id;
	char *code; /* the child's card code (wiped at the end) */
};

struct sim {
	struct app *a;
	struct sim_event *ev;
	size_t n, cap;
	size_t next, end; /* the batch being run */
	pthread_mutex_t mu;
	atomic_size_t scans, repeats, failures, mails;
	size_t expect_not_arrived, expect_still_present, planned, absent;
};

static int cmp_event(const void *x, const void *y)
{
	const struct sim_event *a = x, *b = y;
	return (a->minute > b->minute) - (a->minute < b->minute);
}

static void add_event(struct sim *s, int minute, int64_t kiosk, int64_t site, const char *code)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->ev = xrealloc(s->ev, s->cap * sizeof *s->ev);
	}
	s->ev[s->n++] = (struct sim_event){minute, kiosk, site, xstrdup(code)};
}

/* Reads every active child with a card, today's plan and its site's times, and makes the
 * day's scans: arrival within the grace, 2 % late (an alert, then a scan clears it), 1 % never
 * (an alert that stays), 1 % still present at closing (an alert, then the exit clears it). */
static enum err plan_events(struct sim *s, const char *day, int wd)
{
	struct store_conn *c = store_acquire(s->a->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.code_enc, ch.site_id, (SELECT MIN(id) FROM kiosks WHERE site_id = "
	       "ch.site_id AND revoked_ms IS NULL), "
	       "COALESCE(pd.status, CASE WHEN pw.child_id IS NULL THEN 'off' ELSE 'attend' END), "
	       "COALESCE(pd.leave, pw.leave), COALESCE(si.arrival, si.opens), si.grace_min, "
	       "si.closes FROM children ch JOIN cards k ON k.child_id = ch.id AND "
	       "k.revoked_ms IS NULL JOIN sites si ON si.id = ch.site_id "
	       "LEFT JOIN plan_days pd ON pd.child_id = ch.id AND pd.day = ?1 "
	       "LEFT JOIN plan_weekly pw ON pw.child_id = ch.id AND pw.weekday = ?2 "
	       "WHERE ch.active = 1 ORDER BY ch.id");
	if (!st)
		goto out;
	store_bind_text(st, 1, day);
	store_bind_int(st, 2, wd);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *status = store_col_text(st, 3);
		if (strcmp(status, "absent") == 0)
			s->absent++;
		if (strcmp(status, "attend") != 0 || store_col_is_null(st, 2))
			continue;
		s->planned++;
		size_t len;
		char *code = NULL;
		const void *b = store_col_blob(st, 0, &len);
		e = vault_unseal(attendance_vault(s->a), "cards.code", b, len, &code);
		if (e != ERR_OK)
			goto out;
		int64_t site = store_col_int(st, 1), kiosk = store_col_int(st, 2);
		int arrival = clock_hhmm_minutes(store_col_text(st, 5));
		int grace = (int)store_col_int(st, 6);
		int closes = clock_hhmm_minutes(store_col_text(st, 7));
		const char *leave_s = store_col_text(st, 4);
		int leave = leave_s ? clock_hhmm_minutes(leave_s) : closes - 30;
		if (leave < 0 || leave >= closes)
			leave = closes - 30;
		uint32_t r = vault_random_uniform(100);
		if (r == 0) {
			s->expect_not_arrived++; /* never comes: the alert stays */
		} else if (r <= 2) {
			s->expect_not_arrived++; /* late: alerted, then the scan clears it */
			add_event(s, arrival + grace + 5 + (int)vault_random_uniform(40), kiosk, site,
				  code);
			add_event(s, leave, kiosk, site, code);
		} else {
			int in = arrival - 30 + (int)vault_random_uniform((uint32_t)(30 + grace));
			add_event(s, in, kiosk, site, code);
			if (r == 3) {
				s->expect_still_present++; /* still there at closing */
				add_event(s, closes + 10, kiosk, site, code);
			} else {
				add_event(s, leave > in + 2 ? leave : in + 2, kiosk, site, code);
			}
		}
		vault_wipe_free(code);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	store_release(c);
	return e;
}

static void *worker(void *arg)
{
	struct sim *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		size_t i = s->next < s->end ? s->next++ : (size_t)-1;
		pthread_mutex_unlock(&s->mu);
		if (i == (size_t)-1)
			return NULL;
		struct sim_event *ev = &s->ev[i];
		struct scan_result res;
		const char *why = NULL;
		if (scan_record(s->a, ev->kiosk_id, ev->site_id, ev->code, 0, &res, &why) != ERR_OK) {
			atomic_fetch_add(&s->failures, 1);
			continue;
		}
		atomic_fetch_add(res.recorded ? &s->scans : &s->repeats, 1);
		atomic_fetch_add(&s->mails, res.mails);
		vault_wipe_free(res.child_name);
	}
}

/* Runs events [from, to) (one simulated minute) on SIM_THREADS threads. */
static void run_batch(struct sim *s, size_t from, size_t to)
{
	pthread_t t[SIM_THREADS];
	int started = 0;
	s->next = from;
	s->end = to;
	size_t want = to - from < SIM_THREADS ? to - from : SIM_THREADS;
	for (size_t i = 0; i < want; i++)
		if (pthread_create(&t[started], NULL, worker, s) == 0)
			started++;
	if (!started)
		worker(s);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int cmd_simulate_day(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"date", required_argument, 0, 't'},
					     {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori simulate-day --data DIR [--date YYYY-MM-DD] "
			    "（DIR のデータを変えます。デモの区で使ってください）";
	const char *dir = NULL, *date = NULL;
	char today[16];
	int ch, wd = 0, status = 1;
	int64_t midnight = 0;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 't')
			date = optarg;
		else
			return cli_fail("%s", usage);
	}
	if (!dir)
		return cli_fail("%s", usage);
	if (!date) {
		clock_jst_date(clock_now_ms(), today, sizeof today);
		date = today;
	}
	if (clock_day_parse(date, &midnight, &wd) != 0)
		return cli_fail("simulate-day: 日付（--date）は YYYY-MM-DD の形で指定してください");
	if (wd == 0)
		return cli_fail("simulate-day: %s は日曜日です（クラブはお休み）。--date でほかの日を"
				"指定してください",
				date);
	struct app *a = cli_open(dir, SIM_THREADS + 2);
	if (!a)
		return 1;
	struct sim s = {.a = a};
	struct alerts_summary total = {0};
	pthread_mutex_init(&s.mu, NULL);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_set_now_ms(midnight + 12LL * 3600 * 1000);
	enum err e = plan_events(&s, date, wd);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: simulate-day: 予定を読み込めません: %s\n", err_message_ja(e));
		goto out;
	}
	qsort(s.ev, s.n, sizeof *s.ev, cmp_event);
	double setup = seconds_since(&t0);
	/* Minute by minute from 12:00 to 21:00: that minute's scans, then the alert check. */
	size_t i = 0;
	double scan_s = 0, alert_s = 0;
	for (int minute = 12 * 60; minute <= 21 * 60 && e == ERR_OK; minute++) {
		clock_set_now_ms(midnight + (int64_t)minute * 60000);
		size_t from = i;
		while (i < s.n && s.ev[i].minute <= minute)
			i++;
		struct timespec tb;
		clock_gettime(CLOCK_MONOTONIC, &tb);
		if (i > from)
			run_batch(&s, from, i);
		scan_s += seconds_since(&tb);
		clock_gettime(CLOCK_MONOTONIC, &tb);
		struct alerts_summary sum;
		e = alerts_check(a, clock_now_ms(), &sum);
		alert_s += seconds_since(&tb);
		total.not_arrived += sum.not_arrived;
		total.still_present += sum.still_present;
		total.mails += sum.mails;
	}
	double wall = seconds_since(&t0);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: simulate-day: 未到着の確認で失敗しました: %s\n",
			err_message_ja(e));
		goto out;
	}
	int ok = s.failures == 0 && total.not_arrived == s.expect_not_arrived &&
		 total.still_present == s.expect_still_present;
	printf("SIMULATE_RESULT date=%s planned=%zu absent=%zu scans=%zu repeats=%zu failures=%zu "
	       "scan_mails=%zu not_arrived=%zu/%zu still_present=%zu/%zu alert_mails=%zu "
	       "setup_s=%.2f scan_s=%.2f alert_s=%.2f wall_s=%.2f %s\n",
	       date, s.planned, s.absent, (size_t)s.scans, (size_t)s.repeats, (size_t)s.failures,
	       (size_t)s.mails, total.not_arrived, s.expect_not_arrived, total.still_present,
	       s.expect_still_present, total.mails, setup, scan_s, alert_s, wall,
	       ok ? "ok" : "MISMATCH");
	status = ok ? 0 : 1;
out:
	for (size_t k = 0; k < s.n; k++)
		vault_wipe_free(s.ev[k].code);
	free(s.ev);
	pthread_mutex_destroy(&s.mu);
	app_close(a);
	return status;
}
