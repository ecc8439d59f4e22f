/* SPDX-License-Identifier: MIT */
/* api_open.c — opening a case with the reason of the day (or break-glass: flagged for the
 * supervisor's review) and reading it once opened (each read audited), for every casework
 * service. A caller who may not reach a case finds none (404). */
#include "casework/api.h"

#include <stdio.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"

enum err casework_answer_case(const struct casework_kind *k, struct http_req *rq,
			      struct http_resp *rs, struct store_conn *c, int64_t id,
			      const char *access)
{
	json_t *o = NULL;
	enum err e = k->case_json(c, app_vault(rq->app, k->service), id, &o);
	if (e != ERR_OK) {
		char msg[160];
		snprintf(msg, sizeof msg, "%sを読み込めませんでした。", k->noun);
		return http_error(rs, e, msg);
	}
	json_object_set_new(o, "access", json_string(access));
	return http_json(rs, 200, o);
}

enum err casework_api_open(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum casework_access how = CASEWORK_NONE;
	const char *why = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *reason = json_string_value(json_object_get(body, "reason"));
	int glass = json_is_true(json_object_get(body, "break_glass"));
	struct store_conn *c = store_acquire(rq->app->store);
	int64_t id = casework_case_param(k, c, rq->params[0]);
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_open(c, rq->app->vault, k, rq->actor, rq->user.id, rq->role, id,
				  reason, glass, clock_now_ms(), &how, &why);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		char msg[160];
		store_rollback(c);
		snprintf(msg, sizeof msg, "%sを開けませんでした。", k->noun);
		e = e == ERR_NOTFOUND  ? casework_not_found(rs)
		    : e == ERR_INVALID ? http_error_as(rs, e, "reason_required", why)
				       : http_error(rs, e, msg);
		goto out;
	}
	e = casework_answer_case(k, rq, rs, c, id, casework_how_name(k, how));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err casework_api_case(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	char day[11];
	enum casework_access how = CASEWORK_NONE;
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_reach(k, rq, rs, c, id, 1);
	if (e != ERR_OK)
		goto out;
	clock_jst_date(now, day, sizeof day);
	casework_access(c, k, rq->user.id, rq->role, id, day, &how);
	/* Each read after the day's opening is audited too (once a minute per caller). */
	e = casework_audit_read(k, rq, c, id, "", now);
	if (e != ERR_OK) {
		char msg[160];
		snprintf(msg, sizeof msg, "%sを読み込めませんでした。", k->noun);
		e = http_error(rs, e, msg);
		goto out;
	}
	e = casework_answer_case(k, rq, rs, c, id, casework_how_name(k, how));
out:
	store_release(c);
	return e;
}
