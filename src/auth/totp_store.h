/* SPDX-License-Identifier: MIT */
/* totp_store.h — an account's second factor: enrolment (a secret sealed under the platform
 * key, confirmed by a first code), one-time recovery codes, the check at sign-in (no replay,
 * wrong codes locking the factor for a while), the sign-ins waiting for a code, and the reset
 * by an administrator at the console. Every outcome is audited. */
#ifndef MIMAMORI_AUTH_TOTP_STORE_H
#define MIMAMORI_AUTH_TOTP_STORE_H
#include <stdint.h>

#include "base/err.h"

struct store;
struct store_conn;
struct vault;

#define TOTP_RECOVERY_CODES 10
#define TOTP_RECOVERY_LEN 11	      /* "xxxxx-xxxxx": 10 symbols of 32, 50 bits */
#define TOTP_LOCK_AFTER 5	      /* wrong codes in a row before the factor locks */
#define TOTP_LOCK_MS (15 * 60 * 1000) /* how long */
#define TOTP_CHALLENGE_MS (5 * 60 * 1000)
#define TOTP_CHALLENGE_TRIES 5

/* Sets *enrolled to 1 when user uid has a confirmed authenticator, else 0. ERR_DB on a
 * failed read (a caller deciding on a sign-in then refuses). */
enum err totp_enrolled(struct store_conn *c, int64_t uid, int *enrolled);
/* Sets *left to the number of unused recovery codes of uid. */
enum err totp_recovery_left(struct store_conn *c, int64_t uid, int64_t *left);

/* Starts (or starts again) the enrolment of uid: a new random secret replaces an unconfirmed
 * one. *secret_b32 gets its base32 (malloc'd; caller wipes it with vault_wipe_free).
 * ERR_CONFLICT when uid is enrolled already. */
enum err totp_enrol_begin(struct store *s, const struct vault *v, int64_t uid,
			  char **secret_b32);
/* The base32 of uid's unconfirmed secret into *secret_b32 (as totp_enrol_begin), for its QR
 * code. ERR_NOTFOUND when no enrolment is waiting, ERR_CONFLICT when enrolled. */
enum err totp_enrol_pending(struct store *s, const struct vault *v, int64_t uid,
			    char **secret_b32);
/* Confirms uid's enrolment with its first code at unix time now_s and makes
 * TOTP_RECOVERY_CODES recovery codes, returned once in codes (each malloc'd; caller wipes
 * them with vault_wipe_free). ERR_UNAUTH for a wrong code, ERR_INVALID for a malformed one,
 * ERR_NOTFOUND when no enrolment is waiting, ERR_TOOMANY while locked. */
enum err totp_enrol_confirm(struct store *s, const struct vault *v, int64_t uid,
			    const char *code, int64_t now_s, char *codes[TOTP_RECOVERY_CODES]);
/* Checks a sign-in's second factor for uid at now_s: a 6-digit code (each time step once) or
 * a recovery code (each once; *used_recovery set to 1). ERR_OK, ERR_UNAUTH (wrong or used),
 * ERR_TOOMANY (locked after TOTP_LOCK_AFTER wrong codes; *retry_ms says how long),
 * ERR_NOTFOUND when uid is not enrolled. */
enum err totp_verify(struct store *s, const struct vault *v, int64_t uid, const char *code,
		     int64_t now_s, int *used_recovery, int64_t *retry_ms);
/* Removes uid's authenticator and recovery codes (a lost phone); actor and why go into the
 * audit log. ERR_NOTFOUND when uid had none. */
enum err totp_reset(struct store *s, const struct vault *v, int64_t uid, const char *actor);

/* Sets *uid to the id of the account login (disabled or not). ERR_NOTFOUND when none. */
enum err totp_user_id(struct store *s, const char *login, int64_t *uid);

/* A sign-in whose password was right waits for uid's code: *token (malloc'd; caller wipes it
 * with vault_wipe_free) names it for TOTP_CHALLENGE_MS and TOTP_CHALLENGE_TRIES tries. */
enum err totp_challenge_create(struct store *s, int64_t uid, char **token);
/* Counts a try of the challenge token and sets *uid. ERR_UNAUTH when unknown, expired or out
 * of tries (then removed). */
enum err totp_challenge_try(struct store *s, const char *token, int64_t *uid);
/* Removes the challenge token (its sign-in finished). */
void totp_challenge_done(struct store *s, const char *token);

#endif
