/* SPDX-License-Identifier: MIT */
/* api_notes.c — a case's versioned notes over HTTP, for whoever reaches the case and has opened
 * it today (every edit a new version; the history readable, its read audited), and the end of
 * every audited write on a case, for every casework service. */
#include "casework/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"

enum err casework_finish(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs,
			 struct store_conn *c, enum err e, int64_t id, const char *action,
			 const char *detail, const char *why, const char *code)
{
	if (e == ERR_OK)
		e = casework_audit(k, rq, c, action, id, detail);
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
		return casework_not_found(rs);
	return http_error(rs, e, "記録できませんでした。");
}

/* Finds the case *id of note and checks that the caller reaches it (opened today); ERR_OK, or
 * the error answered (404 for a note of no case one may see). */
static enum err reach_note(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs,
			   struct store_conn *c, int64_t note, int64_t *id)
{
	enum err e = casework_note_case(c, k, note, id);
	if (e == ERR_NOTFOUND)
		return casework_not_found(rs);
	if (e != ERR_OK)
		return http_error(rs, e, "記録を読み込めませんでした。");
	return casework_reach(k, rq, rs, c, *id, 1);
}

/* Returns 1 when kind is one of k's note kinds. */
static int kind_ok(const struct casework_kind *k, const char *kind)
{
	for (size_t i = 0; kind && k->note_kinds[i]; i++)
		if (strcmp(kind, k->note_kinds[i]) == 0)
			return 1;
	return 0;
}

enum err casework_api_note_add(const struct casework_kind *k, struct http_req *rq,
			       struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), note = 0;
	const char *why = NULL;
	char detail[32], action[48];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_reach_body(k, rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	const char *kind = json_string_value(json_object_get(body, "kind"));
	if (!kind_ok(k, kind)) {
		e = http_error_as(rs, ERR_INVALID, "bad_note", "記録の種類を選んでください。");
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_note_add(c, app_vault(rq->app, k->service), k, id, kind,
				      json_string_value(json_object_get(body, "on_date")),
				      json_string_value(json_object_get(body, "body")), rq->user.id,
				      clock_now_ms(), &note, &why);
	snprintf(detail, sizeof detail, "note:%" PRId64 " v1", note);
	snprintf(action, sizeof action, "%s.note_add", k->service);
	e = casework_finish(k, rq, rs, c, e, id, action, detail, why, "bad_note");
	if (e == ERR_OK)
		e = http_json(rs, 201,
			      json_pack("{s:I, s:i}", "id", (json_int_t)note, "version", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err casework_api_note_edit(const struct casework_kind *k, struct http_req *rq,
				struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t note = http_param_id(rq->params[0]), id = 0;
	const char *why = NULL;
	char detail[48], action[48];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = reach_note(k, rq, rs, c, note, &id);
	if (e == ERR_OK)
		e = casework_writable(k, rs, c, id);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	json_int_t expect = json_integer_value(json_object_get(body, "version"));
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_note_edit(c, app_vault(rq->app, k->service), k, note, expect,
				       json_string_value(json_object_get(body, "body")),
				       rq->user.id, clock_now_ms(), &why);
	snprintf(detail, sizeof detail, "note:%" PRId64 " v%" PRId64, note, (int64_t)expect + 1);
	snprintf(action, sizeof action, "%s.note_edit", k->service);
	e = casework_finish(k, rq, rs, c, e, id, action, detail, why, "bad_note");
	if (e == ERR_OK)
		e = http_json(
		    rs, 200,
		    json_pack("{s:I, s:I}", "id", (json_int_t)note, "version", expect + 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err casework_api_note_versions(const struct casework_kind *k, struct http_req *rq,
				    struct http_resp *rs)
{
	int64_t note = http_param_id(rq->params[0]), id = 0;
	json_t *arr = NULL;
	char detail[40], key[40];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = reach_note(k, rq, rs, c, note, &id);
	if (e != ERR_OK)
		goto out;
	snprintf(detail, sizeof detail, "note:%" PRId64 " versions", note);
	e = casework_audit_read(k, rq, c, id, detail, clock_now_ms());
	if (e == ERR_OK)
		e = casework_note_history(c, app_vault(rq->app, k->service), k, note, &arr);
	if (e != ERR_OK) {
		json_decref(arr);
		e = http_error(rs, e, "記録の履歴を読み込めませんでした。");
		goto out;
	}
	snprintf(key, sizeof key, "%s_id", k->key);
	e = http_json(rs, 200,
		      json_pack("{s:I, s:I, s:o}", "id", (json_int_t)note, key, (json_int_t)id,
				"versions", arr));
out:
	store_release(c);
	return e;
}
