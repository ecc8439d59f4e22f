/* SPDX-License-Identifier: MIT */
/* device_api.c — a device asks to be enrolled for an account (senders: principals' home PCs and
 * phones, seed 003) and shows its state; the ward lists, approves and revokes devices. */
#include "http/device_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/approved_device.h"
#include "auth/user_admin.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "http/session_api.h"
#include "vault/vault.h"

static void iso_or_null(json_t *o, const char *key, int64_t ms)
{
	char t[32];
	if (!ms) {
		json_object_set_new(o, key, json_null());
		return;
	}
	clock_jst_iso(ms, t, sizeof t);
	json_object_set_new(o, key, json_string(t));
}

/* A device as JSON; full adds what only the ward sees (browser, approver, last use). */
static json_t *device_json(const struct approved_device *d, int full)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)d->id, "login",
			      d->login, "role", d->role, "label", d->label, "code", d->code,
			      "state", d->state);
	if (!o)
		return json_object();
	iso_or_null(o, "requested_at", d->requested_ms);
	iso_or_null(o, "approved_at", d->approved_ms);
	iso_or_null(o, "revoked_at", d->revoked_ms);
	if (full) {
		json_object_set_new(o, "role_label", json_string(user_role_label(d->role)));
		json_object_set_new(o, "agent", json_string(d->agent));
		iso_or_null(o, "last_used_at", d->last_used_ms);
	}
	return o;
}

enum err api_device_enrol(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *login = NULL, *password = NULL, *label = NULL;
	struct user u;
	struct user_sign_in_out res = {0};
	struct approved_device d;
	char *token = NULL, *cookie = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s,s:s}", "login", &login, "password", &password, "label",
			&label) != 0) {
		e = http_error(rs, ERR_INVALID, "ログインID、パスワード、端末の名前を入力してください。");
		goto out;
	}
	struct user_sign_in_ctx ctx = {NULL, rq->client_addr, rq->app->cfg.admin_alert_email};
	e = user_sign_in_ex(rq->app->store, rq->app->vault, login, password, &ctx, &u, &res);
	if (e == ERR_TOOMANY) {
		e = session_api_throttled(rs, &res, "登録");
		goto out;
	}
	if (e == ERR_UNAUTH) {
		e = http_error_as(rs, e, "wrong_login", "ログインIDまたはパスワードが違います。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if (!role_needs_device(u.role)) {
		e = http_error_as(rs, ERR_CONFLICT, "device_not_needed",
				  "この利用者は端末の登録をしなくてもログインできます。");
		goto out;
	}
	e = approved_device_request(rq->app->store, rq->app->vault, rq->actor, u.id, label,
				    http_header(rq, "User-Agent"), &token, &d);
	if (e == ERR_INVALID) {
		e = http_error_as(rs, e, "bad_label",
				  "端末の名前は1〜40文字で入力してください（例：自宅のパソコン）。");
		goto out;
	}
	if (e == ERR_TOOMANY) {
		e = http_error_as(rs, e, "too_many_requests",
				  "承認を待っている端末が多すぎます。区の担当者に連絡してください。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	/* Sent with every API request, so that each request of the account is checked. */
	cookie = xasprintf("%s=%s; Path=/api/v1/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
			   APPROVED_DEVICE_COOKIE, token, APPROVED_DEVICE_MAX_AGE_S,
			   rq->app->cfg.secure_cookies ? "; Secure" : "");
	rs->set_cookie = cookie;
	cookie = NULL;
	e = http_json(rs, 201, json_pack("{s:o}", "device", device_json(&d, 0)));
out:
	json_decref(body);
	vault_wipe_free(res.device_token);
	vault_wipe_free(token);
	return e;
}

enum err api_device_enrolment_get(struct http_req *rq, struct http_resp *rs)
{
	struct approved_device d;
	enum err e = approved_device_of_token(rq->app->store, rq->app->vault,
					      http_cookie(rq, APPROVED_DEVICE_COOKIE), &d);
	if (e == ERR_NOTFOUND)
		return http_json(rs, 200, json_pack("{s:n}", "device"));
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:o}", "device", device_json(&d, 0)));
}

enum err api_device_list(struct http_req *rq, struct http_resp *rs)
{
	struct approved_device *rows = NULL;
	size_t n = 0;
	enum err e = approved_device_list(rq->app->store, rq->app->vault, &rows, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	size_t pending = 0;
	for (size_t i = 0; i < n; i++) {
		pending += strcmp(rows[i].state, "pending") == 0;
		json_array_append_new(arr, device_json(&rows[i], 1));
	}
	free(rows);
	return http_json(rs, 200, json_pack("{s:o,s:I}", "devices", arr, "pending",
					    (json_int_t)pending));
}

static enum err decide(struct http_req *rq, struct http_resp *rs, int approve)
{
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その端末はありません。");
	enum err e = approved_device_decide(rq->app->store, rq->app->vault, rq->actor, rq->user.id,
					    id, approve);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "その端末はありません。");
	if (e == ERR_CONFLICT)
		return http_error_as(rs, e, "already_decided",
				     approve ? "この端末はすでに承認されたか、無効にされています。"
					     : "この端末はすでに無効にされています。");
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
					    approve ? "approved" : "revoked"));
}

enum err api_device_approve(struct http_req *rq, struct http_resp *rs)
{
	return decide(rq, rs, 1);
}

enum err api_device_revoke(struct http_req *rq, struct http_resp *rs)
{
	return decide(rq, rs, 0);
}
