/* SPDX-License-Identifier: MIT */
/* api_manager.c — the centre's manager: the staff and who is assigned to which child, the
 * support plans' reviews due, the report of openings with the break-glass ones to review, and
 * the parents' accounts (a centre_parent account linked to a child; the parent chooses the
 * password through a mailed one-time link, welcome.c). */
#include "centre/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/user_admin.h"
#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_ce_staff(struct http_req *rq, struct http_resp *rs)
{
	json_t *arr = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT u.id, u.login, (SELECT count(*) FROM ce_assignments a WHERE a.user_id = "
	       "u.id) FROM users u WHERE u.role = 'centre_staff' AND u.disabled = 0 ORDER BY "
	       "u.login");
	enum err e = ERR_DB;
	if (st) {
		while (store_step(st) == STORE_ROW)
			json_array_append_new(arr,
					      json_pack("{s:I, s:s, s:I}", "id",
							(json_int_t)store_col_int(st, 0), "login",
							store_col_text(st, 1), "children",
							(json_int_t)store_col_int(st, 2)));
		store_finish(st);
		e = ERR_OK;
	}
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return http_error(rs, e, "職員の一覧を読み込めませんでした。");
	}
	return http_json(rs, 200, json_pack("{s:o}", "staff", arr));
}

/* Returns 1 when user_id is an active centre_staff account. */
static int is_staff(struct store_conn *c, int64_t user_id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM users WHERE id = ?1 AND role = 'centre_staff' AND disabled = 0");
	if (!st)
		return 0;
	store_bind_int(st, 1, user_id);
	int ok = store_step(st) == STORE_ROW;
	store_finish(st);
	return ok;
}

/* Assigns (on) or unassigns the staff member named in the body to child {}. */
static enum err assign(struct http_req *rq, struct http_resp *rs, int on)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), now = clock_now_ms();
	char detail[48], unit[CASEWORK_UNIT_MAX];
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	int64_t uid = (int64_t)json_integer_value(json_object_get(body, "user_id"));
	struct store_conn *c = store_acquire(rq->app->store);
	e = centre_reach(rq, rs, c, id, 0);
	if (e != ERR_OK)
		goto out;
	if (!is_staff(c, uid)) {
		e = http_error_as(rs, ERR_NOTFOUND, "no_such_staff",
				  "センターの職員（centre_staff）のアカウントが見つかりません。");
		goto out;
	}
	snprintf(detail, sizeof detail, "user:%" PRId64, uid);
	e = store_begin(c);
	/* The centre is the one unit: a staff member belongs to it once first assigned. */
	if (e == ERR_OK && on && casework_worker_unit(c, &centre_casework, uid, unit) != 1)
		e = casework_worker_set(c, &centre_casework, uid, CENTRE_UNIT, rq->user.id, now);
	if (e == ERR_OK)
		e = on ? casework_assign(c, &centre_casework, id, uid, rq->user.id, now)
		       : casework_unassign(c, &centre_casework, id, uid);
	if (e == ERR_OK)
		e = centre_audit(rq, c, on ? "centre.assign" : "centre.unassign", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_NOTFOUND ? http_error_as(rs, e, "not_assigned",
						      "この職員はこの児童の担当ではありません。")
				      : http_error(rs, e, "担当を変更できませんでした。");
		goto out;
	}
	e = http_json(rs, 200,
		      json_pack("{s:o}", "staff", casework_assigned_json(c, &centre_casework, id)));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_assign(struct http_req *rq, struct http_resp *rs)
{
	return assign(rq, rs, 1);
}

enum err api_ce_unassign(struct http_req *rq, struct http_resp *rs)
{
	return assign(rq, rs, 0);
}

enum err api_ce_reviews(struct http_req *rq, struct http_resp *rs)
{
	char until[11];
	const char *q = http_query(rq, "until");
	if (q && strlen(q) == 10)
		snprintf(until, sizeof until, "%s", q);
	else /* the next 30 days */
		clock_jst_date(clock_now_ms() + (int64_t)30 * 86400000, until, sizeof until);
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = centre_reviews_due(c, until);
	store_release(c);
	return http_json(rs, 200, json_pack("{s:s, s:o}", "until", until, "reviews", arr));
}

enum err api_ce_opens(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_opens(&centre_casework, rq, rs, 0);
}

enum err api_ce_open_review(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_open_review(&centre_casework, rq, rs);
}

enum err api_ce_parent_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), uid = 0;
	char *pw = NULL, detail[48];
	const char *why = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	store_release(c);
	if (e != ERR_OK)
		goto out;
	const char *login = json_string_value(json_object_get(body, "login"));
	const char *email = json_string_value(json_object_get(body, "email"));
	if (!email || !mail_address_valid(email)) {
		e = http_error_as(rs, ERR_INVALID, "bad_email",
				  "保護者のメールアドレス（お知らせの送り先）を入力してください。");
		goto out;
	}
	/* The platform's account; its random first password is thrown away: the parent chooses
	 * theirs through the mailed one-time link, and nobody else ever knows it. */
	e = user_admin_add(rq->app->store, rq->app->vault, rq->actor, login ? login : "",
			   "centre_parent", NULL, 0, &pw, &uid, &why);
	vault_wipe_free(pw);
	if (e != ERR_OK) {
		e = e == ERR_CONFLICT ? http_error_as(rs, e, "login_taken",
						      "そのログイン名はすでに使われています。")
		    : why	      ? http_error_as(rs, e, "bad_login", why)
			  : http_error(rs, e, "アカウントを作れませんでした。");
		goto out;
	}
	c = store_acquire(rq->app->store);
	snprintf(detail, sizeof detail, "user:%" PRId64, uid);
	int64_t now = clock_now_ms();
	const struct vault *v = centre_vault(rq->app);
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_parent_link(c, v, uid, id, email, rq->user.id, now);
	if (e == ERR_OK)
		e = centre_welcome_issue(c, v, uid, login, email, rq->app->cfg.base_url, now);
	if (e == ERR_OK)
		e = centre_audit(rq, c, "centre.parent_add", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		e = http_error(rs, e, "保護者を登録できませんでした。");
		goto out;
	}
	e = http_json(
	    rs, 201,
	    json_pack("{s:I, s:s, s:b}", "id", (json_int_t)uid, "login", login, "mailed", 1));
out:
	json_decref(body);
	return e;
}
