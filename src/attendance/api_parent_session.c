/* SPDX-License-Identifier: MIT */
/* api_parent_session.c — guardians' sign-in by mail link (/api/v1/parent/login-links and
 * /api/v1/parent/session), and the list of their own children. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "auth/session.h"
#include "http/session_api.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_parent_link_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *email = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s}", "email", &email) != 0 || !email[0] || strlen(email) > 254) {
		e = http_error(rs, ERR_INVALID, "メールアドレスを入力してください。");
		goto out;
	}
	/* The same answer, at once, whether the address is registered or not: the look-up and
	 * the mail happen after it (their time would tell). */
	guardian_login_request_later(rq->app, rs, email);
	e = http_json(rs, 202,
		      json_pack("{s:s}", "message",
				"登録と確認が済んだメールアドレスでしたら、ログイン用のリンク（15分間"
				"有効）を送りました。メールをご確認ください。"));
out:
	json_decref(body);
	return e;
}

static enum err session_answer(struct http_req *rq, struct http_resp *rs, int64_t gid,
			       const char *csrf, unsigned status)
{
	char *name = NULL;
	enum err e = guardian_name(rq->app, gid, &name);
	if (e != ERR_OK)
		return e;
	e = http_json(rs, status,
		      json_pack("{s:{s:s},s:s}", "guardian", "name", name, "csrf", csrf));
	vault_wipe_free(name);
	return e;
}

enum err api_parent_session_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *token = NULL;
	char *stoken = NULL, *csrf = NULL;
	int64_t gid = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s}", "token", &token) != 0 || !token[0] || strlen(token) > 128) {
		e = http_error_as(rs, ERR_INVALID, "link_invalid",
				  "ログイン用リンクが正しくありません。メールにあるリンクを、もう一度その"
				  "まま開いてください。");
		goto out;
	}
	e = guardian_login_redeem(rq->app, token, &gid);
	if (e == ERR_NOTFOUND) {
		e = http_error_as(rs, e, "link_invalid",
				  "このログイン用リンクは使えません（使用済みか、有効期限の15分を過ぎて"
				  "います）。もう一度ログイン用リンクを送ってください。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	e = session_create_kind(rq->app->store, SESSION_GUARDIAN, gid, &stoken, &csrf);
	if (e != ERR_OK)
		goto out;
	rs->set_cookie = session_cookie(rq->app, SESSION_PARENT_COOKIE, stoken, SESSION_ABSOLUTE_MS / 1000);
	e = session_answer(rq, rs, gid, csrf, 200);
out:
	json_decref(body);
	vault_wipe_free(stoken);
	free(csrf);
	return e;
}

enum err api_parent_session_get(struct http_req *rq, struct http_resp *rs)
{
	char csrf[64] = "";
	int64_t gid = 0;
	const char *tok = http_cookie(rq, SESSION_PARENT_COOKIE);
	if (!tok || session_check_kind(rq->app->store, SESSION_GUARDIAN, tok, &gid, csrf) != ERR_OK)
		return http_error(rs, ERR_UNAUTH,
				  "ログインしていません。ログイン用リンクを送って、もう一度ログインして"
				  "ください。");
	return session_answer(rq, rs, gid, csrf, 200);
}

enum err api_parent_session_delete(struct http_req *rq, struct http_resp *rs)
{
	const char *tok = http_cookie(rq, SESSION_PARENT_COOKIE);
	if (tok)
		session_delete_kind(rq->app->store, SESSION_GUARDIAN, tok);
	rs->set_cookie = session_cookie(rq->app, SESSION_PARENT_COOKIE, "", 0);
	rs->status = 204;
	return ERR_OK;
}

json_t *api_parent_site_json(const struct site *s)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "code", s->code, "name", s->name, "phone",
			 s->phone, "deadline", s->deadline, "opens", s->opens, "closes",
			 s->closes);
}

enum err api_parent_children(struct http_req *rq, struct http_resp *rs)
{
	json_t *arr = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT ch.child_no, ch.name_enc, ch.grade, ch.site_id FROM children ch JOIN "
	       "child_guardians cg ON cg.child_id = ch.id WHERE cg.guardian_id = ? AND "
	       "ch.active = 1 ORDER BY ch.child_no");
	if (!st)
		goto out;
	store_bind_int(st, 1, rq->guardian_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct site s;
		char *name = NULL;
		size_t len;
		const void *b = store_col_blob(st, 1, &len);
		e = site_get(c, store_col_int(st, 3), &s);
		if (e == ERR_OK)
			e = vault_unseal(attendance_vault(rq->app), "children.name", b, len, &name);
		if (e != ERR_OK)
			goto out;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:o}", "child_no",
						     store_col_text(st, 0), "name", name, "grade",
						     (int)store_col_int(st, 2), "site",
						     api_parent_site_json(&s)));
		vault_wipe_free(name);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "children", arr));
}
