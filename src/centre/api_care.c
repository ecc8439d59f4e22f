/* SPDX-License-Identifier: MIT */
/* api_care.c — a child's care, for whoever reaches the child and has opened the file today:
 * daily support records (every edit a new version; the history readable), development
 * assessments, support plans, the centre's messages to the parents, and the handover export
 * (passphrase-sealed, recorded in the handover ledger by casework/handover.c: the only export
 * of the file). Notes, openings and the handover are the platform's (casework/api.h). */
#include "centre/api.h"

#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

/* Ends one write on child id: its audit entry and the commit; answers its error. */
static enum err finish(struct http_req *rq, struct http_resp *rs, struct store_conn *c, enum err e,
		       int64_t id, const char *action, const char *detail, const char *why,
		       const char *code)
{
	return casework_finish(&centre_casework, rq, rs, c, e, id, action, detail, why, code);
}

enum err api_ce_note_add(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_note_add(&centre_casework, rq, rs);
}

enum err api_ce_note_edit(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_note_edit(&centre_casework, rq, rs);
}

enum err api_ce_note_versions(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_note_versions(&centre_casework, rq, rs);
}

enum err api_ce_assessment_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_reach_body(&centre_casework, rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_assessment_add(c, centre_vault(rq->app), id, body, rq->user.id,
					  clock_now_ms(), why);
	e = finish(rq, rs, c, e, id, "centre.assessment", "", why, "bad_assessment");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:b}", "ok", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_plan_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), version = 0;
	char why[CENTRE_WHY_MAX], detail[24], review[11] = "";
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_reach_body(&centre_casework, rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_plan_add(c, centre_vault(rq->app), id, body, rq->user.id, clock_now_ms(),
				    &version, review, why);
	snprintf(detail, sizeof detail, "v%" PRId64, version);
	e = finish(rq, rs, c, e, id, "centre.plan", detail, why, "bad_plan");
	if (e == ERR_OK)
		e = http_json(
		    rs, 201,
		    json_pack("{s:I, s:s}", "version", (json_int_t)version, "review_on", review));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_message_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX], detail[32];
	int mailed = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	/* open after the use ended too: the end, the last statement, are talked over here */
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_message_add(c, centre_vault(rq->app), id, rq->user.id, 0,
				       json_string_value(json_object_get(body, "body")),
				       rq->app->cfg.base_url, clock_now_ms(), &mailed, why);
	snprintf(detail, sizeof detail, "notices=%d", mailed);
	e = finish(rq, rs, c, e, id, "centre.message", detail, why, "bad_message");
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:b, s:i}", "ok", 1, "notices", mailed));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err centre_handover_text(struct store_conn *c, const struct vault *v, int64_t id, char **out)
{
	return casework_handover_text(&centre_casework, c, v, id, out);
}

enum err api_ce_handover(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_handover(&centre_casework, rq, rs);
}
