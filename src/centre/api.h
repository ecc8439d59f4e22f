/* SPDX-License-Identifier: MIT */
/* api.h — the centre's HTTP handlers (one file per resource) and what they share: reaching a
 * child by the casework rule (anyone without access finds nothing: 404), a parent reaching
 * their own child only (else 404), and the audit. */
#ifndef MIMAMORI_CENTRE_API_H
#define MIMAMORI_CENTRE_API_H
#include <jansson.h>

#include "casework/api.h"
#include "centre/centre.h"
#include "http/http.h"

/* Checks that the caller reaches child id (casework_access) and, when opened is set, has
 * opened the child's file today (the reason was given); else answers 404 not_found or 409
 * open_required. ERR_OK, or the error answered. */
enum err centre_reach(struct http_req *rq, struct http_resp *rs, struct store_conn *c, int64_t id,
		      int opened);
/* Checks that the caller (centre_parent) is a parent of child id; else answers 404. */
enum err centre_parent_reach(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     int64_t id);
/* Audits the caller's action on centre_child:id (no personal data in detail). */
enum err centre_audit(struct http_req *rq, struct store_conn *c, const char *action, int64_t id,
		      const char *detail);
/* Answers 404 not_found, as for a child the caller may not see. */
enum err centre_not_found(struct http_resp *rs);

/* api_end.c: the manager ends child {}'s use on the body's "on" (today when absent; 400
 * bad_end, 409 already_ended); audited centre.end. */
enum err api_ce_child_end(struct http_req *rq, struct http_resp *rs);

/* api_children.c: the caller, the list, an application, opening, the file, the contract */
enum err api_ce_me(struct http_req *rq, struct http_resp *rs);
enum err api_ce_children(struct http_req *rq, struct http_resp *rs);
enum err api_ce_child_add(struct http_req *rq, struct http_resp *rs);
enum err api_ce_child_open(struct http_req *rq, struct http_resp *rs);
enum err api_ce_child(struct http_req *rq, struct http_resp *rs);
enum err api_ce_contract(struct http_req *rq, struct http_resp *rs);
/* api_care.c: daily records (versioned), assessments, plans, messages, the handover */
enum err api_ce_note_add(struct http_req *rq, struct http_resp *rs);
enum err api_ce_note_edit(struct http_req *rq, struct http_resp *rs);
enum err api_ce_note_versions(struct http_req *rq, struct http_resp *rs);
enum err api_ce_assessment_add(struct http_req *rq, struct http_resp *rs);
enum err api_ce_plan_add(struct http_req *rq, struct http_resp *rs);
enum err api_ce_message_add(struct http_req *rq, struct http_resp *rs);
enum err api_ce_handover(struct http_req *rq, struct http_resp *rs);
/* api_day.c: the day, attendance, the bus list, the routes */
enum err api_ce_day(struct http_req *rq, struct http_resp *rs);
enum err api_ce_attendance(struct http_req *rq, struct http_resp *rs);
enum err api_ce_bus(struct http_req *rq, struct http_resp *rs);
enum err api_ce_route_put(struct http_req *rq, struct http_resp *rs);
/* api_manager.c: staff and assignments, reviews due, openings, parent accounts */
enum err api_ce_staff(struct http_req *rq, struct http_resp *rs);
enum err api_ce_assign(struct http_req *rq, struct http_resp *rs);
enum err api_ce_unassign(struct http_req *rq, struct http_resp *rs);
enum err api_ce_reviews(struct http_req *rq, struct http_resp *rs);
enum err api_ce_opens(struct http_req *rq, struct http_resp *rs);
enum err api_ce_open_review(struct http_req *rq, struct http_resp *rs);
enum err api_ce_parent_add(struct http_req *rq, struct http_resp *rs);
/* api_fees.c: the statements of a month and each one's PDF */
enum err api_ce_statements(struct http_req *rq, struct http_resp *rs);
enum err api_ce_statements_make(struct http_req *rq, struct http_resp *rs);
enum err api_ce_statement_pdf(struct http_req *rq, struct http_resp *rs);
/* api_welcome.c: a parent sets their password with the mailed one-time link (public) */
enum err api_ce_welcome(struct http_req *rq, struct http_resp *rs);
/* api_parent.c: a parent's children, the thread */
enum err api_ce_family(struct http_req *rq, struct http_resp *rs);
enum err api_ce_family_thread(struct http_req *rq, struct http_resp *rs);
enum err api_ce_family_message(struct http_req *rq, struct http_resp *rs);

/* Returns the handover file of child id (JSON: the file and every version of every record) as
 * a malloc'd text in *out (caller wipes with vault_wipe_free). Shared with the CLI. */
enum err centre_handover_text(struct store_conn *c, const struct vault *v, int64_t id, char **out);

#endif
