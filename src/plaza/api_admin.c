/* SPDX-License-Identifier: MIT */
/* api_admin.c — the ward's work on the plazas: the April update of 学年 (once per school year),
 * the users not seen for the set number of years (listed, then deleted with an audit entry
 * each) and which plaza each plaza_staff account works at. */
#include "plaza/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

/* Answers {key: [row(st) of each row of sql]}. */
static enum err answer_list(struct http_req *rq, struct http_resp *rs, const char *sql,
			    json_t *(*row)(struct store_stmt *st), const char *key)
{
	json_t *list = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(c, sql);
	enum err e = st ? ERR_OK : ERR_DB;
	while (st && store_step(st) == STORE_ROW)
		json_array_append_new(list, row(st));
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", key, list));
}

/* A run of the April update: its school year, how many users moved up, when. */
static json_t *grade_run_json(struct store_stmt *st)
{
	char at[32];
	clock_jst_iso(store_col_int(st, 2), at, sizeof at);
	return json_pack("{s:I, s:I, s:s}", "fiscal_year", (json_int_t)store_col_int(st, 0),
			 "users", (json_int_t)store_col_int(st, 1), "at", at);
}

enum err api_plaza_grade_runs(struct http_req *rq, struct http_resp *rs)
{
	return answer_list(
	    rq, rs,
	    "SELECT fiscal_year, users, at_ms FROM plaza_grade_runs ORDER BY fiscal_year DESC",
	    grade_run_json, "runs");
}

enum err api_plaza_grade_update(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char today[11];
	size_t moved = 0;
	int done_before = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	int now_fy = plaza_fiscal_year(today);
	json_int_t fy = json_integer_value(json_object_get(body, "fiscal_year"));
	json_decref(body);
	if (fy != now_fy)
		return http_error_as(rs, ERR_INVALID, "bad_year",
				     "学年の更新は今年度（4月から）の分だけできます。");
	struct store_conn *c = store_acquire(rq->app->store);
	e = plaza_grade_update(c, rq->app->vault, plaza_vault(rq->app), (int)fy, rq->actor,
			       clock_now_ms(), &moved, &done_before);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, done_before ? 200 : 201,
			 json_pack("{s:I, s:I, s:b}", "fiscal_year", fy, "users", (json_int_t)moved,
				   "done_before", done_before));
}

/* The years of the request (years=N, 1 … 20) or the setting; 0 after answering 400. */
static int years_of(struct http_req *rq, struct http_resp *rs, json_t *body)
{
	const char *q = http_query(rq, "years");
	long y = plaza_inactive_years(rq->app);
	if (body && json_object_get(body, "years"))
		y = (long)json_integer_value(json_object_get(body, "years"));
	else if (q && *q)
		y = strtol(q, NULL, 10);
	if (y < 1 || y > 20) {
		http_error_as(rs, ERR_INVALID, "bad_years", "年数は1から20で入れてください。");
		return 0;
	}
	return (int)y;
}

enum err api_plaza_inactive(struct http_req *rq, struct http_resp *rs)
{
	char today[11], cutoff[11];
	int64_t *ids = NULL;
	size_t n = 0;
	int years = years_of(rq, rs, NULL);
	if (!years)
		return ERR_INVALID;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	plaza_cutoff(today, years, cutoff);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = plaza_inactive_list(c, 0, cutoff, &ids, &n);
	json_t *per = json_object(), *list = json_array();
	/* Per plaza, and the first 200 (card number, plaza, last seen: no sealed field). */
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct store_stmt *st = store_prepare(
		    c, "SELECT plaza_id, card_no, active_on FROM plaza_users WHERE id = ?");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, ids[i]);
		if (store_step(st) == STORE_ROW) {
			const char *name = plaza_name(store_col_int(st, 0));
			json_object_set_new(
			    per, name,
			    json_integer(json_integer_value(json_object_get(per, name)) + 1));
			if (i < 200)
				json_array_append_new(
				    list,
				    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)ids[i],
					      "plaza", name, "card_no", store_col_text(st, 1),
					      "active_on", store_col_text(st, 2)));
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = audit_read_append(c, rq->app->vault, rq->actor, "plaza.inactive", "plaza:all",
				      "", clock_now_ms(), NULL);
	store_release(c);
	free(ids);
	if (e != ERR_OK) {
		json_decref(per);
		json_decref(list);
		return e;
	}
	return http_json(rs, 200,
			 json_pack("{s:i, s:s, s:I, s:o, s:o}", "years", years, "before", cutoff,
				   "count", (json_int_t)n, "per_plaza", per, "users", list));
}

enum err api_plaza_inactive_delete(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char today[11], cutoff[11];
	size_t deleted = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	int years = years_of(rq, rs, body);
	json_t *count = json_object_get(body, "count");
	if (years && !json_is_integer(count))
		e = http_error_as(rs, ERR_INVALID, "bad_count",
				  "一覧で確かめた人数（count）を付けてください。");
	json_int_t expect = json_integer_value(count);
	json_decref(body);
	if (!years)
		return ERR_INVALID;
	if (e != ERR_OK)
		return e;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	plaza_cutoff(today, years, cutoff);
	struct store_conn *c = store_acquire(rq->app->store);
	e = plaza_inactive_delete(c, rq->app->vault, 0, cutoff, (size_t)expect, rq->actor,
				  &deleted);
	store_release(c);
	if (e == ERR_CONFLICT)
		return http_error_as(
		    rs, e, "list_changed",
		    "一覧を表示した後に人数が変わりました。もう一度一覧を確かめてくだ"
		    "さい。");
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:I, s:s}", "deleted", (json_int_t)deleted, "before", cutoff));
}

/* A plaza_staff account and the plaza it works at. */
static json_t *staff_json(struct store_stmt *st)
{
	int64_t p = store_col_int(st, 3);
	return json_pack("{s:I, s:s, s:b, s:s?}", "id", (json_int_t)store_col_int(st, 0), "login",
			 store_col_text(st, 1), "disabled", (int)store_col_int(st, 2), "plaza",
			 p ? plaza_name(p) : NULL);
}

enum err api_plaza_staff(struct http_req *rq, struct http_resp *rs)
{
	return answer_list(
	    rq, rs,
	    "SELECT u.id, u.login, u.disabled, COALESCE(s.plaza_id, 0) FROM users u LEFT JOIN "
	    "plaza_staff s ON s.user_id = u.id WHERE u.role = 'plaza_staff' ORDER BY u.login",
	    staff_json, "staff");
}

enum err api_plaza_staff_set(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char object[32];
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *p = json_string_value(json_object_get(body, "plaza"));
	int64_t plaza_id = p && *p ? plaza_find(p) : 0;
	int given = p && *p;
	json_decref(body);
	if (given && !plaza_id)
		return http_error_as(rs, ERR_INVALID, "bad_plaza", "プラザを選んでください。");
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(c, "SELECT role FROM users WHERE id = ?");
	int ok = 0;
	if (st) {
		store_bind_int(st, 1, id);
		ok = store_step(st) == STORE_ROW &&
		     strcmp(store_col_text(st, 0), "plaza_staff") == 0;
	}
	store_finish(st);
	e = ok ? store_begin(c) : ERR_NOTFOUND;
	if (e == ERR_OK)
		e = plaza_staff_set(c, id, plaza_id);
	snprintf(object, sizeof object, "user:%" PRId64, id);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "plaza.staff", object,
				 plaza_id ? plaza_code(plaza_id) : "none");
	if (ok && e == ERR_OK)
		e = store_commit(c);
	else if (ok)
		store_rollback(c);
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_staff",
				     "プラザの職員（plaza_staff）のアカウントではありません。");
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:I, s:s?}", "id", (json_int_t)id, "plaza",
				   plaza_id ? plaza_name(plaza_id) : NULL));
}
