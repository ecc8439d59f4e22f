/* SPDX-License-Identifier: MIT */
/* api_work.c — a case's work, for whoever reaches it and has opened it today: case notes of
 * each session (every edit a new version; the history readable), assessments and the
 * individual support plan. */
#include "youth/api.h"

#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"

/* Runs one write on case id in a transaction with its audit entry; answers its error. */
static enum err finish(struct http_req *rq, struct http_resp *rs, struct store_conn *c, enum err e,
		       int64_t id, const char *action, const char *detail, const char *why,
		       const char *code)
{
	return casework_finish(&youth_casework, rq, rs, c, e, id, action, detail, why, code);
}

enum err api_yo_note_add(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_note_add(&youth_casework, rq, rs);
}

enum err api_yo_note_edit(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_note_edit(&youth_casework, rq, rs);
}

enum err api_yo_note_versions(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_note_versions(&youth_casework, rq, rs);
}

enum err api_yo_assessment_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[YOUTH_WHY_MAX];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = youth_assessment_add(c, youth_vault(rq->app), id, body, rq->user.id,
					 clock_now_ms(), why);
	e = finish(rq, rs, c, e, id, "youth.assessment", "", why, "bad_assessment");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:b}", "ok", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_yo_plan_put(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), version = 0;
	char why[YOUTH_WHY_MAX], detail[24];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = youth_plan_put(c, youth_vault(rq->app), id, body, rq->user.id, clock_now_ms(),
				   &version, why);
	snprintf(detail, sizeof detail, "v%" PRId64, version);
	e = finish(rq, rs, c, e, id, "youth.plan", detail, why, "bad_plan");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:I}", "version", (json_int_t)version));
out:
	store_release(c);
	json_decref(body);
	return e;
}
