/* SPDX-License-Identifier: MIT */
/* routes.c — the centre's API routes with the roles that may call them; reads like a menu.
 * Only centre_staff, centre_manager and centre_parent reach any of them; the routes of one child
 * are hidden (HTTP_ROUTE_HIDDEN): every other role — other services' staff, the ward's staff and
 * administrators — gets the 404 of a child that does not exist, as does a staff member who is
 * not assigned to the child and a parent of another child (checked in the handlers). */
#include "centre/service.h"

#include "centre/api.h"

#define STAFF ROLE_CENTRE_STAFF
#define MGR ROLE_CENTRE_MANAGER
#define PARENT ROLE_CENTRE_PARENT
#define ALL (STAFF | MGR)
#define HIDDEN HTTP_ROUTE_HIDDEN

/* clang-format off */
const struct http_route centre_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	{"GET", "/api/v1/centre/me", ALL, 0, api_ce_me,
	 "the caller, today, the kinds of daily records and the bus routes"},
	{"GET", "/api/v1/centre/children", ALL, 0, api_ce_children,
	 "a staff member's own children (the manager's: every child), numbers and terms only"},
	{"GET", "/api/v1/centre/day", ALL, 0, api_ce_day,
	 "the children due on ?date= (default today) with their attendance (a staff member's: assigned only)"},
	{"GET", "/api/v1/centre/bus", ALL, 0, api_ce_bus,
	 "the bus list of ?date=: each route's children, stops, pick-up and drop-off"},
	/* one child: its assigned staff and the manager; anyone else 404 */
	{"POST", "/api/v1/centre/children/{}/attendance", ALL, HIDDEN, api_ce_attendance,
	 "mark a child present or absent on a day, riding the bus or not"},
	{"POST", "/api/v1/centre/children/{}/open", ALL, HIDDEN, api_ce_child_open,
	 "open a child's file (by id or number) with the reason of the day, or break-glass"},
	{"GET", "/api/v1/centre/children/{}", ALL, HIDDEN, api_ce_child,
	 "the child's file once opened today: contract, assessments, plans, records, messages"},
	{"POST", "/api/v1/centre/children/{}/notes", ALL, HIDDEN, api_ce_note_add,
	 "a daily support record (version 1)"},
	{"PUT", "/api/v1/centre/notes/{}", ALL, HIDDEN, api_ce_note_edit,
	 "edit a record: a new version (the one read must be the latest)"},
	{"GET", "/api/v1/centre/notes/{}/versions", ALL, HIDDEN, api_ce_note_versions,
	 "every version of a record"},
	{"POST", "/api/v1/centre/children/{}/assessments", ALL, HIDDEN, api_ce_assessment_add,
	 "a development assessment"},
	{"POST", "/api/v1/centre/children/{}/plans", ALL, HIDDEN, api_ce_plan_add,
	 "a new version of the individual support plan (next review six months on)"},
	{"POST", "/api/v1/centre/children/{}/messages", ALL, HIDDEN, api_ce_message_add,
	 "a message to the child's parents (they get a notice without its content)"},
	{"POST", "/api/v1/centre/children/{}/handover", ALL, HIDDEN, api_ce_handover,
	 "the handover file, sealed with a passphrase (in the handover ledger)"},
	/* the manager */
	{"POST", "/api/v1/centre/children", MGR, HIDDEN, api_ce_child_add,
	 "a new application: the child and the contacts"},
	{"PUT", "/api/v1/centre/children/{}/contract", MGR, HIDDEN, api_ce_contract,
	 "the usage contract: period, days granted, weekdays, bus route, fee per day, monthly cap"},
	{"POST", "/api/v1/centre/children/{}/end", MGR, HIDDEN, api_ce_child_end,
	 "end a child's use on a day (利用の終了): no more records; erased [retention] centre_children_days later"},
	{"GET", "/api/v1/centre/staff", MGR, HIDDEN, api_ce_staff,
	 "the centre's staff and how many children each has"},
	{"POST", "/api/v1/centre/children/{}/assign", MGR, HIDDEN, api_ce_assign,
	 "assign a staff member to a child"},
	{"POST", "/api/v1/centre/children/{}/unassign", MGR, HIDDEN, api_ce_unassign,
	 "remove a staff member from a child"},
	{"POST", "/api/v1/centre/children/{}/parents", MGR, HIDDEN, api_ce_parent_add,
	 "a parent's account linked to the child (a one-time link mailed to set the password)"},
	{"GET", "/api/v1/centre/reviews", MGR, HIDDEN, api_ce_reviews,
	 "the support plans' reviews due by ?until= (default: the next 30 days)"},
	{"PUT", "/api/v1/centre/routes/{}", MGR, HIDDEN, api_ce_route_put,
	 "add or change a bus route"},
	{"GET", "/api/v1/centre/opens", MGR, HIDDEN, api_ce_opens,
	 "the report of openings with their reasons; ?pending=1: break-glass opens to review"},
	{"POST", "/api/v1/centre/opens/{}/review", MGR, HIDDEN, api_ce_open_review,
	 "review a break-glass opening"},
	{"GET", "/api/v1/centre/statements", MGR, HIDDEN, api_ce_statements,
	 "the usage-fee statements of ?month="},
	{"POST", "/api/v1/centre/statements", MGR, HIDDEN, api_ce_statements_make,
	 "make (again) the statements of a month"},
	/* the manager, or a parent of the statement's child */
	{"GET", "/api/v1/centre/statements/{}/pdf", MGR | PARENT, HIDDEN, api_ce_statement_pdf,
	 "a statement as PDF (recorded in the handover ledger)"},
	/* a parent: their own children only */
	{"GET", "/api/v1/centre/family", PARENT, HIDDEN, api_ce_family,
	 "the parent's children and their statements"},
	{"GET", "/api/v1/centre/family/{}/messages", PARENT, HIDDEN, api_ce_family_thread,
	 "the child's thread with the centre"},
	{"POST", "/api/v1/centre/family/{}/messages", PARENT, HIDDEN, api_ce_family_message,
	 "a message to the centre"},
	/* the mailed one-time link: the parent chooses their password */
	{"POST", "/api/v1/centre/welcome", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_FAILED,
	 api_ce_welcome, "a parent sets their password with the one-time link the centre mailed"},
	{0},
};
/* clang-format on */
