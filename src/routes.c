/* SPDX-License-Identifier: MIT */
/* routes.c — the platform's API routes with the roles that may call them (sign-in, staff
 * accounts, the mail of every service, the handover ledger), and the one table the server
 * runs: these followed by each registered service's own routes. The route × role test
 * (tests/e2e/test_route_roles.py) walks that table through GET /api/v1/routes. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "app/lifecycle_api.h"
#include "app/council_api.h"
#include "app/service.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "bulk/bulk_api.h"
#include "http/device_api.h"
#include "http/retention_api.h"
#include "http/session_api.h"
#include "http/totp_api.h"
#include "http/user_api.h"
#include "ledger/ledger.h"

#define STAFF ROLE_ANY_USER
#define SIGNED_IN ROLE_SIGNED_IN /* staff and the school staff (school administrators, senders) */
#define WARD (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)

static enum err api_route_list(struct http_req *rq, struct http_resp *rs);

static const struct http_route platform_routes[] = {
	/* method, pattern, roles, flags (1: no CSRF token), handler, summary */
	{"POST", "/api/v1/session", ROLE_PUBLIC, 1, api_session_create, "sign in"},
	{"GET", "/api/v1/session", SIGNED_IN | HTTP_PASSWORD_DUE_OK, 0, api_session_get,
	 "who am I"},
	{"DELETE", "/api/v1/session", SIGNED_IN | HTTP_PASSWORD_DUE_OK, 0, api_session_delete,
	 "sign out"},
	/* a user whose password an administrator set may only change it */
	{"POST", "/api/v1/session/password", SIGNED_IN | HTTP_PASSWORD_DUE_OK, 0, api_session_password,
	 "change one's own password (required after an administrator set it)"},
	{"GET", "/api/v1/routes", ROLE_WARD_ADMIN, 0, api_route_list, "this table"},
	/* the administrators' second factor (issue 19): the code step of a sign-in, and the
	 * enrolment an administrator without one is sent to (HTTP_PASSWORD_DUE_OK: open then) */
	{"POST", "/api/v1/session/totp", ROLE_PUBLIC,
	 HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_FAILED, api_totp_sign_in,
	 "sign in, second step: the authenticator's code or a recovery code"},
	{"GET", "/api/v1/session/totp", ROLE_SECOND_FACTOR | HTTP_PASSWORD_DUE_OK, 0,
	 api_totp_state, "one's second factor: enrolled, required, recovery codes left"},
	{"POST", "/api/v1/session/totp/enrolment", ROLE_SECOND_FACTOR | HTTP_PASSWORD_DUE_OK, 0,
	 api_totp_enrol, "start enrolling an authenticator (a new secret)"},
	{"GET", "/api/v1/session/totp/enrolment/qr", ROLE_SECOND_FACTOR | HTTP_PASSWORD_DUE_OK, 0,
	 api_totp_enrol_qr, "the enrolment's QR code (PNG)"},
	{"POST", "/api/v1/session/totp/enrolment/confirm",
	 ROLE_SECOND_FACTOR | HTTP_PASSWORD_DUE_OK, 0, api_totp_enrol_confirm,
	 "confirm the enrolment with a first code; recovery codes shown once"},

	/* staff accounts (the ward administrator's screens, issue 11) */
	{"GET", "/api/v1/users", ROLE_WARD_ADMIN, 0, api_user_list, "staff accounts"},
	{"POST", "/api/v1/users", ROLE_WARD_ADMIN, 0, api_user_create,
	 "a staff account with a random first password (shown once)"},
	{"PATCH", "/api/v1/users/{}", ROLE_WARD_ADMIN, 0, api_user_patch,
	 "an account's role and sites, or lock / unlock"},
	{"POST", "/api/v1/users/{}/password", ROLE_WARD_ADMIN, 0, api_user_password_reset,
	 "reset an account's password (random, shown once, to be changed)"},
	{"POST", "/api/v1/users/{}/retire", ROLE_WARD_ADMIN, 0, api_user_retire,
	 "retire an account for good (its login and password gone, its row kept for the records)"},
	{"POST", "/api/v1/users/{}/totp-reset", ROLE_WARD_ADMIN, 0, api_user_totp_reset,
	 "remove another account's authenticator (a lost phone; enrols again at its next sign-in)"},

	/* the handover ledger (受け渡し台帳): every service's exports */
	{"GET", "/api/v1/ledger", ROLE_WARD_ADMIN, 0, api_ledger_list, "the handover ledger"},

	/* retention periods and the monthly audit report (issue 19) */
	{"GET", "/api/v1/retention", ROLE_WARD_ADMIN, 0, api_retention_get,
	 "retention periods in effect and the last run's counts"},
	{"GET", "/api/v1/audit/report", ROLE_WARD_ADMIN, 0, api_audit_report,
	 "a month's reads, exports and denials per staff user, off-hours and volume flagged"},

	/* one send's delivery, any service's: per state and domain, bounces, failures; retry */
	{"GET", "/api/v1/mail/sends/{}", WARD | ROLE_CONTRACTOR, 0, api_mail_send_get,
	 "one send's delivery by state and domain, bounces and failures (never addresses)"},
	{"POST", "/api/v1/mail/sends/{}/retry", ROLE_WARD_ADMIN, 0, api_mail_send_retry,
	 "queue a send's failed mail again (not to bouncing or unsubscribed addresses)"},
	/* List-Unsubscribe of bulk mail (RFC 8058): no sign-in, the token names the message */
	{"GET", "/api/v1/unsubscribe/{}", ROLE_PUBLIC, 1, api_unsubscribe_get,
	 "lead an unsubscribe link to its page (changes nothing)"},
	{"POST", "/api/v1/unsubscribe/{}", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_ONE_CLICK,
	 api_unsubscribe_post, "unsubscribe a message's recipient from its list (one-click)"},
	/* joining a list again: a confirmation link goes to the address itself */
	{"POST", "/api/v1/unsubscribe/{}/resubscribe", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF,
	 api_resubscribe_request, "ask to receive a list's mail again (a link is mailed)"},
	{"POST", "/api/v1/resubscriptions", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF,
	 api_resubscribe_confirm, "confirm receiving a list's mail again (the mailed link)"},
	/* read confirmation of bulk mail (読みました): the page's button, the token is the key */
	{"POST", "/api/v1/reads/{}", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF, api_read_post,
	 "a recipient says 読みました (counted once per message)"},

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

	/* backups and erasure at a contract's end (issue 19; src/app/lifecycle_api.c) */
	{"GET", "/api/v1/backups", ROLE_WARD_ADMIN, 0, api_backup_list,
	 "backups: the settings, the last success, the recent runs and files"},
	{"POST", "/api/v1/backups", ROLE_WARD_ADMIN, 0, api_backup_create, "make a backup now"},
	{"GET", "/api/v1/erasures", ROLE_WARD_ADMIN, 0, api_erasure_list,
	 "services that can be erased, and the erasure requests"},
	{"POST", "/api/v1/erasures", ROLE_WARD_ADMIN, 0, api_erasure_create,
	 "ask to erase a service (another ward administrator confirms)"},
	{"POST", "/api/v1/erasures/{}/confirm", ROLE_WARD_ADMIN, 0, api_erasure_confirm,
	 "confirm an erasure as another ward administrator: the key and the rows are destroyed"},
	{"POST", "/api/v1/erasures/{}/cancel", ROLE_WARD_ADMIN, 0, api_erasure_cancel,
	 "cancel an erasure request"},
	{"GET", "/api/v1/erasures/{}/certificate", ROLE_WARD_ADMIN, 0, api_erasure_certificate,
	 "an erasure's certificate (消去証明書, PDF)"},
	/* the privacy council's paperwork (個人情報保護審議会): item lists, designated handlers */
	{"GET", "/api/v1/council/items", ROLE_WARD_ADMIN, 0, api_council_items,
	 "the item lists of the personal-information files (md, pdf or xlsx), from the live schema"},
	{"GET", "/api/v1/council/staff", ROLE_WARD_ADMIN, 0, api_council_staff,
	 "the designated handlers (取扱責任者・取扱者) of each service, from the accounts"},
	{0},
};

static struct http_route *composed; /* set once by routes_compose, before serving */

/* Appends the routes of t (ending with {0}) to composed at *n, refusing a method and pattern
 * that is there already (two owners of one route: a mistake of composition). */
static enum err add_table(const struct http_route *t, const char *owner, size_t *n)
{
	for (; t && t->method; t++) {
		for (size_t i = 0; i < *n; i++)
			if (strcmp(composed[i].method, t->method) == 0 &&
			    strcmp(composed[i].pattern, t->pattern) == 0) {
				log_error("routes: %s %s of %s is declared twice", t->method,
					  t->pattern, owner);
				return ERR_CONFLICT;
			}
		composed[(*n)++] = *t;
	}
	return ERR_OK;
}

static size_t count(const struct http_route *t)
{
	size_t n = 0;
	while (t && t[n].method)
		n++;
	return n;
}

enum err routes_compose(const struct service *const *list, const struct http_route **out)
{
	size_t total = count(platform_routes), n = 0;
	for (const struct service *const *sv = list; *sv; sv++)
		total += count((*sv)->routes);
	free(composed);
	composed = xcalloc(total + 1, sizeof *composed);
	enum err e = add_table(platform_routes, "the platform", &n);
	for (const struct service *const *sv = list; *sv && e == ERR_OK; sv++)
		e = add_table((*sv)->routes, (*sv)->name, &n);
	if (e != ERR_OK) {
		free(composed);
		composed = NULL;
		return e;
	}
	*out = composed;
	return ERR_OK;
}

const struct http_route *routes_platform(void)
{
	return platform_routes;
}

void routes_free(void)
{
	free(composed);
	composed = NULL;
}

static enum err api_route_list(struct http_req *rq, struct http_resp *rs)
{
	json_t *arr = json_array();
	(void)rq;
	for (const struct http_route *r = composed; r && r->method; r++) {
		json_t *roles = json_array();
		if (r->roles & ROLE_PUBLIC)
			json_array_append_new(roles, json_string("public"));
		/* every named role, in the order of their bits (role.h) */
		for (unsigned b = 0; b < 31; b++) {
			enum role one = (enum role)(1u << b);
			if (one != ROLE_PUBLIC && (r->roles & one) && strcmp(role_name(one), "none"))
				json_array_append_new(roles, json_string(role_name(one)));
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:s,s:b}", "method", r->method,
						     "pattern", r->pattern, "roles", roles,
						     "summary", r->summary, "hidden",
						     (r->flags & HTTP_ROUTE_HIDDEN) != 0));
	}
	return http_json(rs, 200, json_pack("{s:o}", "routes", arr));
}
