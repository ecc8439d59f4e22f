/* SPDX-License-Identifier: MIT */
/* api_work.c — a case's work, for whoever reaches it and has opened it today: case notes of
 * each session (every edit a new version; the history readable), assessments and the
 * individual support plan. */
#include "youth/api.h"

#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"

/* Runs one write on case id in a transaction with its audit entry; answers its error. */
static enum err finish(struct http_req *rq, struct http_resp *rs, struct store_conn *c, enum err e,
		       int64_t id, const char *action, const char *detail, const char *why,
		       const char *code)
{
	if (e == ERR_OK)
		e = youth_audit(rq, c, action, id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		return ERR_OK;
	store_rollback(c);
	if (e == ERR_INVALID && why)
		return http_error_as(rs, e, code, why);
	if (e == ERR_CONFLICT)
		return http_error_as(
		    rs, e, "note_changed",
		    "この記録は他の人が先に更新しました。最新の版を読み込んでから直してください。");
	if (e == ERR_NOTFOUND)
		return youth_not_found(rs);
	return http_error(rs, e, "記録できませんでした。");
}

/* Finds the case *id of note and checks that the caller reaches it (opened today); ERR_OK, or
 * the error answered (404 for a note of no case one may see). */
static enum err reach_note(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   int64_t note, int64_t *id)
{
	enum err e = casework_note_case(c, &youth_casework, note, id);
	if (e == ERR_NOTFOUND)
		return youth_not_found(rs);
	if (e != ERR_OK)
		return http_error(rs, e, "記録を読み込めませんでした。");
	return youth_reach(rq, rs, c, *id, 1);
}

enum err api_yo_note_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), note = 0;
	const char *why = NULL;
	char detail[32];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	const char *kind = json_string_value(json_object_get(body, "kind"));
	if (!youth_note_kind_ok(kind)) {
		e = http_error_as(rs, ERR_INVALID, "bad_note", "記録の種類を選んでください。");
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_note_add(c, youth_vault(rq->app), &youth_casework, id, kind,
				      json_string_value(json_object_get(body, "on_date")),
				      json_string_value(json_object_get(body, "body")), rq->user.id,
				      clock_now_ms(), &note, &why);
	snprintf(detail, sizeof detail, "note:%" PRId64 " v1", note);
	e = finish(rq, rs, c, e, id, "youth.note_add", detail, why, "bad_note");
	if (e == ERR_OK)
		e = http_json(rs, 201,
			      json_pack("{s:I, s:i}", "id", (json_int_t)note, "version", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_yo_note_edit(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t note = http_param_id(rq->params[0]), id = 0;
	const char *why = NULL;
	char detail[48];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = reach_note(rq, rs, c, note, &id);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	json_int_t expect = json_integer_value(json_object_get(body, "version"));
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_note_edit(c, youth_vault(rq->app), &youth_casework, note, expect,
				       json_string_value(json_object_get(body, "body")),
				       rq->user.id, clock_now_ms(), &why);
	snprintf(detail, sizeof detail, "note:%" PRId64 " v%" PRId64, note, (int64_t)expect + 1);
	e = finish(rq, rs, c, e, id, "youth.note_edit", detail, why, "bad_note");
	if (e == ERR_OK)
		e = http_json(
		    rs, 200,
		    json_pack("{s:I, s:I}", "id", (json_int_t)note, "version", expect + 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_yo_note_versions(struct http_req *rq, struct http_resp *rs)
{
	int64_t note = http_param_id(rq->params[0]), id = 0;
	json_t *arr = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = reach_note(rq, rs, c, note, &id);
	if (e != ERR_OK)
		goto out;
	char detail[40];
	snprintf(detail, sizeof detail, "note:%" PRId64 " versions", note);
	e = youth_audit_read(rq, c, id, detail, clock_now_ms());
	if (e == ERR_OK)
		e = casework_note_history(c, youth_vault(rq->app), &youth_casework, note, &arr);
	if (e != ERR_OK) {
		json_decref(arr);
		e = http_error(rs, e, "記録の履歴を読み込めませんでした。");
		goto out;
	}
	e = http_json(rs, 200,
		      json_pack("{s:I, s:I, s:o}", "id", (json_int_t)note, "case_id",
				(json_int_t)id, "versions", arr));
out:
	store_release(c);
	return e;
}

enum err api_yo_assessment_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[YOUTH_WHY_MAX];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = youth_assessment_add(c, youth_vault(rq->app), id, body, rq->user.id,
					 clock_now_ms(), why);
	e = finish(rq, rs, c, e, id, "youth.assessment", "", why, "bad_assessment");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:b}", "ok", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_yo_plan_put(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), version = 0;
	char why[YOUTH_WHY_MAX], detail[24];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = youth_plan_put(c, youth_vault(rq->app), id, body, rq->user.id, clock_now_ms(),
				   &version, why);
	snprintf(detail, sizeof detail, "v%" PRId64, version);
	e = finish(rq, rs, c, e, id, "youth.plan", detail, why, "bad_plan");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:I}", "version", (json_int_t)version));
out:
	store_release(c);
	json_decref(body);
	return e;
}
