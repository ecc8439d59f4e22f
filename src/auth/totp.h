/* SPDX-License-Identifier: MIT */
/* totp.h — RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits) on
 * liboath: the codes, their check with a step either side, the secret in base32. */
#ifndef MIMAMORI_AUTH_TOTP_H
#define MIMAMORI_AUTH_TOTP_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_LEN 20 /* 160 bits, RFC 4226's recommendation for HMAC-SHA1 */
#define TOTP_WINDOW 1	   /* steps accepted either side of now (clock drift) */

/* Returns the time step of unix time t (seconds). */
int64_t totp_step(int64_t t);
/* Writes the code of secret (len bytes) for unix time t with digits digits (6 to 8) into out
 * (NUL-terminated, >= 9 bytes). ERR_INVALID for bad arguments, ERR_CRYPTO when liboath
 * fails. */
enum err totp_code(const unsigned char *secret, size_t len, int64_t t, unsigned digits,
		   char out[9]);
/* Checks code against secret at unix time t, TOTP_WINDOW steps either side, accepting only a
 * step after last_step (a code is good once). ERR_OK sets *step to the matched step;
 * ERR_UNAUTH when no step matches (or only used ones), ERR_INVALID when code is not 6
 * digits. */
enum err totp_check(const unsigned char *secret, size_t len, int64_t t, const char *code,
		    int64_t last_step, int64_t *step);
/* Returns the base32 form (RFC 4648, no padding) of secret, malloc'd (caller wipes it with
 * vault_wipe_free), or NULL when liboath fails. */
char *totp_base32(const unsigned char *secret, size_t len);

#endif
