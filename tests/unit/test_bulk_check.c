/* SPDX-License-Identifier: MIT */
/* test_bulk_check.c — unit tests for the bulk layer's pure text checks: the phone-number
 * detector, space/case folding and name matching, and the subject/body shape rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulk/bulk.h"

static void test_phone_found(void **state)
{
	(void)state;
	static const char *const yes[] = {
	    "連絡先 03-1234-5678 まで", "0312345678", "090-1234-5678", "09012345678",
	    "(03) 1234-5678", "０３－１２３４－５６７８", "090ー1234ー5678", "0120-123-456",
	    "tel:0466-12-3456", "+81 90 1234 5678", "+81-3-1234-5678", "03　1234　5678",
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!bulk_has_phone(yes[i]))
			fail_msg("not detected: %s", yes[i]);
	}
}

static void test_phone_not_found(void **state)
{
	(void)state;
	static const char *const no[] = {
	    "本日 15:00 に閉所します", "2024-04-01", "令和6年4月1日", "123-4567-8901",
	    "03-1234-567", "090-1234-5678-9", "1234567890", "お迎えは17時30分までに",
	    "000", "+1 415 555 0100", "",
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		if (bulk_has_phone(no[i]))
			fail_msg("false positive: %s", no[i]);
	}
}

static void test_fold_and_names(void **state)
{
	(void)state;
	char text[] = "本日、山田　太郎さんの お迎えは Yamada Taro さんへ";
	assert_int_equal(bulk_fold(text),
			 bulk_chars("本日、山田太郎さんのお迎えはyamadataroさんへ"));
	assert_string_equal(text, "本日、山田太郎さんのお迎えはyamadataroさんへ");
	char n1[] = "山田 太郎", n2[] = "山田　太郎", n3[] = "山田太郎", n4[] = "YAMADA taro";
	assert_true(bulk_has_name(text, n1));
	assert_true(bulk_has_name(text, n2));
	assert_true(bulk_has_name(text, n3));
	assert_true(bulk_has_name(text, n4));
	char other[] = "山田 花子", one[] = "山", blank[] = " 　";
	assert_false(bulk_has_name(text, other));
	assert_false(bulk_has_name(text, one));   /* shorter than 2 characters: ignored */
	assert_false(bulk_has_name(text, blank)); /* nothing left */
}

static void test_shape(void **state)
{
	(void)state;
	char big[4 * 4001 + 1];
	assert_null(bulk_shape_check("台風のため閉所", "本日は閉所します。"));
	assert_non_null(bulk_shape_check("", "x"));
	assert_non_null(bulk_shape_check("a\r\nBcc: x@example.jp", "x"));
	assert_non_null(bulk_shape_check("a\nb", "x"));
	assert_non_null(bulk_shape_check("件名", ""));
	/* 100 characters of three bytes each pass; 101 do not. */
	big[0] = '\0';
	for (int i = 0; i < 100; i++)
		memcpy(big + 3 * i, "あ", 4);
	assert_int_equal(bulk_chars(big), 100);
	assert_null(bulk_shape_check(big, "x"));
	memcpy(big + 300, "あ", 4);
	assert_non_null(bulk_shape_check(big, "x"));
	for (int i = 0; i < 4000; i++)
		memcpy(big + 3 * i, "あ", 4);
	assert_null(bulk_shape_check("件名", big));
	memcpy(big + 3 * 4000, "あ", 4);
	assert_non_null(bulk_shape_check("件名", big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_phone_found),
	    cmocka_unit_test(test_phone_not_found),
	    cmocka_unit_test(test_fold_and_names),
	    cmocka_unit_test(test_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
