/* SPDX-License-Identifier: MIT */
/* user_admin.h — staff accounts as the ward administrator manages them: list, add with a random
 * first password, role and sites, lock and unlock, password reset, and the change a user makes
 * when an administrator set the password. Every change is audited with the acting user. */
#ifndef MIMAMORI_AUTH_USER_ADMIN_H
#define MIMAMORI_AUTH_USER_ADMIN_H
#include <stddef.h>
#include <stdint.h>

#include "auth/user.h"
#include "base/err.h"

struct store;
struct vault;

/* One account as the administrator sees it (no password hash). */
struct user_row {
	int64_t id;
	char login[64];
	char role[24];	      /* stored role name */
	size_t nsites;
	char site_codes[USER_MAX_SITES][16];
	int locked;	      /* locked by an administrator (users.disabled) */
	int64_t locked_until_ms; /* locked for failed sign-ins until then (0: not) */
	int64_t failed_count;
	int must_change_password;
	int64_t created_ms;
	int second_factor; /* an authenticator is enrolled (totp_store.h) */
	int64_t retired_ms; /* when the account was retired (user_admin_retire), 0 while in use */
};

/* Loads every account, by login, into *rows (malloc'd array of *n; caller frees with free()). */
enum err user_admin_list(struct store *s, struct user_row **rows, size_t *n);
/* Loads account id into *row. ERR_NOTFOUND when there is none. */
enum err user_admin_get(struct store *s, int64_t id, struct user_row *row);

/* Creates an account with role and (site staff only) sites, and a random first password that
 * must be changed at the first sign-in: *password (malloc'd; caller frees with vault_wipe_free)
 * is shown once and stored only hashed; *id is the new account. Audited "user.add" as actor.
 * ERR_INVALID with *why (static Japanese text) for a bad login, role or site; ERR_CONFLICT when
 * the login exists. */
enum err user_admin_add(struct store *s, const struct vault *v, const char *actor,
			const char *login, const char *role, const char *const *sites,
			size_t nsites, char **password, int64_t *id, const char **why);

/* Sets account id's role and sites (as user_admin_add). admin_id is the acting administrator:
 * nobody changes their own role, and the last unlocked ward administrator stays one
 * (ERR_CONFLICT, *why). Audited "user.update". ERR_NOTFOUND for no such account. */
enum err user_admin_set_role(struct store *s, const struct vault *v, const char *actor,
			     int64_t admin_id, int64_t id, const char *role,
			     const char *const *sites, size_t nsites, const char **why);

/* Locks (lock 1) or unlocks (0) account id. A lock ends the account's sessions at once and
 * refuses its sign-ins; an unlock also clears the lockout after failed sign-ins. Nobody locks
 * themselves, nor the last unlocked ward administrator (ERR_CONFLICT, *why). Audited
 * "user.lock" / "user.unlock". */
enum err user_admin_lock(struct store *s, const struct vault *v, const char *actor,
			 int64_t admin_id, int64_t id, int lock, const char **why);

/* Retires account id (アカウントの廃止) for good: its login becomes "retired:<id>" (no one can
 * sign in with it or choose it), its password can never match, it is locked, and its sessions,
 * remembered and approved devices, second factor, sites and benefit go; the row stays, for the
 * audit log and the services' records name accounts by number. Nobody retires themselves, nor
 * the last unlocked ward administrator; a retired account cannot be retired again or changed
 * (ERR_CONFLICT, *why). Audited "user.retire". ERR_NOTFOUND for no such account. */
enum err user_admin_retire(struct store *s, const struct vault *v, const char *actor,
			   int64_t admin_id, int64_t id, const char **why);
struct store_conn;
/* Retires account id (as user_admin_retire, without its checks) on c inside the caller's write
 * transaction, audited "user.retire" by actor with detail (the role, or "retention"): also for
 * the retention job, which retires the accounts nothing needs any more (retention.h, retire).
 * ERR_NOTFOUND when id is no account in use, ERR_DB. */
enum err user_retire_on(struct store_conn *c, const struct vault *v, const char *actor,
			int64_t id, const char *detail);

/* Gives account id a new random password (*password, malloc'd, caller wipes with
 * vault_wipe_free; shown once) that must be changed at the next sign-in; clears the failed
 * sign-ins and ends the account's sessions. Audited "user.password.reset". */
enum err user_admin_reset_password(struct store *s, const struct vault *v, const char *actor,
				   int64_t id, char **password, const char **why);

/* The signed-in user u changes their own password: current is checked as a sign-in is (the
 * same delay and lockout after failures: ERR_UNAUTH for a wrong one, ERR_TOOMANY with
 * *retry_ms), new_password must follow the rules (at least USER_PASSWORD_MIN characters, not
 * the login, not the current one: ERR_INVALID with *why). Clears must_change_password. Audited
 * "user.password.change". */
enum err user_change_password(struct store *s, const struct vault *v, const struct user *u,
			      const char *current, const char *new_password, int64_t *retry_ms,
			      const char **why);

/* Returns the Japanese name of a stored role name ("ward_admin" → 区の管理者), or the name. */
const char *user_role_label(const char *role);

#endif
