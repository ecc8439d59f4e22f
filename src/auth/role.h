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
};
#define ROLE_ANY_USER (ROLE_WARD_ADMIN | ROLE_WARD_STAFF | ROLE_CONTRACTOR | ROLE_SITE_STAFF)

/* Returns the role for a stored role name, or ROLE_NONE when unknown. */
enum role role_parse(const char *name);
/* Returns the stored name of a single role ("ward_admin", …) or "none". */
const char *role_name(enum role r);

#endif
