/* SPDX-License-Identifier: MIT */
/* api_welcome.c — a parent sets their password with the one-time link the centre mailed them
 * (public: the link is the credential; a wrong, used or expired link is 404 and counts against
 * the caller's address). The password follows the platform's rules; the change is the
 * platform's own (a reset, then the change that clears it), audited. */
#include "centre/api.h"

#include <stdio.h>

#include "app.h"
#include "auth/password.h"
#include "auth/user.h"
#include "auth/user_admin.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_ce_welcome(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct user u;
	int64_t uid = 0, now = clock_now_ms(), retry = 0;
	char *tmp = NULL;
	const char *why = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *token = json_string_value(json_object_get(body, "token"));
	const char *pass = json_string_value(json_object_get(body, "password"));
	struct store_conn *c = store_acquire(rq->app->store);
	e = centre_welcome_peek(c, token, now, &uid);
	store_release(c);
	if (e == ERR_OK)
		e = user_load(rq->app->store, uid, &u);
	if (e == ERR_NOTFOUND) {
		e = http_error_as(
		    rs, e, "bad_link",
		    "このリンクは使えません（使用済みか期限切れです）。センターにお問い合わせ"
		    "ください。");
		goto out;
	}
	if (e != ERR_OK) {
		e = http_error(rs, e, "パスワードを設定できませんでした。");
		goto out;
	}
	why =
	    pass ? auth_password_refusal(pass, u.login, NULL, 0) : "パスワードを入力してください。";
	if (why) {
		e = http_error_as(rs, ERR_INVALID, "bad_password", why);
		goto out;
	}
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_welcome_use(c, token, now);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	store_release(c);
	if (e == ERR_OK)
		e = user_admin_reset_password(rq->app->store, rq->app->vault, rq->actor, uid, &tmp,
					      &why);
	if (e == ERR_OK)
		e = user_load(rq->app->store, uid, &u);
	if (e == ERR_OK)
		e = user_change_password(rq->app->store, rq->app->vault, &u, tmp, pass, &retry,
					 &why);
	if (e != ERR_OK) {
		e = e == ERR_NOTFOUND
			? http_error_as(
			      rs, e, "bad_link",
			      "このリンクは使えません（使用済みか期限切れです）。センターに"
			      "お問い合わせください。")
			: http_error(rs, e, "パスワードを設定できませんでした。");
		goto out;
	}
	e = http_json(rs, 200, json_pack("{s:s}", "login", u.login));
out:
	vault_wipe_free(tmp);
	json_decref(body);
	return e;
}
