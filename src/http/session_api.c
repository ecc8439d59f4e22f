/* SPDX-License-Identifier: MIT */
/* session_api.c — sign-in, who-am-I and sign-out for staff (cookie sessions), with the device
 * cookie that lets a client that signed in before past an account's lock. */
#include "http/session_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/approved_device.h"
#include "auth/audit.h"
#include "auth/session.h"
#include "auth/signin_device.h"
#include "auth/totp_store.h"
#include "base/xalloc.h"
#include "grant/path.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"
#include "base/text.h"

/* The signed-in user u as the pages see it; an account of a grant role also names its
 * benefit (the menu shows that benefit's pages only). */
static json_t *user_json(struct app *a, const struct user *u, const char *csrf)
{
	json_t *sites = json_array();
	char benefit[32] = "";
	for (size_t i = 0; i < u->nsites; i++)
		json_array_append_new(sites, json_string(u->site_codes[i]));
	if (u->role & ROLE_GRANT_USERS) {
		struct store_conn *c = store_acquire(a->store);
		if (!grant_staff_service(c, u->id, benefit, sizeof benefit))
			benefit[0] = '\0';
		store_release(c);
	}
	/* second_factor_due: an administrator sent to enrolment first (issue 19) */
	return json_pack("{s:{s:s,s:s,s:o,s:b,s:b,s:s?,s:b},s:s}", "user", "login", u->login,
			 "role", role_name(u->role), "sites", sites, "must_change_password",
			 u->must_change_password, "password_term_due", u->password_term_due,
			 "benefit", benefit[0] ? benefit : NULL, "second_factor_due",
			 (u->role & ROLE_SECOND_FACTOR) && u->totp_due &&
			     a->cfg.second_factor_required,
			 "csrf", csrf);
}

char *session_cookie(struct app *a, const char *name, const char *value, long max_age)
{
	return xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", name, value,
			 max_age, a->cfg.secure_cookies ? "; Secure" : "");
}

/* The device cookie after a success: token (new, or NULL) first, then the tokens the client
 * already held (for other accounts on the same computer), at most SIGNIN_DEVICE_TOKENS.
 * Returns the Set-Cookie value (malloc'd), or NULL when there is nothing to set. */
static char *device_cookie(struct app *a, const char *token, const char *held)
{
	struct buf b;
	int n = 0;
	buf_init(&b, 1024);
	if (token) {
		buf_puts(&b, token);
		n++;
	}
	for (const char *p = held; p && *p && n < SIGNIN_DEVICE_TOKENS;) {
		size_t len = strcspn(p, ".");
		size_t ok = len >= 16 && len <= 64 ? strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
							   "nopqrstuvwxyz0123456789-_")
						     : 0;
		if (ok >= len && len) {
			buf_printf(&b, "%s%.*s", n ? "." : "", (int)len, p);
			n++;
		}
		p += len;
		p += *p == '.';
	}
	if (!n) {
		buf_free(&b);
		return NULL;
	}
	/* Sent only to the sign-in route; a year unused and it is forgotten on both sides. */
	char *v = xasprintf("%s=%s; Path=/api/v1/session; HttpOnly; SameSite=Strict; "
			    "Max-Age=%lld%s",
			    SIGNIN_DEVICE_COOKIE, b.data, SIGNIN_DEVICE_TTL_MS / 1000,
			    a->cfg.secure_cookies ? "; Secure" : "");
	vault_wipe(b.data, b.len);
	buf_free(&b);
	return v;
}

enum err session_api_throttled(struct http_resp *rs, const struct user_sign_in_out *res,
			       const char *what)
{
	char msg[256], wait[32];
	text_wait_ja(res->retry_ms, wait, sizeof wait);
	if (res->by_address) /* this account never failed: say what holds it */
		snprintf(msg, sizeof msg,
			 "この接続元からの試行が多すぎます。%sにもう一度お試しください。", wait);
	else
		snprintf(msg, sizeof msg,
			 "ログインの失敗が続いたため、しばらく%sできません。%sにもう一度お試し"
			 "ください。",
			 what, wait);
	return http_error_as(rs, ERR_TOOMANY,
			     res->by_address ? "address_throttled" : "sign_in_throttled", msg);
}

enum err api_session_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *login = NULL, *password = NULL;
	struct user u;
	struct user_sign_in_out res = {0};
	char *token = NULL, *dev = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "login", &login, "password", &password) != 0) {
		e = http_error(rs, ERR_INVALID, "ログイン名とパスワードを入力してください。");
		goto out;
	}
	const char *held = http_cookie(rq, SIGNIN_DEVICE_COOKIE);
	struct user_sign_in_ctx ctx = {held, rq->client_addr, rq->app->cfg.admin_alert_email};
	e = user_sign_in_ex(rq->app->store, rq->app->vault, login, password, &ctx, &u, &res);
	if (res.locked && rq->app->mail)
		mail_sender_wake(rq->app->mail); /* the lock alert */
	if (e == ERR_TOOMANY) {
		e = session_api_throttled(rs, &res, "ログイン");
		goto out;
	}
	if (e == ERR_UNAUTH && res.stopped) {
		/* Only the account's own password hears this: others still get wrong_login. */
		e = http_error_as(rs, e, "account_stopped",
				  "このアカウントは区の管理者がロックしています。使うときは区の管理者に"
				  "連絡してください。");
		goto out;
	}
	if (e == ERR_UNAUTH) {
		e = http_error_as(rs, e, "wrong_login", "ログイン名またはパスワードが違います。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	/* A sender works only from a device the ward approved, even with the right password. */
	if (role_needs_device(u.role)) {
		const char *approved = http_cookie(rq, APPROVED_DEVICE_COOKIE);
		e = approved_device_check(rq->app->store, approved, u.id);
		if (e == ERR_FORBIDDEN) {
			struct store_conn *c = store_acquire(rq->app->store);
			char object[48];
			snprintf(object, sizeof object, "user:%lld", (long long)u.id);
			e = audit_append(c, rq->app->vault, object, "signin.device_refused", object,
					 approved ? "not approved" : "no device credential");
			store_release(c);
			if (e == ERR_OK)
				e = http_error_as(rs, ERR_FORBIDDEN, "device_not_approved",
						  "この端末は区の承認を受けていないため、ログインできません。"
						  "端末の登録を申請し、区の承認を受けてから使ってください。");
			goto out;
		}
		if (e != ERR_OK)
			goto out;
		approved_device_used(rq->app->store, approved);
	}
	/* The device cookie goes with the right password, with or without the second step. */
	dev = device_cookie(rq->app, res.device_token, held);
	if (dev) {
		e = http_set_header(rs, "Set-Cookie", dev);
		if (e != ERR_OK)
			goto out;
	}
	/* An account with an authenticator signs in with its code too (issue 19). */
	int enrolled = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	e = totp_enrolled(c, u.id, &enrolled);
	store_release(c);
	if (e != ERR_OK)
		goto out;
	if (enrolled) {
		e = totp_challenge_create(rq->app->store, u.id, &token);
		if (e == ERR_OK)
			e = http_json(rs, 401,
				      json_pack("{s:s,s:s,s:s}", "code", "second_factor_required",
						"message",
						"認証アプリに表示されている6桁の確認コードを入力してください。",
						"challenge", token));
		goto out;
	}
	e = session_api_finish(rq, rs, &u);
out:
	json_decref(body);
	vault_wipe_free(res.device_token);
	vault_wipe_free(dev);
	vault_wipe_free(token);
	return e;
}

enum err session_api_finish(struct http_req *rq, struct http_resp *rs, const struct user *u)
{
	char *token = NULL, *csrf = NULL;
	enum err e = session_create(rq->app->store, u->id, &token, &csrf);
	if (e != ERR_OK)
		return e;
	free(rs->set_cookie);
	rs->set_cookie = session_cookie(rq->app, SESSION_COOKIE, token, SESSION_ABSOLUTE_MS / 1000);
	e = http_json(rs, 200, user_json(rq->app, u, csrf));
	vault_wipe_free(token);
	free(csrf);
	return e;
}

enum err api_session_get(struct http_req *rq, struct http_resp *rs)
{
	char csrf[64] = "";
	int64_t uid = 0;
	const char *tok = http_cookie(rq, SESSION_COOKIE);
	if (!tok || session_check(rq->app->store, tok, &uid, csrf) != ERR_OK)
		return http_error(rs, ERR_UNAUTH, "ログインしていません。");
	return http_json(rs, 200, user_json(rq->app, &rq->user, csrf));
}

enum err api_session_delete(struct http_req *rq, struct http_resp *rs)
{
	const char *tok = http_cookie(rq, SESSION_COOKIE);
	if (tok)
		session_delete(rq->app->store, tok);
	rs->set_cookie = session_cookie(rq->app, SESSION_COOKIE, "", 0);
	rs->status = 204;
	return ERR_OK;
}
