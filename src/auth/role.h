/* SPDX-License-Identifier: MIT */
/* role.h — the roles a caller can have; routes declare which of them may call. */
#ifndef MIMAMORI_AUTH_ROLE_H
#define MIMAMORI_AUTH_ROLE_H

enum role {
	ROLE_NONE = 0,
	ROLE_WARD_ADMIN = 1 << 0,
	ROLE_WARD_STAFF = 1 << 1,
	ROLE_CONTRACTOR = 1 << 2,
	ROLE_SITE_STAFF = 1 << 3,
	ROLE_KIOSK = 1 << 4,  /* a club's kiosk device, by bearer token */
	ROLE_PUBLIC = 1 << 5, /* anyone, signed in or not */
	ROLE_GUARDIAN = 1 << 6, /* a guardian signed in by a mail link (/parent/) */
	/* the schools' mass mail (seed 003); their school is the service's scope (school_users) */
	ROLE_SCHOOL_ADMIN = 1 << 7, /* a school's administrator: its registrants */
	ROLE_SENDER = 1 << 8,	    /* a principal: counts only, from ward-approved devices only */
	/* the bath-pass ledger (seed 002) */
	ROLE_BATH_OFFICE = 1 << 9,  /* head office: imports, the whole ledger, mailings */
	ROLE_BATH_BRANCH = 1 << 10, /* a branch office's counter: look up and issue only */
	/* the subsidies (src/grant/; seeds 004, 001): the benefit is the account's grant_staff */
	ROLE_GRANT_OPERATOR = 1 << 11,	 /* the contractor's operator: receive, pre-screen, calls */
	ROLE_GRANT_SUPERVISOR = 1 << 12, /* the contractor's supervisor: also the notices */
	ROLE_GRANT_STAFF = 1 << 13,	 /* the ward's staff: read, pay */
	ROLE_GRANT_APPROVER = 1 << 14,	 /* the ward's approver: decides */
};
#define ROLE_ANY_USER (ROLE_WARD_ADMIN | ROLE_WARD_STAFF | ROLE_CONTRACTOR | ROLE_SITE_STAFF)
/* The school staff's roles: staff accounts (users), but not in ROLE_ANY_USER, so that no
 * route of the clubs' service opens to them by accident. */
#define ROLE_SCHOOL_USERS (ROLE_SCHOOL_ADMIN | ROLE_SENDER)
/* The bath-pass staff's roles, outside ROLE_ANY_USER for the same reason. */
#define ROLE_BATH_USERS (ROLE_BATH_OFFICE | ROLE_BATH_BRANCH)
/* The subsidies' roles, outside ROLE_ANY_USER for the same reason. */
#define ROLE_GRANT_USERS                                                                           \
	(ROLE_GRANT_OPERATOR | ROLE_GRANT_SUPERVISOR | ROLE_GRANT_STAFF | ROLE_GRANT_APPROVER)
/* Every role of a signed-in staff account (sessions, CSRF, the password change). */
#define ROLE_SIGNED_IN (ROLE_ANY_USER | ROLE_SCHOOL_USERS | ROLE_BATH_USERS | ROLE_GRANT_USERS)

/* Returns the role for a stored role name, or ROLE_NONE when unknown. */
enum role role_parse(const char *name);
/* Returns the stored name of a single role ("ward_admin", …) or "none". */
const char *role_name(enum role r);
/* Returns 1 when an account of role r may sign in and work only from a device the ward
 * approved (approved_device.h): senders. */
int role_needs_device(enum role r);

#endif
