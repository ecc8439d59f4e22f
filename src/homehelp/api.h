/* SPDX-License-Identifier: MIT */
/* api.h — household support's HTTP handlers (one file per resource) and what they share: the
 * staff's scope (grant accounts scoped to this benefit in grant_staff). */
#ifndef MIMAMORI_HOMEHELP_API_H
#define MIMAMORI_HOMEHELP_API_H
#include <jansson.h>

#include "homehelp/homehelp.h"
#include "http/http.h"

/* Returns ERR_OK when the caller works on this benefit; else answers 403 not_this_service. */
enum err homehelp_scope(struct http_req *rq, struct http_resp *rs);
/* Audits the caller's action on an object "<kind>:<id>" (no personal data). */
enum err homehelp_audit(struct http_req *rq, struct store_conn *c, const char *action,
			const char *kind, int64_t id, const char *detail);

/* api_households.c: registration (the benefit path) and the household's record */
enum err api_hh_households(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_add(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_update(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_check(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_return(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_screen(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_decide(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_notify(struct http_req *rq, struct http_resp *rs);
enum err api_hh_household_resubmit(struct http_req *rq, struct http_resp *rs);
/* api_supporters.c: the contractor's supporters */
enum err api_hh_supporters(struct http_req *rq, struct http_resp *rs);
enum err api_hh_supporter_add(struct http_req *rq, struct http_resp *rs);
enum err api_hh_supporter_update(struct http_req *rq, struct http_resp *rs);
/* api_visits.c: requests, dispatch, the visit record, fees, follow-ups */
enum err api_hh_visit_add(struct http_req *rq, struct http_resp *rs);
enum err api_hh_visit_dispatch(struct http_req *rq, struct http_resp *rs);
enum err api_hh_visit_done(struct http_req *rq, struct http_resp *rs);
enum err api_hh_visit_paid(struct http_req *rq, struct http_resp *rs);
enum err api_hh_visit_cancel(struct http_req *rq, struct http_resp *rs);
enum err api_hh_follow_ups(struct http_req *rq, struct http_resp *rs);
enum err api_hh_follow_seen(struct http_req *rq, struct http_resp *rs);
/* api_reports.c: the month's statements and the report to the ward */
enum err api_hh_monthly(struct http_req *rq, struct http_resp *rs);
enum err api_hh_statement(struct http_req *rq, struct http_resp *rs);

/* Returns the JSON of household id as the staff see it (new reference in *out), or answers the
 * error: the form, the registration's state and steps, the cap today and its use, the visits. */
enum err homehelp_household_object(struct http_req *rq, struct http_resp *rs,
				   struct store_conn *c, int64_t id, json_t **out);

#endif
