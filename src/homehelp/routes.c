/* SPDX-License-Identifier: MIT */
/* routes.c — household support's API routes with the roles that may call them; reads like a
 * menu. The contractor registers households, checks eligibility, keeps supporters, dispatches
 * and records visits and collects fees; the ward alone decides a household's use
 * (grant_approver), takes the follow-ups and gets the monthly report. */
#include "homehelp/service.h"

#include "homehelp/api.h"

#define CONTRACTOR (ROLE_GRANT_OPERATOR | ROLE_GRANT_SUPERVISOR)
#define WARD (ROLE_GRANT_STAFF | ROLE_GRANT_APPROVER)
#define ALL (CONTRACTOR | WARD)

/* clang-format off */
const struct http_route homehelp_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	/* households: registration on the benefit path */
	{"GET", "/api/v1/homehelp/households", ALL, 0, api_hh_households,
	 "the households, by state"},
	{"POST", "/api/v1/homehelp/households", CONTRACTOR, 0, api_hh_household_add,
	 "register a household (received): guardian, children, childcare, multiple pregnancy"},
	{"GET", "/api/v1/homehelp/households/{}", ALL, 0, api_hh_household,
	 "one household: the form, the registration's steps, the cap of 別表1・2 today and its use, the visits"},
	{"PUT", "/api/v1/homehelp/households/{}", CONTRACTOR, 0, api_hh_household_update,
	 "keep a household current (a birth, childcare starting): the cap is recomputed"},
	{"POST", "/api/v1/homehelp/households/{}/checks", CONTRACTOR, 0, api_hh_household_check,
	 "mark an eligibility check (資格確認) done or not"},
	{"POST", "/api/v1/homehelp/households/{}/return", CONTRACTOR, 0, api_hh_household_return,
	 "hold the registration for something to clarify with the family"},
	{"POST", "/api/v1/homehelp/households/{}/resubmit", CONTRACTOR, 0, api_hh_household_resubmit,
	 "receive a held registration again"},
	{"POST", "/api/v1/homehelp/households/{}/screen", CONTRACTOR, 0, api_hh_household_screen,
	 "close the eligibility check: the ward decides next"},
	{"POST", "/api/v1/homehelp/households/{}/decide", ROLE_GRANT_APPROVER, 0, api_hh_household_decide,
	 "the ward's decision: the use from a start date, or rejected with a reason"},
	{"POST", "/api/v1/homehelp/households/{}/notify", ROLE_GRANT_SUPERVISOR | WARD, 0,
	 api_hh_household_notify, "the decision has been notified to the family"},
	/* supporters */
	{"GET", "/api/v1/homehelp/supporters", CONTRACTOR, 0, api_hh_supporters,
	 "the supporters (active first)"},
	{"POST", "/api/v1/homehelp/supporters", CONTRACTOR, 0, api_hh_supporter_add,
	 "register a supporter"},
	{"PUT", "/api/v1/homehelp/supporters/{}", CONTRACTOR, 0, api_hh_supporter_update,
	 "make a supporter active or inactive"},
	/* visits */
	{"POST", "/api/v1/homehelp/households/{}/visits", CONTRACTOR, 0, api_hh_visit_add,
	 "a request for a visit: the day, hours (2 or more) and kinds, within the cap"},
	{"POST", "/api/v1/homehelp/visits/{}/dispatch", CONTRACTOR, 0, api_hh_visit_dispatch,
	 "send a supporter"},
	{"POST", "/api/v1/homehelp/visits/{}/done", CONTRACTOR, 0, api_hh_visit_done,
	 "the visit's record: times, what was done, how the family was, concerns, a follow-up flag; the fee"},
	{"POST", "/api/v1/homehelp/visits/{}/paid", CONTRACTOR, 0, api_hh_visit_paid,
	 "the household paid the visit's fee"},
	{"POST", "/api/v1/homehelp/visits/{}/cancel", CONTRACTOR, 0, api_hh_visit_cancel,
	 "cancel a visit not yet done"},
	{"GET", "/api/v1/homehelp/follow-ups", ROLE_GRANT_SUPERVISOR | WARD, 0, api_hh_follow_ups,
	 "visits flagged for the public health nurse, not yet taken"},
	{"POST", "/api/v1/homehelp/visits/{}/follow-seen", WARD, 0, api_hh_follow_seen,
	 "the ward took a follow-up"},
	/* the month's papers */
	{"GET", "/api/v1/homehelp/reports/monthly", ALL, 0, api_hh_monthly,
	 "the monthly report to the ward: per household and per supporter (PDF or CSV; in the handover ledger)"},
	{"GET", "/api/v1/homehelp/households/{}/statement", CONTRACTOR, 0, api_hh_statement,
	 "a household's usage and fee statement for a month (PDF; in the handover ledger)"},
	{0},
};
/* clang-format on */
