/* SPDX-License-Identifier: MIT */
/* api_access.c — who reaches an application: the staff of this benefit only (an account of a
 * grant role is scoped to one benefit in grant_staff), and the applicant by their link (the
 * token in X-Applicant-Token); and the one answer both get. */
#include "sitter/api.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/xalloc.h"
#include "grant/path.h"
#include "store/store.h"
#include "vault/vault.h"

enum err sitter_scope(struct http_req *rq, struct http_resp *rs)
{
	char service[32];
	struct store_conn *c = store_acquire(rq->app->store);
	int ok = grant_staff_service(c, rq->user.id, service, sizeof service) &&
		 strcmp(service, SITTER_SERVICE) == 0;
	store_release(c);
	if (ok)
		return ERR_OK;
	return http_error_as(rs, ERR_FORBIDDEN, "not_this_service",
			     "このアカウントは、ベビーシッター利用支援事業の担当ではありません。");
}

enum err sitter_applicant(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  int64_t *id)
{
	enum err e = sitter_app_by_token(c, sitter_vault(rq->app),
					 http_header(rq, "X-Applicant-Token"), id);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid",
				     "このリンクの申請が見つかりません。メールのリンクをもう一度開いて"
				     "ください。");
	return e;
}

/* The moves the caller could make on p now (for the staff page's buttons). */
static json_t *actions(struct http_req *rq, const struct sitter_app *p)
{
	json_t *a = json_array();
	enum role r = rq->role;
	if (p->state == GRANT_SUBMITTED && grant_move_allowed(GRANT_SUBMITTED, GRANT_SCREENED, r)) {
		json_array_append_new(a, json_string("check"));
		json_array_append_new(a, json_string("return"));
		json_array_append_new(a, json_string("screen"));
	}
	if (p->state == GRANT_SCREENED && grant_move_allowed(GRANT_SCREENED, GRANT_APPROVED, r)) {
		json_array_append_new(a, json_string("approve"));
		json_array_append_new(a, json_string("reject"));
	}
	if (p->state == GRANT_SCREENED && grant_move_allowed(GRANT_SCREENED, GRANT_SUBMITTED, r))
		json_array_append_new(a, json_string("send_back"));
	return a;
}

enum err sitter_app_object(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   int64_t id, int staff, json_t **out)
{
	const struct vault *v = sitter_vault(rq->app);
	struct sitter_settings cfg;
	struct sitter_app p;
	struct sitter_calc *calc = xcalloc(1, sizeof *calc);
	enum err e;
	*out = NULL;
	sitter_settings_read(rq->app, &cfg);
	e = sitter_app_load(c, v, id, &p);
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_application", "その申請はありません。");
	if (e != ERR_OK)
		goto out;
	e = sitter_app_calc(c, v, &cfg.rates, &p, calc);
	if (e == ERR_OK) {
		*out = sitter_app_json(c, v, &p, calc, staff);
		if (staff)
			json_object_set_new(*out, "actions", actions(rq, &p));
	}
	sitter_app_clear(&p);
out:
	free(calc);
	return e;
}

enum err sitter_answer_app(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   int64_t id, int staff, unsigned status)
{
	json_t *o = NULL;
	enum err e = sitter_app_object(rq, rs, c, id, staff, &o);
	if (e != ERR_OK)
		return e;
	return http_json(rs, status, json_pack("{s:o}", "application", o));
}
