/* SPDX-License-Identifier: MIT */
/* totp.c — RFC 6238 codes through liboath (HMAC-SHA1; libsodium has no SHA-1 HMAC, and the
 * authenticator apps expect SHA-1). */
#include "auth/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "vault/vault.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc = OATH_OK;

static void init_oath(void)
{
	init_rc = oath_init();
}

static int ready(void)
{
	pthread_once(&once, init_oath);
	return init_rc == OATH_OK;
}

int64_t totp_step(int64_t t)
{
	return t >= 0 ? t / TOTP_STEP_S : 0;
}

enum err totp_code(const unsigned char *secret, size_t len, int64_t t, unsigned digits, char out[9])
{
	out[0] = '\0';
	if (!secret || !len || digits < 6 || digits > 8 || t < 0)
		return ERR_INVALID;
	if (!ready())
		return ERR_CRYPTO;
	int rc =
	    oath_totp_generate((const char *)secret, len, (time_t)t, TOTP_STEP_S, 0, digits, out);
	return rc == OATH_OK ? ERR_OK : ERR_CRYPTO;
}

enum err totp_check(const unsigned char *secret, size_t len, int64_t t, const char *code,
		    int64_t last_step, int64_t *step)
{
	if (!code || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return ERR_INVALID;
	enum err e = ERR_UNAUTH;
	int64_t now = totp_step(t);
	/* Every step of the window is computed and compared in constant time, so the answer's
	 * time does not say which step matched. */
	for (int64_t s = now - TOTP_WINDOW; s <= now + TOTP_WINDOW; s++) {
		char want[9];
		if (s < 0)
			continue;
		enum err ce = totp_code(secret, len, s * TOTP_STEP_S, TOTP_DIGITS, want);
		if (ce != ERR_OK)
			return ce;
		if (vault_equal(want, code, TOTP_DIGITS) && s > last_step && e != ERR_OK) {
			*step = s;
			e = ERR_OK;
		}
		vault_wipe(want, sizeof want);
	}
	return e;
}

char *totp_base32(const unsigned char *secret, size_t len)
{
	char *out = NULL;
	size_t n = 0;
	if (!ready() || oath_base32_encode((const char *)secret, len, &out, &n) != OATH_OK)
		return NULL;
	/* liboath pads with '='; the key URI format leaves padding out. */
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	char *r = xstrdup(out);
	vault_wipe(out, n);
	free(out);
	return r;
}
