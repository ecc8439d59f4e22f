/* SPDX-License-Identifier: MIT */
/* user_api.c — the ward administrator's staff accounts (list, add, role and sites, lock,
 * password reset) and a user's own password change, over the functions of auth/user_admin.c. */
#include "http/user_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/service.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "auth/user_admin.h"
#include "grant/path.h"
#include "store/store.h"
#include "base/clock.h"
#include "vault/vault.h"

/* The benefit (a service with .benefit) named name, or NULL. */
static const struct service *benefit_named(const char *name)
{
	for (const struct service *const *sv = app_services(); name && *sv; sv++)
		if ((*sv)->benefit && strcmp((*sv)->name, name) == 0)
			return *sv;
	return NULL;
}

/* Reads "benefit" of body for an account of role: required for the grant roles (one of the
 * benefits), refused for the others. *name is NULL when none applies. ERR_INVALID with the
 * answer set. */
static enum err body_benefit(struct http_resp *rs, json_t *body, const char *role,
			     const char **name)
{
	const char *b = json_string_value(json_object_get(body, "benefit"));
	int grant = role && (role_parse(role) & ROLE_GRANT_USERS);
	*name = NULL;
	if (!grant && b && *b)
		return http_error_as(rs, ERR_INVALID, "bad_benefit",
				     "担当の事業を選べるのは、助成の役割の利用者だけです。");
	if (!grant)
		return ERR_OK;
	if (!benefit_named(b))
		return http_error_as(rs, ERR_INVALID, "bad_benefit",
				     "助成の役割の利用者には、担当の事業（ベビーシッター利用支援・"
				     "家事・育児支援など）を選んでください。");
	*name = b;
	return ERR_OK;
}

/* Scopes account id to benefit name (audited). */
static enum err set_benefit(struct http_req *rq, int64_t id, const char *name)
{
	char object[32];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = grant_staff_set(c, id, name);
	snprintf(object, sizeof object, "user:%lld", (long long)id);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "grant.staff", object, name);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	store_release(c);
	return e;
}

/* Adds the account's benefit ("benefit", its label) to o. */
static void add_benefit(struct app *a, json_t *o, int64_t id)
{
	char name[32] = "";
	struct store_conn *c = store_acquire(a->store);
	int has = grant_staff_service(c, id, name, sizeof name);
	store_release(c);
	const struct service *sv = has ? benefit_named(name) : NULL;
	json_object_set_new(o, "benefit", sv ? json_string(sv->name) : json_null());
	json_object_set_new(o, "benefit_label", sv ? json_string(sv->label_ja) : json_null());
}

static json_t *row_json(const struct user_row *r)
{
	char created[32], until[32] = "";
	int64_t now = clock_now_ms();
	json_t *sites = json_array();
	for (size_t i = 0; i < r->nsites; i++)
		json_array_append_new(sites, json_string(r->site_codes[i]));
	clock_jst_iso(r->created_ms, created, sizeof created);
	if (r->locked_until_ms > now)
		clock_jst_iso(r->locked_until_ms, until, sizeof until);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:b,s:b,s:I,s:s}", "id", (json_int_t)r->id,
			      "login", r->login, "role", r->role, "role_label",
			      user_role_label(r->role), "sites", sites, "locked", r->locked,
			      "must_change_password", r->must_change_password, "failed_signins",
			      (json_int_t)r->failed_count, "created_at", created);
	if (o) {
		json_object_set_new(o, "locked_out_until", until[0] ? json_string(until) : json_null());
		json_object_set_new(o, "second_factor", json_boolean(r->second_factor));
		json_object_set_new(o, "retired", json_boolean(r->retired_ms != 0));
		if (r->retired_ms) {
			char at[32];
			clock_jst_iso(r->retired_ms, at, sizeof at);
			json_object_set_new(o, "retired_at", json_string(at));
		}
	}
	return o;
}

/* Reads the optional "sites" array of body into codes (pointers into body). ERR_INVALID with
 * the response's message when it is not an array of short strings. */
static enum err body_sites(struct http_resp *rs, json_t *body, const char **codes, size_t *n)
{
	json_t *a = json_object_get(body, "sites"), *v;
	size_t i;
	*n = 0;
	if (!a || json_is_null(a))
		return ERR_OK;
	if (!json_is_array(a) || json_array_size(a) > USER_MAX_SITES)
		return http_error_as(rs, ERR_INVALID, "bad_sites",
				     "担当施設は施設コードの一覧で指定してください。");
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 15)
			return http_error_as(rs, ERR_INVALID, "bad_sites",
					     "担当施設は施設コードの一覧で指定してください。");
		codes[(*n)++] = json_string_value(v);
	}
	return ERR_OK;
}

/* Maps an error of user_admin.c with its reason to the response. */
static enum err fail(struct http_resp *rs, enum err e, const char *why)
{
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, why ? why : "その利用者はいません。");
	if ((e == ERR_INVALID || e == ERR_CONFLICT || e == ERR_UNAUTH || e == ERR_TOOMANY) && why)
		return http_error(rs, e, why);
	return e;
}

static int64_t path_id(struct http_req *rq)
{
	return http_param_id(rq->params[0]);
}

enum err api_user_list(struct http_req *rq, struct http_resp *rs)
{
	struct user_row *v = NULL;
	size_t n = 0;
	enum err e = user_admin_list(rq->app->store, &v, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = row_json(&v[i]);
		add_benefit(rq->app, o, v[i].id);
		json_array_append_new(arr, o);
	}
	free(v);
	return http_json(rs, 200, json_pack("{s:o}", "users", arr));
}

/* Answers status with the account id and, when password is not NULL, the password. */
static enum err answer(struct http_req *rq, struct http_resp *rs, unsigned status, int64_t id,
		       const char *password)
{
	struct user_row row;
	enum err e = user_admin_get(rq->app->store, id, &row);
	if (e != ERR_OK)
		return fail(rs, e, NULL);
	json_t *u = row_json(&row);
	add_benefit(rq->app, u, id);
	json_t *o = json_pack("{s:o}", "user", u);
	if (password)
		json_object_set_new(o, "password", json_string(password));
	return http_json(rs, status, o);
}

enum err api_user_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *login = NULL, *role = NULL, *why = NULL, *codes[USER_MAX_SITES], *benefit;
	size_t n = 0;
	char *password = NULL;
	int64_t id = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "login", &login, "role", &role) != 0) {
		e = http_error_as(rs, ERR_INVALID, "bad_user",
				  "ログインIDと役割を入力してください。");
		goto out;
	}
	e = body_sites(rs, body, codes, &n);
	if (e == ERR_OK)
		e = body_benefit(rs, body, role, &benefit);
	if (e != ERR_OK)
		goto out;
	e = user_admin_add(rq->app->store, rq->app->vault, rq->actor, login, role, codes, n,
			   &password, &id, &why);
	if (e != ERR_OK) {
		e = fail(rs, e, why);
		goto out;
	}
	if (benefit)
		e = set_benefit(rq, id, benefit);
	if (e != ERR_OK)
		goto out;
	e = answer(rq, rs, 201, id, password);
out:
	vault_wipe_free(password);
	json_decref(body);
	return e;
}

enum err api_user_patch(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *why = NULL, *codes[USER_MAX_SITES], *benefit = NULL;
	size_t n = 0;
	int64_t id = path_id(rq);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その利用者はいません。");
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *role = json_object_get(body, "role"), *locked = json_object_get(body, "locked");
	if ((!role && !locked) || (role && !json_is_string(role)) ||
	    (locked && !json_is_boolean(locked))) {
		e = http_error_as(rs, ERR_INVALID, "bad_user",
				  "変更する内容（役割と担当施設、またはロック）を指定してください。");
		goto out;
	}
	e = body_sites(rs, body, codes, &n);
	if (e == ERR_OK && role)
		e = body_benefit(rs, body, json_string_value(role), &benefit);
	if (e == ERR_OK && role)
		e = user_admin_set_role(rq->app->store, rq->app->vault, rq->actor, rq->user.id, id,
					json_string_value(role), codes, n, &why);
	if (e == ERR_OK && benefit)
		e = set_benefit(rq, id, benefit);
	if (e == ERR_OK && locked)
		e = user_admin_lock(rq->app->store, rq->app->vault, rq->actor, rq->user.id, id,
				    json_is_true(locked), &why);
	if (e != ERR_OK) {
		e = rs->error ? e : fail(rs, e, why);
		goto out;
	}
	e = answer(rq, rs, 200, id, NULL);
out:
	json_decref(body);
	return e;
}

enum err api_user_password_reset(struct http_req *rq, struct http_resp *rs)
{
	const char *why = NULL;
	char *password = NULL;
	int64_t id = path_id(rq);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その利用者はいません。");
	enum err e = user_admin_reset_password(rq->app->store, rq->app->vault, rq->actor, id,
					       &password, &why);
	if (e != ERR_OK)
		return fail(rs, e, why);
	e = answer(rq, rs, 200, id, password);
	vault_wipe_free(password);
	return e;
}

enum err api_user_retire(struct http_req *rq, struct http_resp *rs)
{
	const char *why = NULL;
	int64_t id = path_id(rq);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その利用者はいません。");
	enum err e = user_admin_retire(rq->app->store, rq->app->vault, rq->actor, rq->user.id, id,
				       &why);
	if (e != ERR_OK)
		return fail(rs, e, why);
	return answer(rq, rs, 200, id, NULL);
}

enum err api_session_password(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *current = NULL, *next = NULL, *why = NULL;
	int64_t retry = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "current", &current, "new", &next) != 0) {
		e = http_error_as(rs, ERR_INVALID, "bad_password",
				  "今のパスワードと新しいパスワードを入力してください。");
		goto out;
	}
	e = user_change_password(rq->app->store, rq->app->vault, &rq->user, current, next, &retry,
				 &why);
	if (e == ERR_TOOMANY) {
		char msg[256];
		snprintf(msg, sizeof msg, "パスワードの誤りが続いたため、%lld秒待ってからもう一度お試しください。",
			 (long long)(retry + 999) / 1000);
		e = http_error(rs, e, msg);
		goto out;
	}
	if (e == ERR_UNAUTH) {
		/* Not a 401: the session is fine, the password typed is not. */
		e = http_error_as(rs, ERR_INVALID, "wrong_password", "今のパスワードが違います。");
		goto out;
	}
	if (e != ERR_OK) {
		e = fail(rs, e, why);
		goto out;
	}
	rq->user.must_change_password = 0;
	json_t *sites = json_array();
	for (size_t i = 0; i < rq->user.nsites; i++)
		json_array_append_new(sites, json_string(rq->user.site_codes[i]));
	e = http_json(rs, 200,
		      json_pack("{s:{s:s,s:s,s:o,s:b}}", "user", "login", rq->user.login, "role",
				role_name(rq->user.role), "sites", sites, "must_change_password", 0));
out:
	json_decref(body);
	return e;
}
