/* SPDX-License-Identifier: MIT */
/* user_api.h — handlers of /api/v1/users (the ward administrator's management of staff
 * accounts) and /api/v1/session/password (a user's own password change). */
#ifndef MIMAMORI_HTTP_USER_API_H
#define MIMAMORI_HTTP_USER_API_H
#include "http/http.h"

/* GET /api/v1/users (ward admin): every account with role, sites and lock state. */
enum err api_user_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/users (ward admin): {login, role, sites} → 201 {user, password}: a random first
 * password, shown this once, to be changed at the first sign-in. */
enum err api_user_create(struct http_req *rq, struct http_resp *rs);
/* PATCH /api/v1/users/{id} (ward admin): {role, sites} and/or {locked: true|false} → the
 * account. */
enum err api_user_patch(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/users/{id}/password (ward admin): a new random password, shown this once, to be
 * changed at the next sign-in → {user, password}; the account's sessions end. */
enum err api_user_password_reset(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/users/{id}/retire (ward admin): the account retired for good (アカウントの廃止:
 * user_admin_retire) → the account, "retired": true; 409 with the reason for oneself, the last
 * ward administrator or an account already retired. */
enum err api_user_retire(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/session/password (any staff, also while a change is due): {current, new} →
 * the signed-in user with must_change_password false. */
enum err api_session_password(struct http_req *rq, struct http_resp *rs);

#endif
