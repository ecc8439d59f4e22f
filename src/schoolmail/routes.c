/* SPDX-License-Identifier: MIT */
/* routes.c — the schools' mass mail's API routes with the roles that may call them; reads like a
 * menu. src/services.c composes them with the platform's (src/routes.c). Every route a sender
 * may call answers counts, never a name or an address (tests/e2e/test_schoolmail_roles.py). */
#include "schoolmail/service.h"

#include "schoolmail/api.h"

#define WARD (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)
#define TOKEN (HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_FAILED)
#define COMPOSE (WARD | ROLE_SCHOOL_USERS) /* the ward, a school's administrator, its sender */

/* clang-format off */
const struct http_route schoolmail_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	/* guardians, by the token of a link they were mailed (no sign-in) */
	{"POST", "/api/v1/school/signup/lookup", ROLE_PUBLIC, TOKEN,
	 api_school_signup_lookup, "what a sign-up link is for: the school, its grades and classes"},
	{"POST", "/api/v1/school/signup", ROLE_PUBLIC, TOKEN, api_school_signup,
	 "register children with a sign-up link (used once)"},
	{"POST", "/api/v1/school/manage/lookup", ROLE_PUBLIC, TOKEN,
	 api_school_manage_lookup, "a mail footer's link: the school it is about (nothing personal)"},
	{"POST", "/api/v1/school/manage/cancel", ROLE_PUBLIC, TOKEN,
	 api_school_manage_cancel, "a mail footer's link: cancel this school's registrations"},
	{"POST", "/api/v1/school/manage/edit-link", ROLE_PUBLIC,
	 HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_EACH, api_school_manage_edit_link,
	 "a mail footer's link: mail the address a link to change its registrations"},
	{"POST", "/api/v1/school/edit/lookup", ROLE_PUBLIC, TOKEN,
	 api_school_edit_lookup, "an edit link: the address's registrations"},
	{"POST", "/api/v1/school/edit/update", ROLE_PUBLIC, TOKEN,
	 api_school_edit_update, "an edit link: change a registration"},
	{"POST", "/api/v1/school/edit/cancel", ROLE_PUBLIC, TOKEN,
	 api_school_edit_cancel, "an edit link: cancel a registration"},
	/* school staff and the ward */
	{"GET", "/api/v1/schools", WARD | ROLE_SCHOOL_USERS, 0, api_schools_list,
	 "schools with registrant counts (school staff: their own)"},
	{"GET", "/api/v1/schools/{}/counts", WARD | ROLE_SCHOOL_USERS, 0,
	 api_school_counts, "registrants per grade and class against last year (counts only)"},
	{"GET", "/api/v1/schools/{}/letter", ROLE_WARD_ADMIN | ROLE_SCHOOL_ADMIN, 0,
	 api_school_letter, "the school's registration letter (PDF with the code as QR)"},
	{"GET", "/api/v1/schools/{}/registrants", ROLE_SCHOOL_ADMIN, 0, api_school_registrants,
	 "the school's registrants, searched by name or address"},
	{"POST", "/api/v1/schools/{}/registrants/{}/remove", ROLE_SCHOOL_ADMIN, 0,
	 api_school_registrant_remove, "delete a registration (transfer, graduation)"},
	{"GET", "/api/v1/schools/{}/users", ROLE_WARD_ADMIN, 0, api_school_users_list,
	 "the school's administrators and senders"},
	{"POST", "/api/v1/schools/{}/users", ROLE_WARD_ADMIN, 0, api_school_users_create,
	 "a school administrator or sender with a random first password (shown once)"},
	{"GET", "/api/v1/school-alerts", WARD, 0, api_school_alerts,
	 "the roll-over's drops in registrants"},
	{"POST", "/api/v1/school-alerts/{}/acknowledge", ROLE_WARD_ADMIN, 0,
	 api_school_alert_ack, "mark a roll-over alert as seen"},

	/* sending (the bulk layer): school staff to their own school, the ward to any; a send to
	 * several schools waits for a second person of the ward */
	{"POST", "/api/v1/school-sends/preview", COMPOSE, 0, api_school_send_preview,
	 "whom a send would reach now and whether it needs a second person (nothing stored)"},
	{"POST", "/api/v1/school-sends", COMPOSE, 0, api_school_send_create,
	 "compose a send to schools, grades or classes (now, or at a time)"},
	{"GET", "/api/v1/school-sends", COMPOSE, 0, api_school_sends_list,
	 "the sends in the caller's scope with delivery and read counts"},
	{"GET", "/api/v1/school-sends/{}", COMPOSE, 0, api_school_send_get,
	 "one send: its text, delivery and read counts per school (never an address)"},
	{"POST", "/api/v1/school-sends/{}/approve", WARD, 0, api_school_send_approve,
	 "approve a send to several schools (a second person) and send it"},
	{"POST", "/api/v1/school-sends/{}/reject", WARD, 0, api_school_send_reject,
	 "reject a send awaiting approval"},
	{"POST", "/api/v1/school-sends/{}/cancel", COMPOSE, 0, api_school_send_cancel,
	 "withdraw a send awaiting approval or scheduled (its author or the ward admin)"},
	{"POST", "/api/v1/school-sends/{}/resend", COMPOSE, 0, api_school_send_resend,
	 "send again to those who have not pressed 読みました"},
	{"GET", "/api/v1/school-templates", COMPOSE, 0, api_school_templates,
	 "the templates (休校のお知らせ, 不審者情報 …)"},
	{"POST", "/api/v1/school-templates", WARD, 0, api_school_template_save,
	 "a new template (checked like a message)"},
	{"PUT", "/api/v1/school-templates/{}", WARD, 0, api_school_template_save,
	 "change a template"},
	{"DELETE", "/api/v1/school-templates/{}", WARD, 0, api_school_template_delete,
	 "delete a template"},
	{0},
};
/* clang-format on */
