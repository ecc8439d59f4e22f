/* SPDX-License-Identifier: MIT */
/* routes.c — every API route with the roles that may call it; reads like a menu. The route ×
 * role test (tests/e2e/test_route_roles.py) walks this table through GET /api/v1/routes. */
#include "routes.h"

#include "attendance/admin_api.h"
#include "attendance/attendance_api.h"
#include "http/device_api.h"
#include "http/session_api.h"
#include "http/user_api.h"
#include "schoolmail/routes.h" /* STAND-IN until src/services.c composes the tables */

#define STAFF ROLE_ANY_USER
#define SIGNED_IN ROLE_SIGNED_IN /* staff and the school staff (school administrators, senders) */
#define WARD (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)

static enum err api_route_list(struct http_req *rq, struct http_resp *rs);

const struct http_route routes[] = {
	/* method, pattern, roles, flags (1: no CSRF token), handler, summary */
	{"POST", "/api/v1/session", ROLE_PUBLIC, 1, api_session_create, "sign in"},
	{"GET", "/api/v1/session", SIGNED_IN | HTTP_PASSWORD_DUE_OK, 0, api_session_get,
	 "who am I"},
	{"DELETE", "/api/v1/session", SIGNED_IN | HTTP_PASSWORD_DUE_OK, 0, api_session_delete,
	 "sign out"},
	{"GET", "/api/v1/routes", ROLE_WARD_ADMIN, 0, api_route_list, "this table"},

	/* attendance (seed 000) */
	{"GET", "/api/v1/kiosk", ROLE_KIOSK, 1, api_kiosk_get, "the kiosk's site"},
	{"POST", "/api/v1/scans", ROLE_KIOSK, 1, api_scan_create, "record a card scan"},
	{"GET", "/api/v1/sites", STAFF, 0, api_site_list, "sites the caller may see"},
	{"PATCH", "/api/v1/sites/{}", ROLE_WARD_ADMIN, 0, api_site_patch,
	 "a site's hours and the settings of plans and alerts"},
	{"GET", "/api/v1/sites/{}/board", STAFF, 0, api_board_get, "today's board of a site"},
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

	/* reports (帳票) and the handover ledger; every download is recorded and audited */
	{"GET", "/api/v1/sites/{}/reports/daily", WARD | ROLE_SITE_STAFF, 0, api_report_daily,
	 "daily attendance list of a site (pdf|csv)"},
	{"GET", "/api/v1/reports/monthly", WARD, 0, api_report_monthly,
	 "the ward's monthly usage (xlsx|csv)"},
	{"GET", "/api/v1/ledger", ROLE_WARD_ADMIN, 0, api_ledger_list, "the handover ledger"},

	/* what guardians' changes tell staff (issue 11): the coming days' plans (出欠予定) and
	 * their printable list (出欠予定表), recorded in the ledger like every export */
	{"GET", "/api/v1/sites/{}/plans", STAFF, 0, api_plans_get,
	 "a site's plans for the coming days: absences, changes (who, when), pickups"},
	{"GET", "/api/v1/sites/{}/reports/plans", WARD | ROLE_SITE_STAFF, 0, api_report_plans,
	 "the plan list of a site's coming days (出欠予定表, pdf)"},

	/* emergency mail (緊急時の一斉メール配信): more than one site needs a second person */
	{"POST", "/api/v1/emergency-sends", ROLE_WARD_ADMIN | ROLE_CONTRACTOR, 0,
	 api_emergency_create, "compose an emergency mail to sites' confirmed guardians"},
	{"GET", "/api/v1/emergency-sends", WARD | ROLE_CONTRACTOR, 0, api_emergency_list,
	 "emergency sends with delivery counts"},
	{"GET", "/api/v1/emergency-sends/{}", WARD | ROLE_CONTRACTOR, 0, api_emergency_get,
	 "one emergency send and its delivery"},
	{"POST", "/api/v1/emergency-sends/{}/approve", ROLE_WARD_ADMIN | ROLE_CONTRACTOR, 0,
	 api_emergency_approve, "approve (a second person) and send"},
	{"POST", "/api/v1/emergency-sends/{}/reject", ROLE_WARD_ADMIN | ROLE_CONTRACTOR, 0,
	 api_emergency_reject, "reject a send awaiting approval"},

	/* bounces (mail-in): addresses that bounce get no bulk mail until confirmed again */
	{"GET", "/api/v1/mail/bouncing", WARD, 0, api_mail_bouncing_list,
	 "guardians whose mail address bounces (never the address)"},
	{"POST", "/api/v1/mail/bouncing/{}/confirmation", WARD, 0, api_mail_bouncing_confirm,
	 "mail a guardian with a bouncing address a new confirmation link"},

	/* one send's delivery: per state and domain, bounces, failures; retry of the failed */
	{"GET", "/api/v1/mail/sends/{}", WARD | ROLE_CONTRACTOR, 0, api_mail_send_get,
	 "one send's delivery by state and domain, bounces and failures (never addresses)"},
	{"POST", "/api/v1/mail/sends/{}/retry", ROLE_WARD_ADMIN, 0, api_mail_send_retry,
	 "queue a send's failed mail again (not to bouncing or unsubscribed addresses)"},
	/* List-Unsubscribe of bulk mail (RFC 8058): no sign-in, the token names the message */
	{"GET", "/api/v1/unsubscribe/{}", ROLE_PUBLIC, 1, api_unsubscribe_get,
	 "lead an unsubscribe link to its page (changes nothing)"},
	{"POST", "/api/v1/unsubscribe/{}", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_ONE_CLICK,
	 api_unsubscribe_post, "unsubscribe a message's recipient from its list (one-click)"},

	/* the ward administrator's screens (issue 11): sites at a glance, cards, kiosks, staff
	 * accounts; a user whose password an administrator set may only change it */
	{"POST", "/api/v1/session/password", SIGNED_IN | HTTP_PASSWORD_DUE_OK, 0, api_session_password,
	 "change one's own password (required after an administrator set it)"},
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
	{"GET", "/api/v1/users", ROLE_WARD_ADMIN, 0, api_user_list, "staff accounts"},
	{"POST", "/api/v1/users", ROLE_WARD_ADMIN, 0, api_user_create,
	 "a staff account with a random first password (shown once)"},
	{"PATCH", "/api/v1/users/{}", ROLE_WARD_ADMIN, 0, api_user_patch,
	 "an account's role and sites, or lock / unlock"},
	{"POST", "/api/v1/users/{}/password", ROLE_WARD_ADMIN, 0, api_user_password_reset,
	 "reset an account's password (random, shown once, to be changed)"},

	/* the ward's words for entry and exit (mimamori.conf [ward]), for every page */
	{"GET", "/api/v1/ward", ROLE_PUBLIC, 1, api_ward_get,
	 "the ward's words for a child's entry and exit (入室/退室 or as configured)"},

	/* devices the ward approved (auth/approved_device.h): senders work only from them */
	{"POST", "/api/v1/devices/enrolment", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF |
	 HTTP_ROUTE_THROTTLE_FAILED, api_device_enrol,
	 "this device asks to be approved for an account (its login and password)"},
	{"GET", "/api/v1/devices/enrolment", ROLE_PUBLIC, 1, api_device_enrolment_get,
	 "this device's enrolment and whether it is approved"},
	{"GET", "/api/v1/devices", WARD, 0, api_device_list, "devices asking or approved"},
	{"POST", "/api/v1/devices/{}/approve", ROLE_WARD_ADMIN, 0, api_device_approve,
	 "approve a device"},
	{"POST", "/api/v1/devices/{}/revoke", ROLE_WARD_ADMIN, 0, api_device_revoke,
	 "revoke a device (or refuse its request)"},

	/* STAND-IN (school branch): the schools' mass mail (seed 003), its routes as its own
	 * table holds them (src/schoolmail/service.c); src/services.c composes them (issue 13) */
	SCHOOLMAIL_ROUTES
	{0},
};

static enum err api_route_list(struct http_req *rq, struct http_resp *rs)
{
	json_t *arr = json_array();
	static const enum role all[] = {ROLE_WARD_ADMIN,   ROLE_WARD_STAFF, ROLE_CONTRACTOR,
					ROLE_SITE_STAFF,   ROLE_KIOSK,	    ROLE_GUARDIAN,
					ROLE_SCHOOL_ADMIN, ROLE_SENDER};
	(void)rq;
	for (const struct http_route *r = routes; r->method; r++) {
		json_t *roles = json_array();
		if (r->roles & ROLE_PUBLIC)
			json_array_append_new(roles, json_string("public"));
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
			if (r->roles & all[i])
				json_array_append_new(roles, json_string(role_name(all[i])));
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:s}", "method", r->method,
						     "pattern", r->pattern, "roles", roles,
						     "summary", r->summary));
	}
	return http_json(rs, 200, json_pack("{s:o}", "routes", arr));
}
