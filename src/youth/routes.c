/* SPDX-License-Identifier: MIT */
/* routes.c — youth support's API routes with the roles that may call them; reads like a menu.
 * Only youth_worker and youth_supervisor reach any of them; the routes of one case are hidden
 * (HTTP_ROUTE_HIDDEN): every other role — other services' staff, the ward's staff and
 * administrators — gets the 404 of a case that does not exist, as does a worker who is not
 * assigned to it (casework's rule, checked in the handlers). */
#include "youth/service.h"

#include "youth/api.h"

#define WORKER ROLE_YOUTH_WORKER
#define SUP ROLE_YOUTH_SUPERVISOR
#define ALL (WORKER | SUP)
#define HIDDEN HTTP_ROUTE_HIDDEN

/* clang-format off */
const struct http_route youth_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	{"GET", "/api/v1/youth/plazas", ALL, 0, api_yo_plazas,
	 "the plazas, the kinds of case notes and the caller's plaza"},
	{"GET", "/api/v1/youth/cases", ALL, 0, api_yo_cases,
	 "a worker's own cases (a supervisor's: every case), numbers and counts only"},
	{"POST", "/api/v1/youth/cases", ALL, 0, api_yo_case_add,
	 "a new case: the person and the profile (a worker's: in their plaza, assigned to them)"},
	/* one case: its assigned workers of its plaza and the supervisor; anyone else 404 */
	{"POST", "/api/v1/youth/cases/{}/open", ALL, HIDDEN, api_yo_case_open,
	 "open a case (by id or number) with the reason asked at the first open of the day, or break-glass"},
	{"GET", "/api/v1/youth/cases/{}", ALL, HIDDEN, api_yo_case,
	 "the case, once opened today: person, profile, notes, assessments, plan, referral"},
	{"PUT", "/api/v1/youth/cases/{}/profile", ALL, HIDDEN, api_yo_case_profile,
	 "keep the person and the profile current"},
	{"POST", "/api/v1/youth/cases/{}/referral", ALL, HIDDEN, api_yo_case_referral,
	 "flag the case for the ward (or clear the flag)"},
	{"POST", "/api/v1/youth/cases/{}/notes", ALL, HIDDEN, api_yo_note_add,
	 "a case note of a session (version 1)"},
	{"PUT", "/api/v1/youth/notes/{}", ALL, HIDDEN, api_yo_note_edit,
	 "edit a note: a new version (the one read must be the latest)"},
	{"GET", "/api/v1/youth/notes/{}/versions", ALL, HIDDEN, api_yo_note_versions,
	 "every version of a note"},
	{"POST", "/api/v1/youth/cases/{}/assessments", ALL, HIDDEN, api_yo_assessment_add,
	 "an assessment"},
	{"POST", "/api/v1/youth/cases/{}/plan", ALL, HIDDEN, api_yo_plan_put,
	 "a new version of the individual support plan: policy, goals with review dates"},
	{"POST", "/api/v1/youth/cases/{}/handover", ALL, HIDDEN, api_yo_handover,
	 "the handover file, sealed with a passphrase (in the handover ledger)"},
	/* the ward's supervisor */
	{"GET", "/api/v1/youth/workers", SUP, HIDDEN, api_yo_workers,
	 "the workers and their plazas"},
	{"PUT", "/api/v1/youth/workers/{}", SUP, HIDDEN, api_yo_worker_set,
	 "set a worker's plaza"},
	{"POST", "/api/v1/youth/cases/{}/assign", SUP, HIDDEN, api_yo_assign,
	 "assign a worker of the case's plaza"},
	{"POST", "/api/v1/youth/cases/{}/unassign", SUP, HIDDEN, api_yo_unassign,
	 "remove a worker from a case"},
	{"POST", "/api/v1/youth/cases/{}/close", SUP, HIDDEN, api_yo_case_close,
	 "end a case on a day (相談の終了): no more writes; erased [retention] youth_cases_days later"},
	{"POST", "/api/v1/youth/cases/{}/reopen", SUP, HIDDEN, api_yo_case_reopen,
	 "open a closed case again"},
	{"GET", "/api/v1/youth/referrals", SUP, HIDDEN, api_yo_referrals,
	 "the cases flagged for the ward"},
	{"POST", "/api/v1/youth/cases/{}/referral-seen", SUP, HIDDEN, api_yo_referral_seen,
	 "the ward took a referral"},
	{"GET", "/api/v1/youth/opens", SUP, HIDDEN, api_yo_opens,
	 "the report of openings with their reasons; ?pending=1: break-glass opens to review"},
	{"POST", "/api/v1/youth/opens/{}/review", SUP, HIDDEN, api_yo_open_review,
	 "review a break-glass opening"},
	{0},
};
/* clang-format on */
