/* SPDX-License-Identifier: MIT */
/* api_parent_plan.c — a guardian's plans for their own child: the month calendar, the weekly
 * pattern, day changes and absence notices, and the pickup list. Another family's child is
 * "no such child" (404), whatever the reason. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_parent_child(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  int64_t *child_id, struct site *site)
{
	int64_t site_id = 0;
	enum err e = guardian_child(c, rq->guardian_id, rq->params[0], child_id, &site_id);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "お子さんの情報が見つかりません。ページを読み込み直してください。");
	if (e == ERR_OK)
		e = site_get(c, site_id, site);
	return e;
}

/* One plan entry's fields as JSON (leave, way_home, pickup_id, and reason when absent). */
static void entry_json(json_t *o, const struct plan_entry *p)
{
	int attend = p->status == PLAN_ATTEND;
	json_object_set_new(o, "leave", attend && p->leave[0] ? json_string(p->leave) : json_null());
	json_object_set_new(o, "way_home",
			    attend && p->way_home[0] ? json_string(p->way_home) : json_null());
	json_object_set_new(o, "pickup_id",
			    attend && p->pickup_id ? json_integer(p->pickup_id) : json_null());
}

static json_t *day_json(const struct site *s, const struct plan_day *d, int64_t now)
{
	char msg[160];
	const char *locked = d->weekday == 0 ? "日曜日はクラブがお休みです。"
					     : plan_change_locked(s, d->day, now, msg, sizeof msg);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "day", d->day, "weekday",
			      plan_weekday_name(d->weekday), "status",
			      plan_status_name(d->plan.status), "source",
			      d->from_day ? "day" : "weekly");
	entry_json(o, &d->plan);
	json_object_set_new(o, "reason",
			    d->plan.status == PLAN_ABSENT && d->plan.reason
				? json_string(d->plan.reason)
				: json_null());
	json_object_set_new(o, "attended",
			    d->in_at[0] ? json_pack("{s:s,s:o}", "in", d->in_at, "out",
						    d->out_at[0] ? json_string(d->out_at)
								 : json_null())
					: json_null());
	json_object_set_new(o, "editable", json_boolean(!locked));
	json_object_set_new(o, "locked", locked ? json_string(locked) : json_null());
	return o;
}

static json_t *week_json(const struct plan_week *w)
{
	json_t *o = json_object();
	for (int wd = 1; wd <= 6; wd++) {
		if (!w->attend[wd])
			continue;
		json_t *d = json_object();
		entry_json(d, &w->day[wd]);
		json_object_set_new(o, plan_weekday_name(wd), d);
	}
	return o;
}

static json_t *pickups_json(const struct pickup *p, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)p[i].id,
						     "name", p[i].name, "relation",
						     p[i].relation));
	return arr;
}

enum err api_parent_plan_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct plan_week w;
	struct plan_day *days = NULL;
	struct pickup *pk = NULL;
	size_t ndays = 0, npk = 0;
	int64_t child_id = 0, now = clock_now_ms();
	char today[16], hhmm[8], month[8];
	char *name = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_parent_child(rq, rs, c, &child_id, &site);
	if (e != ERR_OK)
		goto out;
	clock_jst_date(now, today, sizeof today);
	clock_jst_hhmm(now, hhmm, sizeof hhmm);
	const char *m = http_query(rq, "month");
	snprintf(month, sizeof month, "%.7s", m ? m : today);
	if (m && strlen(m) != 7) {
		e = http_error(rs, ERR_INVALID, "月は YYYY-MM の形（例 2026-11）で指定してください（month）。");
		goto out;
	}
	e = plan_month(rq->app, c, child_id, month, &days, &ndays);
	if (e == ERR_INVALID) {
		e = http_error(rs, e, "月は YYYY-MM の形（例 2026-11）で指定してください（month）。");
		goto out;
	}
	if (e == ERR_OK)
		e = plan_week_load(c, child_id, &w);
	if (e == ERR_OK)
		e = pickup_list(rq->app, c, child_id, 0, &pk, &npk);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st = store_prepare(c, "SELECT name_enc FROM children WHERE id = ?");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, child_id);
		if (store_step(st) == STORE_ROW) {
			size_t len;
			const void *b = store_col_blob(st, 0, &len);
			e = vault_unseal(attendance_vault(rq->app), "children.name", b, len, &name);
		}
		store_finish(st);
	}
	if (e != ERR_OK)
		goto out;
	json_t *arr = json_array();
	for (size_t i = 0; i < ndays; i++)
		json_array_append_new(arr, day_json(&site, &days[i], now));
	e = http_json(rs, 200,
		      json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "child_no", rq->params[0],
				"name", name, "month", month, "today", today, "now", hhmm, "site",
				api_parent_site_json(&site), "weekly", week_json(&w), "pickups",
				pickups_json(pk, npk), "days", arr));
out:
	vault_wipe_free(name);
	plan_days_free(days, ndays);
	pickup_list_free(pk, npk);
	store_release(c);
	return e;
}

/* Reads a plan entry's fields (leave, way_home, pickup_id) from o into p. -1 with *why for a
 * field of the wrong type. */
static int entry_from_json(json_t *o, struct plan_entry *p, const char **why)
{
	json_t *leave = json_object_get(o, "leave"), *way = json_object_get(o, "way_home");
	json_t *pid = json_object_get(o, "pickup_id");
	if ((leave && !json_is_null(leave) && !json_is_string(leave)) ||
	    (way && !json_is_null(way) && !json_is_string(way)) ||
	    (pid && !json_is_null(pid) && !json_is_integer(pid))) {
		*why = "帰る時刻（leave）と帰り方（way_home）は文字で、お迎えの方（pickup_id）は番号で"
		       "指定してください。";
		return -1;
	}
	if (json_is_string(leave) && json_string_length(leave) >= sizeof p->leave) {
		*why = "帰る時刻（leave）は HH:MM の形（例 17:00）で指定してください。";
		return -1;
	}
	if (json_is_string(way) && json_string_length(way) >= sizeof p->way_home) {
		*why = "帰り方（way_home）は、一人で帰る（alone）かお迎え（pickup）を指定してください。";
		return -1;
	}
	snprintf(p->leave, sizeof p->leave, "%s", json_is_string(leave) ? json_string_value(leave) : "");
	snprintf(p->way_home, sizeof p->way_home, "%s",
		 json_is_string(way) ? json_string_value(way) : "");
	p->pickup_id = json_is_integer(pid) ? json_integer_value(pid) : 0;
	if (strcmp(p->way_home, "pickup") != 0)
		p->pickup_id = 0;
	return 0;
}

enum err api_parent_weekly_put(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct plan_week w = {0};
	int64_t child_id = 0;
	json_t *body = NULL;
	const char *why = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_parent_child(rq, rs, c, &child_id, &site);
	store_release(c);
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		int wd = plan_weekday_parse(key);
		if (wd < 1) {
			e = wd == 0 ? http_error_as(rs, ERR_INVALID, "closed_day",
						    "日曜日はクラブがお休みです。")
				    : http_error(rs, ERR_INVALID,
						 "曜日は mon・tue・wed・thu・fri・sat（月〜土）で指定してください。");
			goto out;
		}
		if (!json_is_object(v)) {
			e = http_error(rs, ERR_INVALID,
				       "曜日ごとの予定の形が正しくありません（曜日ごとにオブジェクトで指定して"
				       "ください）。");
			goto out;
		}
		if (entry_from_json(v, &w.day[wd], &why) != 0) {
			e = http_error(rs, ERR_INVALID, why);
			goto out;
		}
		w.attend[wd] = 1;
		w.day[wd].status = PLAN_ATTEND;
	}
	e = plan_set_week(rq->app, rq->actor, child_id, &site, &w, &why);
	if (e == ERR_INVALID) {
		e = http_error(rs, e, why);
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	e = http_json(rs, 200, json_pack("{s:o}", "weekly", week_json(&w)));
out:
	json_decref(body);
	return e;
}

/* The day after a change, as the calendar shows it. */
static enum err day_answer(struct http_req *rq, struct http_resp *rs, int64_t child_id,
			   const struct site *site, const char *day)
{
	struct plan_day *days = NULL;
	size_t n = 0;
	char month[8];
	snprintf(month, sizeof month, "%.7s", day);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = plan_month(rq->app, c, child_id, month, &days, &n);
	store_release(c);
	if (e != ERR_OK)
		return e;
	size_t i = plan_day_index(day);
	e = i < n ? http_json(rs, 200, day_json(site, &days[i], clock_now_ms())) : ERR_IO;
	plan_days_free(days, n);
	return e;
}

/* PUT (set) or DELETE (back to the pattern) of one day. */
static enum err day_change(struct http_req *rq, struct http_resp *rs, int remove)
{
	struct site site;
	struct plan_entry p = {0};
	int64_t child_id = 0;
	json_t *body = NULL;
	const char *why = NULL, *code = NULL, *day = rq->params[1];
	char msg[512]; /* a refusal in Japanese: 3 bytes a character */
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_parent_child(rq, rs, c, &child_id, &site);
	store_release(c);
	if (e != ERR_OK)
		return e;
	if (!remove) {
		const char *status = NULL, *reason = NULL;
		e = http_json_body(rq, rs, &body);
		if (e != ERR_OK)
			return e;
		int s = -1;
		if (json_unpack(body, "{s:s}", "status", &status) != 0 ||
		    (s = plan_status_parse(status)) < 0) {
			e = http_error(rs, ERR_INVALID,
				       "予定（status）は、出席（attend）、休み（off）、欠席（absent）のどれかを"
				       "指定してください。");
			goto out;
		}
		p.status = (enum plan_status)s;
		if (entry_from_json(body, &p, &why) != 0) {
			e = http_error(rs, ERR_INVALID, why);
			goto out;
		}
		json_t *r = json_object_get(body, "reason");
		if (r && !json_is_null(r) && !json_is_string(r)) {
			e = http_error(rs, ERR_INVALID, "欠席の理由（reason）は文字で入力してください。");
			goto out;
		}
		reason = json_string_value(r);
		/* Borrowed from the body, never freed through p. */
		p.reason = p.status == PLAN_ABSENT ? (char *)reason : NULL;
	}
	e = plan_set_day(rq->app, rq->actor, child_id, &site, day, remove ? NULL : &p, msg,
			 sizeof msg, &why, &code);
	if (e == ERR_CONFLICT) {
		/* A past day or today after the deadline (the message names the club's phone), or
		 * a day the child has already come and gone. */
		e = http_error_as(rs, e, code, why);
		goto out;
	}
	if (e == ERR_INVALID) {
		e = http_error(rs, e, why);
		goto out;
	}
	if (e == ERR_OK)
		e = day_answer(rq, rs, child_id, &site, day);
out:
	json_decref(body);
	return e;
}

enum err api_parent_day_put(struct http_req *rq, struct http_resp *rs)
{
	return day_change(rq, rs, 0);
}

enum err api_parent_day_delete(struct http_req *rq, struct http_resp *rs)
{
	return day_change(rq, rs, 1);
}

enum err api_parent_pickups_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct pickup *pk = NULL;
	size_t n = 0;
	int64_t child_id = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_parent_child(rq, rs, c, &child_id, &site);
	if (e == ERR_OK)
		e = pickup_list(rq->app, c, child_id, 0, &pk, &n);
	store_release(c);
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:o}", "pickups", pickups_json(pk, n)));
	pickup_list_free(pk, n);
	return e;
}

enum err api_parent_pickup_create(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	int64_t child_id = 0, id = 0;
	json_t *body = NULL;
	const char *name = NULL, *relation = NULL, *why = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_parent_child(rq, rs, c, &child_id, &site);
	store_release(c);
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "name", &name, "relation", &relation) != 0) {
		e = http_error(rs, ERR_INVALID, "お迎えの方の名前（name）と続柄（relation）を入力してください。");
		goto out;
	}
	e = pickup_add(rq->app, rq->actor, child_id, name, relation, &id, &why);
	if (e == ERR_INVALID) {
		e = http_error(rs, e, why);
		goto out;
	}
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", name,
						 "relation", relation));
out:
	json_decref(body);
	return e;
}

enum err api_parent_pickup_delete(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	int64_t child_id = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_parent_child(rq, rs, c, &child_id, &site);
	store_release(c);
	if (e != ERR_OK)
		return e;
	int64_t id = http_param_id(rq->params[1]);
	if (id <= 0)
		return http_error(rs, ERR_NOTFOUND,
				  "このお迎えの方は登録されていません。ページを読み込み直してください。");
	e = pickup_remove(rq->app, rq->actor, child_id, id);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e,
				  "このお迎えの方は登録されていません。ページを読み込み直してください。");
	if (e != ERR_OK)
		return e;
	rs->status = 204;
	return ERR_OK;
}
