/* SPDX-License-Identifier: MIT */
/* api.h — youth support's HTTP handlers (one file per resource) and what they share: reaching
 * a case by the casework rule (anyone without access finds nothing: 404) and the audit. */
#ifndef MIMAMORI_YOUTH_API_H
#define MIMAMORI_YOUTH_API_H
#include <jansson.h>

#include "casework/api.h"
#include "http/http.h"
#include "youth/youth.h"

/* Checks that the caller reaches case id (casework_access) and, when opened is set, has opened
 * it today (the reason was given); else answers 404 not_found (no access, no case) or 409
 * open_required. ERR_OK, or the error answered. */
enum err youth_reach(struct http_req *rq, struct http_resp *rs, struct store_conn *c, int64_t id,
		     int opened);
/* Checks as youth_reach (opened today) and reads the request's JSON body into *body (the caller
 * frees it). ERR_OK, or the error answered. */
enum err youth_reach_body(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  int64_t id, json_t **body);
/* Audits the caller's action on youth_case:id (no personal data in detail). */
enum err youth_audit(struct http_req *rq, struct store_conn *c, const char *action, int64_t id,
		     const char *detail);
/* Audits the caller's reading of youth_case:id at now (casework.read; detail without personal
 * data; once a minute per caller and detail). */
enum err youth_audit_read(struct http_req *rq, struct store_conn *c, int64_t id, const char *detail,
			  int64_t now);
/* Answers 404 not_found, as for a case the caller may not see. */
enum err youth_not_found(struct http_resp *rs);

/* api_cases.c: the list, a new case, opening, the profile, the referral */
enum err api_yo_plazas(struct http_req *rq, struct http_resp *rs);
enum err api_yo_cases(struct http_req *rq, struct http_resp *rs);
enum err api_yo_case_add(struct http_req *rq, struct http_resp *rs);
enum err api_yo_case_open(struct http_req *rq, struct http_resp *rs);
enum err api_yo_case(struct http_req *rq, struct http_resp *rs);
enum err api_yo_case_profile(struct http_req *rq, struct http_resp *rs);
enum err api_yo_case_referral(struct http_req *rq, struct http_resp *rs);
/* api_close.c: the supervisor closes case {} on the body's "on" (today when absent; 400
 * bad_close, 409 already_closed) or opens it again (409 not_closed); audited youth.close and
 * youth.reopen. */
enum err api_yo_case_close(struct http_req *rq, struct http_resp *rs);
enum err api_yo_case_reopen(struct http_req *rq, struct http_resp *rs);
/* api_work.c: notes (versioned), assessments, the plan */
enum err api_yo_note_add(struct http_req *rq, struct http_resp *rs);
enum err api_yo_note_edit(struct http_req *rq, struct http_resp *rs);
enum err api_yo_note_versions(struct http_req *rq, struct http_resp *rs);
enum err api_yo_assessment_add(struct http_req *rq, struct http_resp *rs);
enum err api_yo_plan_put(struct http_req *rq, struct http_resp *rs);
/* api_supervisor.c: workers and their plazas, assignments, referrals, the openings' review */
enum err api_yo_workers(struct http_req *rq, struct http_resp *rs);
enum err api_yo_worker_set(struct http_req *rq, struct http_resp *rs);
enum err api_yo_assign(struct http_req *rq, struct http_resp *rs);
enum err api_yo_unassign(struct http_req *rq, struct http_resp *rs);
enum err api_yo_referrals(struct http_req *rq, struct http_resp *rs);
enum err api_yo_referral_seen(struct http_req *rq, struct http_resp *rs);
enum err api_yo_opens(struct http_req *rq, struct http_resp *rs);
enum err api_yo_open_review(struct http_req *rq, struct http_resp *rs);
/* api_handover.c: the handover export (passphrase-sealed, in the ledger) */
enum err api_yo_handover(struct http_req *rq, struct http_resp *rs);
/* Returns the handover file of case id (JSON: the case and every version of every note) as a
 * malloc'd text in *out (caller wipes with vault_wipe_free). Shared with the CLI. */
enum err youth_handover_text(struct store_conn *c, const struct vault *v, int64_t id, char **out);

#endif
