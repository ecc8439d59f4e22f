/* SPDX-License-Identifier: MIT */
/* api_supervisor.c — the ward's supervisor of youth support: the workers and their plazas, who
 * is assigned to which case (only a worker of the case's plaza), the referrals to the ward,
 * and the report of openings with the break-glass ones to review. */
#include "youth/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"

/* Answers {key: [row(st) of each row of sql]}, or fail (a Japanese sentence) when the database
 * cannot be read. */
static enum err answer_list(struct http_req *rq, struct http_resp *rs, const char *sql,
			    json_t *(*row)(struct store_stmt *st), const char *key,
			    const char *fail)
{
	json_t *arr = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(c, sql);
	enum err e = ERR_DB;
	if (st) {
		while (store_step(st) == STORE_ROW)
			json_array_append_new(arr, row(st));
		store_finish(st);
		e = ERR_OK;
	}
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return http_error(rs, e, fail);
	}
	return http_json(rs, 200, json_pack("{s:o}", key, arr));
}

/* A worker of the list: account, plaza, number of cases. */
static json_t *worker_json(struct store_stmt *st)
{
	const char *unit = store_col_is_null(st, 2) ? NULL : store_col_text(st, 2);
	const char *label = youth_plaza_label(unit);
	return json_pack("{s:I, s:s, s:s?, s:s?, s:I}", "id", (json_int_t)store_col_int(st, 0),
			 "login", store_col_text(st, 1), "plaza", unit, "plaza_label", label,
			 "cases", (json_int_t)store_col_int(st, 3));
}

enum err api_yo_workers(struct http_req *rq, struct http_resp *rs)
{
	return answer_list(
	    rq, rs,
	    "SELECT u.id, u.login, w.unit, (SELECT count(*) FROM yo_assignments a WHERE "
	    "a.user_id = u.id) FROM users u LEFT JOIN yo_workers w ON w.user_id = u.id WHERE "
	    "u.role = 'youth_worker' AND u.disabled = 0 ORDER BY u.login",
	    worker_json, "workers", "担当者の一覧を読み込めませんでした。");
}

/* Checks that user_id is an active youth_worker account: ERR_OK, or 404 no_such_worker
 * answered. */
static enum err worker_check(struct http_resp *rs, struct store_conn *c, int64_t user_id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM users WHERE id = ?1 AND role = 'youth_worker' AND disabled = 0");
	int ok = 0;
	if (st) {
		store_bind_int(st, 1, user_id);
		ok = store_step(st) == STORE_ROW;
		store_finish(st);
	}
	if (ok)
		return ERR_OK;
	return http_error_as(
	    rs, ERR_NOTFOUND, "no_such_worker",
	    "ユースサポートの担当者（youth_worker）のアカウントが見つかりません。");
}

enum err api_yo_worker_set(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t uid = http_param_id(rq->params[0]);
	char object[48];
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *plaza = json_string_value(json_object_get(body, "plaza"));
	struct store_conn *c = store_acquire(rq->app->store);
	e = worker_check(rs, c, uid);
	if (e != ERR_OK)
		goto out;
	if (!youth_plaza_label(plaza)) {
		e = http_error_as(rs, ERR_INVALID, "bad_plaza", "共育プラザを選んでください。");
		goto out;
	}
	snprintf(object, sizeof object, "user:%" PRId64, uid);
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_worker_set(c, &youth_casework, uid, plaza, rq->user.id,
					clock_now_ms());
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "youth.worker_plaza", object, plaza);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = http_error(rs, e, "所属を登録できませんでした。");
		goto out;
	}
	e = http_json(rs, 200, json_pack("{s:I, s:s}", "id", (json_int_t)uid, "plaza", plaza));
out:
	store_release(c);
	json_decref(body);
	return e;
}

/* Assigns (on) or unassigns the worker named in the body to case {}. */
static enum err assign(struct http_req *rq, struct http_resp *rs, int on)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char detail[48];
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	int64_t uid = (int64_t)json_integer_value(json_object_get(body, "user_id"));
	struct store_conn *c = store_acquire(rq->app->store);
	e = youth_reach(rq, rs, c, id, 0);
	if (e == ERR_OK)
		e = worker_check(rs, c, uid);
	if (e != ERR_OK)
		goto out;
	snprintf(detail, sizeof detail, "user:%" PRId64, uid);
	e = store_begin(c);
	if (e == ERR_OK)
		e = on ? casework_assign(c, &youth_casework, id, uid, rq->user.id, clock_now_ms())
		       : casework_unassign(c, &youth_casework, id, uid);
	if (e == ERR_OK)
		e = youth_audit(rq, c, on ? "youth.assign" : "youth.unassign", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_INVALID
			? http_error_as(
			      rs, e, "other_plaza",
			      "担当にできるのは、そのケースの共育プラザに所属する担当者だけです。")
		    : e == ERR_NOTFOUND
			? http_error_as(rs, e, "not_assigned",
					"この担当者はこのケースの担当ではありません。")
			: http_error(rs, e, "担当を変更できませんでした。");
		goto out;
	}
	json_t *w = casework_assigned_json(c, &youth_casework, id);
	e = http_json(rs, 200, json_pack("{s:o}", "workers", w));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_yo_assign(struct http_req *rq, struct http_resp *rs)
{
	return assign(rq, rs, 1);
}

enum err api_yo_unassign(struct http_req *rq, struct http_resp *rs)
{
	return assign(rq, rs, 0);
}

/* A referral of the list: the case's number and plaza, since when, who saw it. */
static json_t *referral_json(struct store_stmt *st)
{
	const char *unit = store_col_text(st, 2), *label = youth_plaza_label(unit);
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s?}", "id", (json_int_t)store_col_int(st, 0),
			 "number", store_col_text(st, 1), "plaza", unit, "plaza_label",
			 label ? label : unit, "since_ms", (json_int_t)store_col_int(st, 3),
			 "seen_by", store_col_is_null(st, 4) ? NULL : store_col_text(st, 4));
}

enum err api_yo_referrals(struct http_req *rq, struct http_resp *rs)
{
	return answer_list(
	    rq, rs,
	    "SELECT k.id, k.number, k.unit, k.referral_ms, u.login FROM yo_cases k LEFT "
	    "JOIN users u ON u.id = k.referral_seen WHERE k.referral = 1 ORDER BY "
	    "k.referral_seen IS NOT NULL, k.referral_ms",
	    referral_json, "referrals", "区への連絡の一覧を読み込めませんでした。");
}

enum err api_yo_referral_seen(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach(rq, rs, c, id, 0);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st = NULL;
	e = store_begin(c);
	if (e == ERR_OK) {
		st = store_prepare(c, "UPDATE yo_cases SET referral_seen = ?2 WHERE id = ?1 AND "
				      "referral = 1 AND referral_seen IS NULL");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_int(st, 1, id);
		store_bind_int(st, 2, rq->user.id);
		e = casework_run(st);
	}
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_CONFLICT;
	if (e == ERR_OK)
		e = youth_audit(rq, c, "youth.referral_seen", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_CONFLICT
			? http_error_as(rs, e, "no_open_referral",
					"このケースに未対応の区への連絡はありません。")
			: http_error(rs, e, "記録できませんでした。");
		goto out;
	}
	e = http_json(rs, 200, json_pack("{s:b}", "seen", 1));
out:
	store_release(c);
	return e;
}

enum err api_yo_opens(struct http_req *rq, struct http_resp *rs)
{
	const char *cs = http_query(rq, "case");
	int64_t case_id = cs ? http_param_id(cs) : 0;
	if (cs && case_id <= 0)
		return http_error_as(rs, ERR_INVALID, "bad_query",
				     "ケースの番号（id）が正しくありません。");
	return casework_api_opens(&youth_casework, rq, rs, case_id);
}

enum err api_yo_open_review(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_open_review(&youth_casework, rq, rs);
}
