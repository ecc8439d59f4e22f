/* SPDX-License-Identifier: MIT */
/* totp_api.c — the second factor's handlers: the code step of a sign-in and the enrolment
 * (secret, QR code, first code, recovery codes). Storage and rules are auth/totp_store.c's. */
#include "http/totp_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/totp.h"
#include "auth/totp_store.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "doc/qr_png.h"
#include "http/session_api.h"
#include "store/store.h"
#include "vault/vault.h"
#include "base/text.h"

#define ISSUER "mimamori"
#define QR_PX 320

static int64_t now_s(void)
{
	return clock_now_ms() / 1000;
}

/* The key URI an authenticator app reads (Google Authenticator's format), malloc'd; caller
 * wipes it with vault_wipe_free. Logins are letters, digits and -_. (user_login_ok): nothing
 * to escape. */
static char *key_uri(const char *login, const char *secret)
{
	return xasprintf("otpauth://totp/" ISSUER ":%s?secret=%s&issuer=" ISSUER
			 "&algorithm=SHA1&digits=%d&period=%d",
			 login, secret, TOTP_DIGITS, TOTP_STEP_S);
}

static enum err locked_error(struct http_resp *rs, int64_t retry_ms)
{
	char msg[256], wait[32];
	snprintf(msg, sizeof msg,
		 "確認コードの誤りが続いたため、しばらく入力できません。%sにもう一度お試しください。",
		 text_wait_ja(retry_ms, wait, sizeof wait));
	return http_error_as(rs, ERR_TOOMANY, "second_factor_locked", msg);
}

enum err api_totp_sign_in(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *challenge = NULL, *code = NULL;
	int64_t uid = 0, retry = 0;
	int recovery = 0;
	struct user u;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "challenge", &challenge, "code", &code) != 0 ||
	    strlen(challenge) > 128 || strlen(code) > 64) {
		e = http_error(rs, ERR_INVALID, "確認コードを入力してください。");
		goto out;
	}
	e = totp_challenge_try(rq->app->store, challenge, &uid);
	if (e == ERR_UNAUTH) {
		e = http_error_as(rs, e, "challenge_expired",
				  "確認の有効期限が切れました。もう一度ログインしてください。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	e = totp_verify(rq->app->store, rq->app->vault, uid, code, now_s(), &recovery, &retry);
	if (e == ERR_TOOMANY) {
		e = locked_error(rs, retry);
		goto out;
	}
	if (e == ERR_UNAUTH || e == ERR_NOTFOUND) {
		e = http_error_as(rs, ERR_UNAUTH, "wrong_code",
				  "確認コードが違うか、すでに使われています。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	totp_challenge_done(rq->app->store, challenge);
	e = user_load(rq->app->store, uid, &u);
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, ERR_UNAUTH, "wrong_login", "このアカウントは使えません。");
	if (e == ERR_OK)
		e = session_api_finish(rq, rs, &u);
out:
	json_decref(body);
	return e;
}

enum err api_totp_state(struct http_req *rq, struct http_resp *rs)
{
	int64_t left = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	int enrolled = 0;
	enum err e = totp_enrolled(c, rq->user.id, &enrolled);
	if (e == ERR_OK)
		e = totp_recovery_left(c, rq->user.id, &left);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:b,s:b,s:I}", "enrolled", enrolled, "required",
				   rq->app->cfg.second_factor_required, "recovery_left",
				   (json_int_t)left));
}

enum err api_totp_enrol(struct http_req *rq, struct http_resp *rs)
{
	char *secret = NULL, *uri = NULL;
	enum err e = totp_enrol_begin(rq->app->store, rq->app->vault, rq->user.id, &secret);
	if (e == ERR_CONFLICT)
		return http_error_as(
		    rs, e, "already_enrolled",
		    "二段階認証はすでに登録されています。登録し直すには、区の管理者に"
		    "リセット（mimamori user totp-reset）を依頼してください。");
	if (e != ERR_OK)
		return e;
	uri = key_uri(rq->user.login, secret);
	e = http_json(rs, 200, json_pack("{s:s,s:s}", "secret", secret, "uri", uri));
	vault_wipe_free(secret);
	vault_wipe_free(uri);
	return e;
}

enum err api_totp_enrol_qr(struct http_req *rq, struct http_resp *rs)
{
	char *secret = NULL, *uri = NULL;
	enum err e = totp_enrol_pending(rq->app->store, rq->app->vault, rq->user.id, &secret);
	if (e == ERR_NOTFOUND || e == ERR_CONFLICT)
		return http_error_as(
		    rs, ERR_NOTFOUND, "no_enrolment",
		    "登録中の二段階認証はありません。最初からやり直してください。");
	if (e != ERR_OK)
		return e;
	uri = key_uri(rq->user.login, secret);
	buf_free(&rs->body);
	e = doc_qr_png(uri, QR_PX, &rs->body);
	vault_wipe_free(secret);
	vault_wipe_free(uri);
	if (e != ERR_OK)
		return e;
	rs->status = 200;
	rs->content_type = "image/png";
	return ERR_OK;
}

enum err api_totp_enrol_confirm(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *code = NULL;
	char *codes[TOTP_RECOVERY_CODES] = {0};
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s}", "code", &code) != 0) {
		e = http_error(rs, ERR_INVALID, "確認コードを入力してください。");
		goto out;
	}
	e = totp_enrol_confirm(rq->app->store, rq->app->vault, rq->user.id, code, now_s(), codes);
	if (e == ERR_TOOMANY) {
		e = locked_error(rs, TOTP_LOCK_MS);
		goto out;
	}
	if (e == ERR_UNAUTH || e == ERR_INVALID) {
		e = http_error_as(rs, ERR_INVALID, "wrong_code",
				  "確認コードが違います。認証アプリに表示されている6桁の数字を"
				  "入力してください。");
		goto out;
	}
	if (e == ERR_NOTFOUND) {
		e = http_error_as(rs, e, "no_enrolment",
				  "登録中の二段階認証はありません。最初からやり直してください。");
		goto out;
	}
	if (e == ERR_CONFLICT) {
		e = http_error_as(rs, e, "already_enrolled",
				  "二段階認証はすでに登録されています。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	json_t *list = json_array();
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(codes[i]));
	e = http_json(rs, 200, json_pack("{s:o}", "recovery_codes", list));
out:
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
		vault_wipe_free(codes[i]);
	json_decref(body);
	return e;
}

enum err api_user_totp_reset(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その利用者はいません。");
	if (id == rq->user.id)
		return http_error_as(rs, ERR_FORBIDDEN, "own_second_factor",
				     "自分の二段階認証はリセットできません。ほかの管理者に依頼して"
				     "ください。");
	enum err e = totp_reset(rq->app->store, rq->app->vault, id, rq->actor);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_second_factor",
				     "この利用者には二段階認証が登録されていません。");
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "second_factor", 0));
}
