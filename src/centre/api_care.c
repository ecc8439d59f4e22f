/* SPDX-License-Identifier: MIT */
/* api_care.c — a child's care, for whoever reaches the child and has opened the file today:
 * daily support records (every edit a new version; the history readable), development
 * assessments, support plans, the centre's messages to the parents, and the handover export
 * (passphrase-sealed, recorded in the handover ledger: the only export of the file). */
#include "centre/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/passbox.h"
#include "vault/vault.h"

/* Ends one write on child id: its audit entry and the commit; answers its error. */
static enum err finish(struct http_req *rq, struct http_resp *rs, struct store_conn *c, enum err e,
		       int64_t id, const char *action, const char *detail, const char *why,
		       const char *code)
{
	if (e == ERR_OK)
		e = centre_audit(rq, c, action, id, detail);
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
		return centre_not_found(rs);
	return http_error(rs, e, "記録できませんでした。");
}

enum err api_ce_note_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), note = 0;
	const char *why = NULL;
	char detail[32];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	const char *kind = json_string_value(json_object_get(body, "kind"));
	if (!centre_note_kind_ok(kind)) {
		e = http_error_as(rs, ERR_INVALID, "bad_note", "記録の種類を選んでください。");
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_note_add(c, centre_vault(rq->app), &centre_casework, id, kind,
				      json_string_value(json_object_get(body, "on_date")),
				      json_string_value(json_object_get(body, "body")), rq->user.id,
				      clock_now_ms(), &note, &why);
	snprintf(detail, sizeof detail, "note:%" PRId64 " v1", note);
	e = finish(rq, rs, c, e, id, "centre.note_add", detail, why, "bad_note");
	if (e == ERR_OK)
		e = http_json(rs, 201,
			      json_pack("{s:I, s:i}", "id", (json_int_t)note, "version", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_note_edit(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t note = http_param_id(rq->params[0]), id = 0;
	const char *why = NULL;
	char detail[48];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_note_case(c, &centre_casework, note, &id);
	if (e != ERR_OK) {
		e = e == ERR_NOTFOUND ? centre_not_found(rs)
				      : http_error(rs, e, "記録を読み込めませんでした。");
		goto out;
	}
	e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	json_int_t expect = json_integer_value(json_object_get(body, "version"));
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_note_edit(c, centre_vault(rq->app), &centre_casework, note, expect,
				       json_string_value(json_object_get(body, "body")),
				       rq->user.id, clock_now_ms(), &why);
	snprintf(detail, sizeof detail, "note:%" PRId64 " v%" PRId64, note, (int64_t)expect + 1);
	e = finish(rq, rs, c, e, id, "centre.note_edit", detail, why, "bad_note");
	if (e == ERR_OK)
		e = http_json(
		    rs, 200,
		    json_pack("{s:I, s:I}", "id", (json_int_t)note, "version", expect + 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_note_versions(struct http_req *rq, struct http_resp *rs)
{
	int64_t note = http_param_id(rq->params[0]), id = 0;
	json_t *arr = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_note_case(c, &centre_casework, note, &id);
	if (e != ERR_OK) {
		e = e == ERR_NOTFOUND ? centre_not_found(rs)
				      : http_error(rs, e, "記録を読み込めませんでした。");
		goto out;
	}
	e = centre_reach(rq, rs, c, id, 1);
	if (e != ERR_OK)
		goto out;
	char object[48], detail[40];
	snprintf(object, sizeof object, "centre_child:%" PRId64, id);
	snprintf(detail, sizeof detail, "note:%" PRId64 " versions", note);
	e = audit_read_append(c, rq->app->vault, rq->actor, "casework.read", object, detail,
			      clock_now_ms(), NULL);
	if (e == ERR_OK)
		e = casework_note_history(c, centre_vault(rq->app), &centre_casework, note, &arr);
	if (e != ERR_OK) {
		json_decref(arr);
		e = http_error(rs, e, "記録の履歴を読み込めませんでした。");
		goto out;
	}
	e = http_json(rs, 200,
		      json_pack("{s:I, s:I, s:o}", "id", (json_int_t)note, "child_id",
				(json_int_t)id, "versions", arr));
out:
	store_release(c);
	return e;
}

enum err api_ce_assessment_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_assessment_add(c, centre_vault(rq->app), id, body, rq->user.id,
					  clock_now_ms(), why);
	e = finish(rq, rs, c, e, id, "centre.assessment", "", why, "bad_assessment");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:b}", "ok", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_plan_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), version = 0;
	char why[CENTRE_WHY_MAX], detail[24], review[11] = "";
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_plan_add(c, centre_vault(rq->app), id, body, rq->user.id, clock_now_ms(),
				    &version, review, why);
	snprintf(detail, sizeof detail, "v%" PRId64, version);
	e = finish(rq, rs, c, e, id, "centre.plan", detail, why, "bad_plan");
	if (e == ERR_OK)
		e = http_json(
		    rs, 201,
		    json_pack("{s:I, s:s}", "version", (json_int_t)version, "review_on", review));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_message_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX], detail[32];
	int mailed = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_message_add(c, centre_vault(rq->app), id, rq->user.id, 0,
				       json_string_value(json_object_get(body, "body")),
				       rq->app->cfg.base_url, clock_now_ms(), &mailed, why);
	snprintf(detail, sizeof detail, "notices=%d", mailed);
	e = finish(rq, rs, c, e, id, "centre.message", detail, why, "bad_message");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:b, s:i}", "ok", 1, "notices", mailed));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err centre_handover_text(struct store_conn *c, const struct vault *v, int64_t id, char **out)
{
	json_t *cs = NULL;
	*out = NULL;
	enum err e = centre_child_json(c, v, id, &cs);
	if (e != ERR_OK)
		return e;
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(cs, "notes"), i, n)
	{
		json_t *hist = NULL;
		e = casework_note_history(c, v, &centre_casework,
					  (int64_t)json_integer_value(json_object_get(n, "id")),
					  &hist);
		json_object_set_new(n, "versions", hist);
		if (e != ERR_OK)
			break;
	}
	if (e != ERR_OK) {
		json_decref(cs);
		return e;
	}
	json_t *doc = json_pack("{s:s, s:s, s:o}", "format", "mimamori-centre-handover-1",
				"service", CENTRE_SERVICE, "child", cs);
	*out = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	return *out ? ERR_OK : ERR_IO;
}

enum err api_ce_handover(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char *text = NULL, number[16] = "", content[96], object[48], name[64];
	unsigned char *box = NULL;
	size_t box_len = 0;
	struct buf file;
	buf_init(&file, 64 * 1024 * 1024);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK) {
		store_release(c);
		goto out;
	}
	const char *pass = json_string_value(json_object_get(body, "passphrase"));
	if (!vault_passphrase_ok(pass)) {
		store_release(c);
		e = http_error_as(rs, ERR_INVALID, "bad_passphrase",
				  "パスフレーズを10文字以上（256バイトまで）で入力してください。");
		goto out;
	}
	e = centre_handover_text(c, centre_vault(rq->app), id, &text);
	struct store_stmt *st = store_prepare(c, "SELECT number FROM ce_cases WHERE id = ?1");
	if (st) {
		store_bind_int(st, 1, id);
		if (store_step(st) == STORE_ROW)
			snprintf(number, sizeof number, "%s", store_col_text(st, 0));
		store_finish(st);
	}
	store_release(c);
	if (e == ERR_OK)
		e = vault_passbox_seal(pass, VAULT_PASSBOX_MODERATE, text, strlen(text), &box,
				       &box_len);
	if (e == ERR_OK)
		e = buf_append(&file, box, box_len);
	if (e != ERR_OK) {
		e = http_error(rs, e, "引き継ぎファイルを作れませんでした。");
		goto out;
	}
	snprintf(content, sizeof content, "handover %s sealed-passphrase", number);
	snprintf(object, sizeof object, "centre_child:%" PRId64, id);
	snprintf(name, sizeof name, "centre-handover-%s.mmbox", number);
	struct ledger_item it = {.service = CENTRE_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = object,
				 .records = 1};
	e = ledger_hand_over(rq, rs, &it, &file, "application/octet-stream", name);
out:
	vault_wipe_free(text);
	free(box);
	buf_free(&file);
	json_decref(body);
	return e;
}
