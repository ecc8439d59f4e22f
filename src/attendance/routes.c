/* SPDX-License-Identifier: MIT */
/* routes.c — the entry/exit service's API routes with the roles that may call them; reads like
 * a menu. src/services.c composes them with the platform's (src/routes.c). */
#include "attendance/service.h"

#include "attendance/admin_api.h"
#include "attendance/attendance_api.h"
#include "attendance/board.h"
#include "http/http.h"

#define STAFF ROLE_ANY_USER
#define WARD (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)
#define COMPOSE (ROLE_WARD_ADMIN | ROLE_CONTRACTOR) /* who writes emergency mail */

const struct http_route attendance_routes[] = {
	/* method, pattern, roles, flags (1: no CSRF token), handler, summary */
	/* attendance (seed 000) */
	{"GET", "/api/v1/kiosk", ROLE_KIOSK, 1, api_kiosk_get, "the kiosk's site"},
	{"POST", "/api/v1/scans", ROLE_KIOSK, HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_DEFERS, api_scan_create,
	 "record a card scan"},
	{"GET", "/api/v1/sites", STAFF, 0, api_site_list, "sites the caller may see"},
	{"PATCH", "/api/v1/sites/{}", ROLE_WARD_ADMIN, 0, api_site_patch,
	 "a site's hours and the settings of plans and alerts"},
	{"GET", "/api/v1/sites/{}/board", STAFF, 0, api_board_get, "today's board of a site"},
	{"GET", "/api/v1/sites/{}/board/events", STAFF, 0, api_board_events,
	 "the board's live updates (Server-Sent Events; then GET the board)"},
	{"POST", "/api/v1/sites/{}/checkouts", STAFF, 0, api_checkout_create,
	 "record who collected a child (お迎え)"},
	{"POST", "/api/v1/sites/{}/manual-scans", STAFF, 0, api_manual_scan_create,
	 "record a manual entry/exit with a reason"},
	{"POST", "/api/v1/confirmations", ROLE_PUBLIC, 1, api_confirmation_create,
	 "confirm a guardian's address"},

	/* guardians (/parent/): sign-in by mail link; only their own children (else 404) */
	{"POST", "/api/v1/parent/login-links", ROLE_PUBLIC,
	 HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_EACH, api_parent_link_create,
	 "mail a guardian a sign-in link"},
	{"POST", "/api/v1/parent/session", ROLE_PUBLIC,
	 HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_FAILED, api_parent_session_create,
	 "guardian sign-in with a link's token"},
	{"GET", "/api/v1/parent/session", ROLE_GUARDIAN, 0, api_parent_session_get,
	 "the signed-in guardian"},
	{"DELETE", "/api/v1/parent/session", ROLE_GUARDIAN, 0, api_parent_session_delete,
	 "guardian sign-out"},
	{"GET", "/api/v1/parent/children", ROLE_GUARDIAN, 0, api_parent_children,
	 "the guardian's children"},
	{"GET", "/api/v1/parent/children/{}/plan", ROLE_GUARDIAN, 0, api_parent_plan_get,
	 "a child's month calendar"},
	{"PUT", "/api/v1/parent/children/{}/weekly", ROLE_GUARDIAN, 0, api_parent_weekly_put,
	 "a child's weekly pattern"},
	{"PUT", "/api/v1/parent/children/{}/days/{}", ROLE_GUARDIAN, 0, api_parent_day_put,
	 "a day's plan or an absence notice"},
	{"DELETE", "/api/v1/parent/children/{}/days/{}", ROLE_GUARDIAN, 0, api_parent_day_delete,
	 "a day back to the weekly pattern"},
	{"GET", "/api/v1/parent/children/{}/pickups", ROLE_GUARDIAN, 0, api_parent_pickups_get,
	 "a child's pickup list"},
	{"POST", "/api/v1/parent/children/{}/pickups", ROLE_GUARDIAN, 0, api_parent_pickup_create,
	 "add a pickup person"},
	{"DELETE", "/api/v1/parent/children/{}/pickups/{}", ROLE_GUARDIAN, 0,
	 api_parent_pickup_delete, "remove a pickup person"},

	/* reports (帳票); every download is recorded in the handover ledger and audited */
	{"GET", "/api/v1/sites/{}/reports/daily", WARD | ROLE_SITE_STAFF, 0, api_report_daily,
	 "daily attendance list of a site (pdf|csv)"},
	{"GET", "/api/v1/reports/monthly", WARD, 0, api_report_monthly,
	 "the ward's monthly usage (xlsx|csv)"},

	/* what guardians' changes tell staff (issue 11): the coming days' plans (出欠予定) and
	 * their printable list (出欠予定表), recorded in the ledger like every export */
	{"GET", "/api/v1/sites/{}/plans", STAFF, 0, api_plans_get,
	 "a site's plans for the coming days: absences, changes (who, when), pickups"},
	{"GET", "/api/v1/sites/{}/reports/plans", WARD | ROLE_SITE_STAFF, 0, api_report_plans,
	 "the plan list of a site's coming days (出欠予定表, pdf)"},

	/* emergency mail (緊急時の一斉メール配信) on the bulk layer: more than one site needs a
	 * second person, never the author, whose scope covers every site (site staff: their own) */
	{"POST", "/api/v1/emergency-sends", COMPOSE, 0, api_emergency_create,
	 "compose an emergency mail to sites' confirmed guardians (now or at a time)"},
	{"POST", "/api/v1/emergency-sends/preview", COMPOSE, 0, api_emergency_preview,
	 "how many a draft would reach and whether it needs a second person (nothing stored)"},
	{"GET", "/api/v1/emergency-sends", WARD | ROLE_CONTRACTOR | ROLE_SITE_STAFF, 0,
	 api_emergency_list, "emergency sends with delivery and read counts (in the caller's scope)"},
	{"GET", "/api/v1/emergency-sends/{}", WARD | ROLE_CONTRACTOR | ROLE_SITE_STAFF, 0,
	 api_emergency_get, "one emergency send and its delivery"},
	{"POST", "/api/v1/emergency-sends/{}/approve", COMPOSE | ROLE_SITE_STAFF, 0,
	 api_emergency_approve, "approve (a second person, in scope) and send"},
	{"POST", "/api/v1/emergency-sends/{}/reject", COMPOSE | ROLE_SITE_STAFF, 0,
	 api_emergency_reject, "reject a send awaiting approval (not its author)"},
	{"POST", "/api/v1/emergency-sends/{}/cancel", COMPOSE, 0, api_emergency_cancel,
	 "withdraw a send awaiting approval or scheduled (its author, or the ward admin)"},
	{"POST", "/api/v1/emergency-sends/{}/resend", COMPOSE, 0, api_emergency_resend,
	 "send again to those who have not said 読みました"},
	{"GET", "/api/v1/emergency-templates", COMPOSE, 0, api_emergency_templates,
	 "emergency mail templates"},
	{"POST", "/api/v1/emergency-templates", COMPOSE, 0, api_emergency_template_save,
	 "a new template (no personal data)"},
	{"PUT", "/api/v1/emergency-templates/{}", COMPOSE, 0, api_emergency_template_save,
	 "change a template"},
	{"DELETE", "/api/v1/emergency-templates/{}", COMPOSE, 0, api_emergency_template_delete,
	 "delete a template"},

	/* bounces (mail-in): addresses that bounce get no bulk mail until confirmed again */
	{"GET", "/api/v1/mail/bouncing", WARD, 0, api_mail_bouncing_list,
	 "guardians whose mail address bounces (never the address)"},
	{"POST", "/api/v1/mail/bouncing/{}/confirmation", WARD, 0, api_mail_bouncing_confirm,
	 "mail a guardian with a bouncing address a new confirmation link"},

	/* the ward administrator's screens (issue 11): sites at a glance, cards, kiosks */
	{"GET", "/api/v1/overview", ROLE_WARD_ADMIN, 0, api_overview_get,
	 "every site today at a glance, those needing attention first (counts only)"},
	{"GET", "/api/v1/sites/{}/cards", ROLE_WARD_ADMIN, 0, api_card_list,
	 "a site's children and their cards"},
	{"POST", "/api/v1/sites/{}/cards", ROLE_WARD_ADMIN, 0, api_card_issue,
	 "a first card for chosen children, or for every child without one"},
	{"POST", "/api/v1/sites/{}/cards/{}/reissue", ROLE_WARD_ADMIN, 0, api_card_reissue,
	 "a new card for a child, the old one revoked"},
	{"GET", "/api/v1/sites/{}/cards/sheet", ROLE_WARD_ADMIN, 0, api_card_sheet,
	 "the printable card sheet of a site or of chosen children (ledger)"},
	{"GET", "/api/v1/kiosks", ROLE_WARD_ADMIN, 0, api_kiosk_list, "kiosks and today's scans"},
	{"POST", "/api/v1/sites/{}/kiosks", ROLE_WARD_ADMIN, 0, api_kiosk_create,
	 "a new kiosk of a site (its token shown once)"},
	{"POST", "/api/v1/kiosks/{}/revoke", ROLE_WARD_ADMIN, 0, api_kiosk_revoke,
	 "revoke a kiosk's token"},

	/* the ward's words for entry and exit (mimamori.conf [ward]), for every page */
	{"GET", "/api/v1/ward", ROLE_PUBLIC, 1, api_ward_get,
	 "the ward's words for a child's entry and exit (入室/退室 or as configured)"},
	{0},
};
