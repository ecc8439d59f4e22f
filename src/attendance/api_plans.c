/* SPDX-License-Identifier: MIT */
/* api_plans.c — a site's plans for the coming days, for staff (出欠予定): GET
 * /api/v1/sites/{code}/plans (each day's children planned or with a notice, the changes with
 * who made them and when) and its printable list, GET /api/v1/sites/{code}/reports/plans
 * (出欠予定表, a PDF recorded in the handover ledger like every export). Reading names is a
 * read of personal data: audited, once per caller and site a minute. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "attendance/report.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define DAYS_DEFAULT 7

/* The days parameter: 1-14, default 7; -1 when it is not such a number. */
static int days_param(struct http_req *rq)
{
	const char *v = http_query(rq, "days");
	if (!v || !*v)
		return DAYS_DEFAULT;
	char *end = NULL;
	long n = strtol(v, &end, 10);
	return end && !*end && n >= 1 && n <= PLAN_UPCOMING_DAYS_MAX ? (int)n : -1;
}

/* A JSON string of a malloc'd text (wiped and freed here), or null. */
static json_t *owned_string(char *text)
{
	json_t *j = text ? json_string(text) : json_null();
	vault_wipe_free(text);
	return j ? j : json_null();
}

static json_t *row_json(const struct plan_upcoming_row *r)
{
	int attend = r->plan.status == PLAN_ATTEND;
	json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:b}", "child_no", r->child_no, "name",
			      r->name, "kana", r->kana, "grade", r->grade, "status",
			      plan_status_name(r->plan.status), "from_day", r->from_day);
	if (!o)
		return NULL;
	json_object_set_new(o, "leave",
			    attend && r->plan.leave[0] ? json_string(r->plan.leave) : json_null());
	json_object_set_new(o, "way_home", attend && r->plan.way_home[0]
					       ? json_string(r->plan.way_home)
					       : json_null());
	json_object_set_new(o, "pickup",
			    r->pickup_name ? json_pack("{s:s,s:s}", "name", r->pickup_name,
						       "relation",
						       r->pickup_relation ? r->pickup_relation : "")
					   : json_null());
	json_object_set_new(o, "reason",
			    r->plan.status == PLAN_ABSENT && r->plan.reason
				? json_string(r->plan.reason)
				: json_null());
	json_object_set_new(o, "way_home_text", owned_string(report_plan_way_home(r)));
	json_object_set_new(o, "note", owned_string(report_plan_note(r)));
	if (r->changed_ms) {
		char on[16], hhmm[8];
		clock_jst_date(r->changed_ms, on, sizeof on);
		clock_jst_hhmm(r->changed_ms, hhmm, sizeof hhmm);
		json_object_set_new(o, "change",
				    json_pack("{s:s,s:s,s:s,s:o}", "status", r->changed_status, "at",
					      hhmm, "on", on, "by",
					      r->changed_by ? json_string(r->changed_by)
							    : json_null()));
	} else {
		json_object_set_new(o, "change", json_null());
	}
	return o;
}

enum err api_plans_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct plan_upcoming u;
	const char *why = NULL;
	char today[16], from[16];
	int64_t now = clock_now_ms();
	memset(&u, 0, sizeof u);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, &site, "plans of another site",
					 "この施設の予定は見られません（担当の施設ではありません）。");
	store_release(c);
	if (e != ERR_OK)
		return e;
	int ndays = days_param(rq);
	if (ndays < 0)
		return http_error_as(rs, ERR_INVALID, "bad_days", "日数（days）は 1〜14 で指定してください");
	clock_jst_date(now, today, sizeof today);
	const char *f = http_query(rq, "from");
	snprintf(from, sizeof from, "%s", f && *f ? f : today);
	e = plan_upcoming_load(rq->app, &site, from, ndays, &u, &why);
	if (e == ERR_INVALID)
		e = http_error_as(rs, e, "bad_from", why);
	if (e != ERR_OK)
		goto out;
	json_t *days = json_array();
	size_t at = 0;
	for (size_t d = 0; d < u.ndays; d++) {
		json_t *kids = json_array();
		for (; at < u.n && u.rows[at].day == d; at++) {
			json_t *row = row_json(&u.rows[at]);
			if (!row) {
				/* A list that silently lacks a child is worse than none. */
				json_decref(kids);
				json_decref(days);
				e = ERR_IO;
				goto out;
			}
			json_array_append_new(kids, row);
		}
		json_array_append_new(
		    days, json_pack("{s:s,s:s,s:{s:I,s:I,s:I,s:I},s:o}", "day", u.days[d].day,
				    "weekday", plan_weekday_name(u.days[d].weekday), "counts",
				    "attend", (json_int_t)u.days[d].attend, "absent",
				    (json_int_t)u.days[d].absent, "off", (json_int_t)u.days[d].off,
				    "changed", (json_int_t)u.days[d].changed, "children", kids));
	}
	char object[64], detail[64];
	snprintf(object, sizeof object, "plans:%s", site.code);
	snprintf(detail, sizeof detail, "from=%s days=%d rows=%zu", from, ndays, u.n);
	c = store_acquire(rq->app->store);
	e = audit_read_append(c, rq->app->vault, rq->actor, "plans.read", object, detail, now, NULL);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(days);
		goto out;
	}
	e = http_json(rs, 200,
		      json_pack("{s:{s:s,s:s},s:s,s:i,s:s,s:o}", "site", "code", site.code, "name",
				site.name, "from", from, "days_asked", ndays, "today", today, "days",
				days));
out:
	plan_upcoming_free(&u);
	return e;
}

enum err api_report_plans(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct report_out out;
	const char *why = NULL;
	memset(&out, 0, sizeof out);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, &site, "plan list of another site",
					 "この施設の出欠予定表は出力できません（担当の施設ではありません）。");
	store_release(c);
	if (e != ERR_OK)
		return e;
	int ndays = days_param(rq);
	if (ndays < 0)
		return http_error_as(rs, ERR_INVALID, "bad_days", "日数（days）は 1〜14 で指定してください");
	const char *format = http_query(rq, "format");
	e = report_plans(rq->app, &site, http_query(rq, "from"), ndays, format ? format : "pdf",
			 &out, &why);
	if (e == ERR_INVALID)
		e = http_error_as(rs, e,
				  format && strcmp(format, "pdf") != 0 ? "bad_format" : "bad_from",
				  why ? why : "指定が正しくありません");
	if (e == ERR_OK)
		e = api_report_send(rq, rs, &out);
	report_out_free(&out);
	return e;
}
