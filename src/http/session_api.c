/* SPDX-License-Identifier: MIT */
/* session_api.c — sign-in, who-am-I and sign-out for staff (cookie sessions). */
#include "http/session_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/session.h"
#include "base/xalloc.h"

static json_t *user_json(const struct user *u, const char *csrf)
{
	json_t *sites = json_array();
	for (size_t i = 0; i < u->nsites; i++)
		json_array_append_new(sites, json_string(u->site_codes[i]));
	return json_pack("{s:{s:s,s:s,s:o,s:b},s:s}", "user", "login", u->login, "role",
			 role_name(u->role), "sites", sites, "must_change_password",
			 u->must_change_password, "csrf", csrf);
}

char *session_cookie(struct app *a, const char *name, const char *value, long max_age)
{
	return xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", name, value,
			 max_age, a->cfg.secure_cookies ? "; Secure" : "");
}

enum err api_session_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *login = NULL, *password = NULL;
	struct user u;
	int64_t retry = 0;
	char *token = NULL, *csrf = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "login", &login, "password", &password) != 0) {
		e = http_error(rs, ERR_INVALID, "login and password are required");
		goto out;
	}
	e = user_sign_in(rq->app->store, rq->app->vault, login, password, &u, &retry);
	if (e == ERR_TOOMANY) {
		char msg[128];
		snprintf(msg, sizeof msg, "too many failed sign-ins; try again in %lld s",
			 (long long)(retry + 999) / 1000);
		e = http_error(rs, e, msg);
		goto out;
	}
	if (e == ERR_UNAUTH) {
		e = http_error(rs, e, "wrong login or password");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	e = session_create(rq->app->store, u.id, &token, &csrf);
	if (e != ERR_OK)
		goto out;
	rs->set_cookie = session_cookie(rq->app, SESSION_COOKIE, token, SESSION_ABSOLUTE_MS / 1000);
	e = http_json(rs, 200, user_json(&u, csrf));
out:
	json_decref(body);
	free(token);
	free(csrf);
	return e;
}

enum err api_session_get(struct http_req *rq, struct http_resp *rs)
{
	char csrf[64] = "";
	int64_t uid = 0;
	const char *tok = http_cookie(rq, SESSION_COOKIE);
	if (!tok || session_check(rq->app->store, tok, &uid, csrf) != ERR_OK)
		return http_error(rs, ERR_UNAUTH, "not signed in");
	return http_json(rs, 200, user_json(&rq->user, csrf));
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
