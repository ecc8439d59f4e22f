/* SPDX-License-Identifier: MIT */
/* test_totp.c — src/auth/totp.c against RFC 6238's test vectors (appendix B, HMAC-SHA1, the
 * 20-byte ASCII key "12345678901234567890", 8 digits), the 6-digit code the apps show, the
 * window of a step either side, no replay of a used step, malformed codes and the base32 form
 * of the secret (RFC 4648's test vectors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/totp.h"
#include "vault/vault.h"

static const unsigned char key[] = "12345678901234567890";
#define KEYLEN 20

static void test_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} vec[] = {{59, "94287082"},	     {1111111109, "07081804"}, {1111111111, "14050471"},
		   {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
	(void)state;
	for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
		char out[9];
		assert_int_equal(totp_code(key, KEYLEN, vec[i].t, 8, out), ERR_OK);
		assert_string_equal(out, vec[i].code);
		/* the apps' 6 digits are the same number modulo 10^6 */
		assert_int_equal(totp_code(key, KEYLEN, vec[i].t, 6, out), ERR_OK);
		assert_string_equal(out, vec[i].code + 2);
	}
}

static void test_bad_arguments(void **state)
{
	char out[9];
	(void)state;
	assert_int_equal(totp_code(key, KEYLEN, 59, 5, out), ERR_INVALID);
	assert_int_equal(totp_code(key, 0, 59, 6, out), ERR_INVALID);
	assert_int_equal(totp_code(key, KEYLEN, -1, 6, out), ERR_INVALID);
}

static void test_window_and_replay(void **state)
{
	int64_t t = 1111111111, step = 0, s = totp_step(t);
	char now[9], before[9], after[9], far[9];
	(void)state;
	assert_int_equal(totp_code(key, KEYLEN, t, 6, now), ERR_OK);
	assert_int_equal(totp_code(key, KEYLEN, t - 30, 6, before), ERR_OK);
	assert_int_equal(totp_code(key, KEYLEN, t + 30, 6, after), ERR_OK);
	assert_int_equal(totp_code(key, KEYLEN, t - 90, 6, far), ERR_OK);
	assert_int_equal(totp_check(key, KEYLEN, t, now, 0, &step), ERR_OK);
	assert_int_equal(step, s);
	assert_int_equal(totp_check(key, KEYLEN, t, before, 0, &step), ERR_OK);
	assert_int_equal(step, s - 1);
	assert_int_equal(totp_check(key, KEYLEN, t, after, 0, &step), ERR_OK);
	assert_int_equal(step, s + 1);
	/* three steps away: refused */
	assert_int_equal(totp_check(key, KEYLEN, t, far, 0, &step), ERR_UNAUTH);
	/* the step used already, or one before it: refused (no replay) */
	assert_int_equal(totp_check(key, KEYLEN, t, now, s, &step), ERR_UNAUTH);
	assert_int_equal(totp_check(key, KEYLEN, t, before, s - 1, &step), ERR_UNAUTH);
	/* a later step still goes */
	assert_int_equal(totp_check(key, KEYLEN, t, after, s, &step), ERR_OK);
	/* a wrong code: the same digits but one */
	now[5] = now[5] == '9' ? '0' : (char)(now[5] + 1);
	assert_int_equal(totp_check(key, KEYLEN, t, now, 0, &step), ERR_UNAUTH);
}

static void test_malformed(void **state)
{
	int64_t step = 0;
	(void)state;
	assert_int_equal(totp_check(key, KEYLEN, 59, "12345", 0, &step), ERR_INVALID);
	assert_int_equal(totp_check(key, KEYLEN, 59, "1234567", 0, &step), ERR_INVALID);
	assert_int_equal(totp_check(key, KEYLEN, 59, "12a456", 0, &step), ERR_INVALID);
	assert_int_equal(totp_check(key, KEYLEN, 59, "", 0, &step), ERR_INVALID);
	assert_int_equal(totp_check(key, KEYLEN, 59, NULL, 0, &step), ERR_INVALID);
}

static void test_base32(void **state)
{
	(void)state;
	char *b = totp_base32((const unsigned char *)"foobar", 6);
	assert_string_equal(b, "MZXW6YTBOI"); /* RFC 4648 section 10, padding left out */
	vault_wipe_free(b);
	b = totp_base32(key, KEYLEN);
	assert_string_equal(b, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	vault_wipe_free(b);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc6238_vectors),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_window_and_replay),
	    cmocka_unit_test(test_malformed),
	};
	const struct CMUnitTest more[] = {cmocka_unit_test(test_base32)};
	return cmocka_run_group_tests(tests, NULL, NULL) | cmocka_run_group_tests(more, NULL, NULL);
}
