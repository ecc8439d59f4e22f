/* SPDX-License-Identifier: MIT */
/* session_api.h — handlers of /api/v1/session. */
#ifndef MIMAMORI_HTTP_SESSION_API_H
#define MIMAMORI_HTTP_SESSION_API_H
#include "http/http.h"

struct app;
/* Returns the Set-Cookie value (malloc'd, caller frees) for session cookie name holding value
 * for max_age seconds (0 clears it): HttpOnly, SameSite=Strict, Secure behind TLS. */
char *session_cookie(struct app *a, const char *name, const char *value, long max_age);
/* POST: {login, password} → the user and a CSRF token, with the session cookie set; for an
 * account with an authenticator 401 second_factor_required with a challenge for
 * POST /api/v1/session/totp (totp_api.h). */
enum err api_session_create(struct http_req *rq, struct http_resp *rs);
/* The end of a sign-in of u (its password and, where enrolled, its code checked): a new
 * session, its cookie, and the user and CSRF token as POST answers them. */
struct user;
enum err session_api_finish(struct http_req *rq, struct http_resp *rs, const struct user *u);
/* The 429 of a sign-in user_sign_in_ex held (res: its out), for a person trying to do what
 * (「ログイン」, 「登録」): the address held, or the account's failures, with how long to wait. */
struct user_sign_in_out;
enum err session_api_throttled(struct http_resp *rs, const struct user_sign_in_out *res,
			       const char *what);
/* GET: the signed-in user and CSRF token. */
enum err api_session_get(struct http_req *rq, struct http_resp *rs);
/* DELETE: ends the session and clears the cookie (204). */
enum err api_session_delete(struct http_req *rq, struct http_resp *rs);

#endif
