/* SPDX-License-Identifier: MIT */
/* api_overview.c — GET /api/v1/overview: every site today at a glance for the ward
 * administrator (present, not arrived, alerts …). One query reads each active child's day (last
 * scan, today's plan, alerts); each child's status is the board's and the daily report's one
 * rule (day_status_decide), counted per site; the sites that need attention first. Counts
 * only: no names, no audit. */
#include "attendance/admin_api.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/plan.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"

enum { C_ENROLLED, C_PRESENT, C_LEFT, C_ABSENT, C_OFF, C_NOT_ARRIVED, C_EXPECTED, C_ALERTS,
       C_STILL_PRESENT, C_COUNT };
static const char *const count_names[C_COUNT] = {
	"enrolled", "present", "left", "absent", "off", "not_arrived", "expected", "alerts",
	"still_present"};

/* Where a child's status today is counted (today has no DAY_NO_EXIT: counted as here, as the
 * board does). */
static const int status_count[DAY_STATUS_COUNT] = {
    [DAY_EXPECTED] = C_EXPECTED, [DAY_NOT_ARRIVED] = C_NOT_ARRIVED, [DAY_PRESENT] = C_PRESENT,
    [DAY_LEFT] = C_LEFT,         [DAY_ABSENT] = C_ABSENT,           [DAY_OFF] = C_OFF,
    [DAY_NO_EXIT] = C_PRESENT,
};

struct site_counts {
	int64_t id;
	char code[16], name[256], type[16], opens[6], closes[6], arrival[6];
	int64_t n[C_COUNT];
};

/* Those needing attention first: children with an alert, then not arrived, then still
 * expected; then by code. */
static int by_attention(const void *pa, const void *pb)
{
	const struct site_counts *a = pa, *b = pb;
	static const int keys[] = {C_ALERTS, C_NOT_ARRIVED, C_STILL_PRESENT, C_EXPECTED};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (a->n[keys[i]] != b->n[keys[i]])
			return a->n[keys[i]] > b->n[keys[i]] ? -1 : 1;
	return strcmp(a->code, b->code);
}

/* Every site (one row with a NULL child when it has none) and each of its active children
 * with what day_status_decide needs, as the board reads it (api_board.c): today's last scan,
 * the day's exception else the weekday's pattern, and the newest active alert; plus whether
 * the child has any active alert and one for still being there after closing. */
#define OVERVIEW_SQL                                                                             \
	"SELECT s.id, s.code, s.name, s.type, s.opens, s.closes, COALESCE(s.arrival, s.opens), " \
	"ch.id, "                                                                                \
	"(SELECT direction FROM scans sc WHERE sc.child_id = ch.id AND sc.day = ?1 "             \
	" ORDER BY sc.at_ms DESC, sc.id DESC LIMIT 1), "                                         \
	"COALESCE(pd.status, CASE WHEN pw.child_id IS NOT NULL THEN 'attend' ELSE 'off' END), "  \
	"(SELECT kind FROM alerts al WHERE al.child_id = ch.id AND al.day = ?1 AND "             \
	" al.cleared_ms IS NULL ORDER BY al.id DESC LIMIT 1), "                                  \
	"EXISTS (SELECT 1 FROM alerts al WHERE al.child_id = ch.id AND al.day = ?1 AND "         \
	" al.kind = 'still_present' AND al.cleared_ms IS NULL) "                                 \
	"FROM sites s "                                                                          \
	"LEFT JOIN children ch ON ch.site_id = s.id AND ch.active = 1 "                          \
	"LEFT JOIN plan_days pd ON pd.child_id = ch.id AND pd.day = ?1 "                         \
	"LEFT JOIN plan_weekly pw ON pw.child_id = ch.id AND pw.weekday = ?2 "                   \
	"ORDER BY s.id"

/* Counts the child of the current row of st in s. */
static void count_child(struct site_counts *s, struct store_stmt *st)
{
	const char *last = store_col_text(st, 8), *alert = store_col_text(st, 10);
	int ps = plan_status_parse(store_col_text(st, 9));
	enum day_status status =
	    day_status_decide(last, ps < 0 ? PLAN_OFF : (enum plan_status)ps,
			      alert && strcmp(alert, "not_arrived") == 0, 0);
	s->n[C_ENROLLED]++;
	s->n[status < DAY_STATUS_COUNT ? status_count[status] : C_OFF]++;
	if (alert)
		s->n[C_ALERTS]++;
	if (store_col_int(st, 11))
		s->n[C_STILL_PRESENT]++;
}

static json_t *counts_json(const int64_t *n)
{
	json_t *o = json_object();
	for (int i = 0; i < C_COUNT; i++)
		json_object_set_new(o, count_names[i], json_integer((json_int_t)n[i]));
	return o;
}

enum err api_overview_get(struct http_req *rq, struct http_resp *rs)
{
	struct site_counts *v = NULL;
	size_t n = 0, cap = 0;
	int64_t total[C_COUNT] = {0};
	char day[16], hhmm[8];
	int wd = 0;
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = ERR_DB;
	clock_jst_date(now, day, sizeof day);
	clock_jst_hhmm(now, hhmm, sizeof hhmm);
	clock_day_parse(day, NULL, &wd);
	struct store_stmt *st = store_prepare(c, OVERVIEW_SQL);
	if (!st)
		goto out;
	store_bind_text(st, 1, day);
	store_bind_int(st, 2, wd);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t site_id = store_col_int(st, 0);
		if (n == 0 || v[n - 1].id != site_id) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, cap * sizeof *v);
			}
			struct site_counts *s = &v[n++];
			memset(s, 0, sizeof *s);
			s->id = site_id;
			snprintf(s->code, sizeof s->code, "%s", store_col_text(st, 1));
			snprintf(s->name, sizeof s->name, "%s", store_col_text(st, 2));
			snprintf(s->type, sizeof s->type, "%s", store_col_text(st, 3));
			snprintf(s->opens, sizeof s->opens, "%s", store_col_text(st, 4));
			snprintf(s->closes, sizeof s->closes, "%s", store_col_text(st, 5));
			snprintf(s->arrival, sizeof s->arrival, "%s", store_col_text(st, 6));
		}
		if (!store_col_is_null(st, 7))
			count_child(&v[n - 1], st);
	}
	if (rc != STORE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < C_COUNT; k++)
			total[k] += v[i].n[k];
	e = ERR_OK;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		free(v);
		return e;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, by_attention);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "code", v[i].code, "name",
				      v[i].name, "type", v[i].type, "opens", v[i].opens, "closes",
				      v[i].closes, "arrival", v[i].arrival);
		json_object_set_new(o, "counts", counts_json(v[i].n));
		json_array_append_new(arr, o);
	}
	free(v);
	json_t *body = json_pack("{s:s,s:s,s:o}", "day", day, "now", hhmm, "sites", arr);
	json_object_set_new(body, "totals", counts_json(total));
	return http_json(rs, 200, body);
}
