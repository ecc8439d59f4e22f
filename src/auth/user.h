/* SPDX-License-Identifier: MIT */
/* user.h — staff accounts: creation under the password rules, sign-in with growing delay,
 * lockout that spares clients holding a device cookie, per-address throttle and lock alerts. */
#ifndef MIMAMORI_AUTH_USER_H
#define MIMAMORI_AUTH_USER_H
#include <stddef.h>
#include <stdint.h>

#include "auth/password.h"
#include "auth/role.h"
#include "base/err.h"

struct store;
struct vault;

#define USER_MAX_SITES 64
#define USER_PASSWORD_MIN AUTH_PASSWORD_MIN
#define USER_LOCK_AFTER 10          /* failures before the account locks */
#define USER_LOCK_MS (15 * 60 * 1000)

struct user {
	int64_t id;
	char login[64];
	enum role role;
	size_t nsites;
	int64_t site_ids[USER_MAX_SITES]; /* for site staff: the sites they may see */
	char site_codes[USER_MAX_SITES][16];
	int must_change_password; /* set by an administrator: only a password change is allowed */
	int password_term_due;	  /* the password predates the school term (password_term.h);
				   * must_change_password is then set too */
	int totp_due;		  /* a role of ROLE_SECOND_FACTOR without its authenticator yet
				   * (totp_store.h): sent to enrolment where [server]
				   * admin_second_factor = required */
};

/* Creates a user with the given role (a stored role name) and, for site staff, sites (codes).
 * ERR_INVALID with *why set (a static Japanese sentence) for a bad login, role or site, or a
 * password the rules refuse (auth_password_refusal); ERR_CONFLICT when the login exists. */
enum err user_add(struct store *s, const struct vault *v, const char *login, const char *role,
		  const char *const *sites, size_t nsites, const char *password, const char **why);

/* What a sign-in brings besides login and password (each may be NULL). */
struct user_sign_in_ctx {
	const char *device;	 /* the client's device cookie (signin_device.h) */
	const char *client_addr; /* its address, for the per-address throttle (throttle.h) */
	const char *alert_to;	 /* where the alert of a lock goes (admin_alert_email) */
};

/* What a sign-in gives back besides the user. */
struct user_sign_in_out {
	int64_t retry_ms;   /* with ERR_TOOMANY: how long to wait */
	char *device_token; /* after a success from a client without a valid device cookie: a new
			     * token for it (malloc'd; the caller wipes it with vault_wipe_free) */
	int locked;	    /* 1 when this failure locked the account (audited, alert queued) */
	int stopped;	    /* with ERR_UNAUTH: 1 when it was the right password of an account
			     * the ward stopped (locked by an administrator) */
	int by_address;	    /* with ERR_TOOMANY: 1 when only the client's address is held (too
			     * many tries from it), not the account */
};

/* Checks a sign-in. ERR_OK fills *u. ERR_UNAUTH for a wrong login or password, ERR_TOOMANY
 * while a delay or lockout is running or the client's address has failed too often
 * (out->retry_ms says how long). A client whose device cookie is bound to the account is
 * counted on its own: the account's lock does not hold it back. Every outcome is audited. */
enum err user_sign_in_ex(struct store *s, const struct vault *v, const char *login,
			 const char *password, const struct user_sign_in_ctx *ctx, struct user *u,
			 struct user_sign_in_out *out);

/* user_sign_in_ex without device, address or alert (the CLI and tests). */
enum err user_sign_in(struct store *s, const struct vault *v, const char *login,
		      const char *password, struct user *u, int64_t *retry_ms);

/* Loads user id into *u (with sites). ERR_NOTFOUND when missing or disabled. */
enum err user_load(struct store *s, int64_t id, struct user *u);

/* Returns 1 when login is an acceptable login (2-60 letters, digits, '-', '_' or '.'). */
int user_login_ok(const char *login);

/* Returns 1 when u may see site_id (all non-site-staff roles see every site). */
int user_can_see_site(const struct user *u, int64_t site_id);

#endif
