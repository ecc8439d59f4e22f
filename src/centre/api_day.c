/* SPDX-License-Identifier: MIT */
/* api_day.c — the centre's day: the children due that day (a staff member's: their assigned
 * children; the manager's: all) with attendance to mark, the bus list (who rides which route,
 * pick-up and drop-off), and the routes (manager). Each read of the day's list is audited. */
#include "centre/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"

/* Loads the day's list (the date of ?date=, else today) into *out with the date in day, the
 * read audited; answers the error. */
static enum err load_day(struct http_req *rq, struct http_resp *rs, char day[11], json_t **out)
{
	const char *q = http_query(rq, "date");
	int64_t now = clock_now_ms();
	char object[32];
	if (q && strlen(q) == 10)
		snprintf(day, 11, "%s", q);
	else if (q)
		return http_error_as(rs, ERR_INVALID, "bad_date",
				     "日付を年-月-日で選んでください。");
	else
		clock_jst_date(now, day, 11);
	int all = (rq->role & ROLE_CENTRE_MANAGER) != 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_day_json(c, centre_vault(rq->app), day, all, rq->user.id, out);
	snprintf(object, sizeof object, "centre_day:%s", day);
	if (e == ERR_OK)
		e = audit_read_append(c, rq->app->vault, rq->actor, "centre.day_read", object, "",
				      now, NULL);
	store_release(c);
	if (e == ERR_INVALID)
		return http_error_as(rs, e, "bad_date", "日付を年-月-日で選んでください。");
	if (e != ERR_OK) {
		json_decref(*out);
		*out = NULL;
		return http_error(rs, e, "その日の一覧を読み込めませんでした。");
	}
	return ERR_OK;
}

enum err api_ce_day(struct http_req *rq, struct http_resp *rs)
{
	char day[11];
	json_t *arr = NULL;
	enum err e = load_day(rq, rs, day, &arr);
	if (e != ERR_OK)
		return e;
	int64_t present = 0, absent = 0;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		const char *a = json_string_value(json_object_get(o, "attendance"));
		present += a && strcmp(a, "present") == 0;
		absent += a && strcmp(a, "absent") == 0;
	}
	return http_json(rs, 200,
			 json_pack("{s:s, s:o, s:{s:I, s:I, s:I}}", "date", day, "children", arr,
				   "counts", "due", (json_int_t)json_array_size(arr), "present",
				   (json_int_t)present, "absent", (json_int_t)absent));
}

enum err api_ce_bus(struct http_req *rq, struct http_resp *rs)
{
	char day[11];
	json_t *arr = NULL;
	enum err e = load_day(rq, rs, day, &arr);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *routes = centre_routes_json(c);
	store_release(c);
	size_t i, j;
	json_t *r, *o;
	int64_t riders = 0;
	json_array_foreach(routes, i, r)
	{
		json_t *kids = json_array();
		const char *code = json_string_value(json_object_get(r, "code"));
		json_array_foreach(arr, j, o)
		{
			const char *rc = json_string_value(json_object_get(o, "route"));
			const char *a = json_string_value(json_object_get(o, "attendance"));
			if (!rc || strcmp(rc, code) != 0)
				continue;
			/* An absent child, or one who came another way, does not ride. */
			if ((a && strcmp(a, "absent") == 0) ||
			    !json_is_true(json_object_get(o, "bus")))
				continue;
			json_array_append_new(kids,
					      json_pack("{s:O, s:O, s:O, s:O, s:O}", "id",
							json_object_get(o, "id"), "number",
							json_object_get(o, "number"), "name",
							json_object_get(o, "name"), "stop",
							json_object_get(o, "stop"), "attendance",
							json_object_get(o, "attendance")));
		}
		riders += (int64_t)json_array_size(kids);
		json_object_set_new(r, "children", kids);
	}
	json_decref(arr);
	return http_json(rs, 200,
			 json_pack("{s:s, s:o, s:I}", "date", day, "routes", routes, "riders",
				   (json_int_t)riders));
}

enum err api_ce_attendance(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX], detail[48];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 0);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	const char *day = json_string_value(json_object_get(body, "date"));
	const char *state = json_string_value(json_object_get(body, "state"));
	int bus = json_is_true(json_object_get(body, "bus"));
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_attendance_set(c, id, day, state, bus, rq->user.id, clock_now_ms(), why);
	snprintf(detail, sizeof detail, "%s %s", day ? day : "", state ? state : "");
	if (e == ERR_OK)
		e = centre_audit(rq, c, "centre.attendance", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_INVALID ? http_error_as(rs, e, "bad_attendance", why)
				     : http_error(rs, e, "出欠を記録できませんでした。");
		goto out;
	}
	e = http_json(rs, 200,
		      json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)id, "date", day, "state",
				state, "bus", bus && strcmp(state, "present") == 0));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_route_put(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char why[CENTRE_WHY_MAX];
	const char *code = rq->params[0];
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_route_put(c, code, json_string_value(json_object_get(body, "label")),
				     json_string_value(json_object_get(body, "pickup")),
				     json_string_value(json_object_get(body, "dropoff")), why);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "centre.route", "centre_route",
				 code);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_INVALID ? http_error_as(rs, e, "bad_route", why)
				     : http_error(rs, e, "送迎ルートを登録できませんでした。");
	} else {
		e = http_json(rs, 200, json_pack("{s:o}", "routes", centre_routes_json(c)));
	}
	store_release(c);
	json_decref(body);
	return e;
}
