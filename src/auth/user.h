/* SPDX-License-Identifier: MIT */
/* user.h — staff accounts: creation, sign-in with growing delay and lockout. */
#ifndef MIMAMORI_AUTH_USER_H
#define MIMAMORI_AUTH_USER_H
#include <stddef.h>
#include <stdint.h>

#include "auth/role.h"
#include "base/err.h"

struct store;
struct vault;

#define USER_MAX_SITES 64
#define USER_PASSWORD_MIN 10
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
};

/* Creates a user with the given role (a stored role name) and, for site staff, sites (codes).
 * ERR_INVALID with *why set (static text) for a bad login, role, site or short password;
 * ERR_CONFLICT when the login exists. */
enum err user_add(struct store *s, const struct vault *v, const char *login, const char *role,
		  const char *const *sites, size_t nsites, const char *password, const char **why);

/* Checks a sign-in. ERR_OK fills *u. ERR_UNAUTH for a wrong login or password, ERR_TOOMANY
 * while a delay or lockout is running (*retry_ms says how long). Every outcome is audited. */
enum err user_sign_in(struct store *s, const struct vault *v, const char *login,
		      const char *password, struct user *u, int64_t *retry_ms);

/* Loads user id into *u (with sites). ERR_NOTFOUND when missing or disabled. */
enum err user_load(struct store *s, int64_t id, struct user *u);

/* Returns 1 when login is an acceptable login (2-60 letters, digits, '-', '_' or '.'). */
int user_login_ok(const char *login);

/* Returns 1 when u may see site_id (all non-site-staff roles see every site). */
int user_can_see_site(const struct user *u, int64_t site_id);

#endif
