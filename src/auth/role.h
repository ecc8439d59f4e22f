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
	/* the plazas' registrations (seed 001); the plaza is the service's scope */
	ROLE_PLAZA_STAFF = 1 << 15, /* a plaza's desk: registrations, cards, visits */
	/* youth support casework (要配慮; seed 001): only a case's assigned workers and the ward's
	 * supervisor open a case */
	ROLE_YOUTH_WORKER = 1 << 16,	 /* a plaza's case worker */
	ROLE_YOUTH_SUPERVISOR = 1 << 17, /* the ward's supervisor of youth support */
	/* the child development support centre (要配慮; seed 001), run by a designated manager */
	ROLE_CENTRE_STAFF = 1 << 18,   /* the centre's staff: records, attendance, the bus list */
	ROLE_CENTRE_MANAGER = 1 << 19, /* the designated manager's responsible person */
	ROLE_CENTRE_PARENT = 1 << 20,  /* a parent: their own child's thread and statements only */
	/* course sign-up (父親ピアサポート and other courses; seed 001) */
	ROLE_COURSE_STAFF = 1 << 21, /* runs courses: sessions, lists, attendance */
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
/* Seed 001's registrations and casework roles, outside ROLE_ANY_USER for the same reason. */
#define ROLE_PLAZA_USERS (ROLE_PLAZA_STAFF)
#define ROLE_YOUTH_USERS (ROLE_YOUTH_WORKER | ROLE_YOUTH_SUPERVISOR)
#define ROLE_CENTRE_USERS (ROLE_CENTRE_STAFF | ROLE_CENTRE_MANAGER | ROLE_CENTRE_PARENT)
#define ROLE_COURSE_USERS (ROLE_COURSE_STAFF)
/* Every role of a signed-in staff account (sessions, CSRF, the password change). */
#define ROLE_SIGNED_IN                                                                             \
	(ROLE_ANY_USER | ROLE_SCHOOL_USERS | ROLE_BATH_USERS | ROLE_GRANT_USERS | ROLE_PLAZA_USERS | \
	 ROLE_YOUTH_USERS | ROLE_CENTRE_USERS | ROLE_COURSE_USERS)
/* The administrators who sign in with a second factor (TOTP, src/auth/totp.h): the ward's
 * administrators, who hold every site and the accounts, and the contractors' supervisors, who
 * hold the subsidies' notices. Other roles see less and keep the password alone. */
#define ROLE_SECOND_FACTOR (ROLE_WARD_ADMIN | ROLE_GRANT_SUPERVISOR)

/* Returns the role for a stored role name, or ROLE_NONE when unknown. */
enum role role_parse(const char *name);
/* Returns the stored name of a single role ("ward_admin", …) or "none". */
const char *role_name(enum role r);
/* Returns 1 when an account of role r may sign in and work only from a device the ward
 * approved (approved_device.h): senders. */
int role_needs_device(enum role r);

#endif
