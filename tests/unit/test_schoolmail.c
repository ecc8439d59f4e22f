/* SPDX-License-Identifier: MIT */
/* test_schoolmail.c — the schools' mass mail's pure rules: security codes read out of what
 * families type (subjects, '+' tags, full-width letters), grade labels, school years, and the
 * school terms of the password rule (auth/password_term.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/password_term.h"
#include "base/clock.h"
#include "schoolmail/schoolmail.h"

/* Japan-time midnight of day, epoch ms. */
static int64_t day_ms(const char *day)
{
	int64_t ms = 0;
	assert_int_equal(clock_day_parse(day, &ms, NULL), 0);
	return ms;
}

static void test_code_read(void **state)
{
	char c[SCHOOLMAIL_CODE_LEN + 1];
	(void)state;
	assert_true(schoolmail_code_read("ABCD2345", c));
	assert_string_equal(c, "ABCD2345");
	assert_true(schoolmail_code_read("abcd2345", c)); /* phones start in lower case */
	assert_string_equal(c, "ABCD2345");
	assert_true(schoolmail_code_read("ABCD-2345", c));
	assert_string_equal(c, "ABCD2345");
	assert_true(schoolmail_code_read(" abcd 2345 ", c));
	assert_string_equal(c, "ABCD2345");
	/* full-width letters and digits, as a Japanese keyboard types them */
	assert_true(schoolmail_code_read("ＡＢＣＤ２３４５", c));
	assert_string_equal(c, "ABCD2345");
	assert_true(schoolmail_code_read("登録　ABCD2345", c));
	assert_string_equal(c, "ABCD2345");
	assert_true(schoolmail_code_read("Re: ABCD2345", c));
	assert_string_equal(c, "ABCD2345");
	/* not a code: wrong length, a letter outside the alphabet (0, O, 1, I, L) */
	assert_false(schoolmail_code_read("ABCD234", c));
	assert_false(schoolmail_code_read("ABCD23456", c));
	assert_false(schoolmail_code_read("ABCD2340", c));
	assert_false(schoolmail_code_read("ABCDO345", c));
	assert_false(schoolmail_code_read("", c));
	assert_false(schoolmail_code_read(NULL, c));
	assert_false(schoolmail_code_read("登録をお願いします", c));
}

static void test_kinds_and_grades(void **state)
{
	char l[32];
	(void)state;
	assert_string_equal(schoolmail_kind_parse("小学校"), "elementary");
	assert_string_equal(schoolmail_kind_parse("junior_high"), "junior_high");
	assert_null(schoolmail_kind_parse("high_school"));
	assert_string_equal(schoolmail_kind_label("special"), "特別支援学校");
	schoolmail_grade_label("elementary", 6, 3, l, sizeof l);
	assert_string_equal(l, "3年");
	schoolmail_grade_label("kindergarten", 3, 1, l, sizeof l);
	assert_string_equal(l, "年少");
	schoolmail_grade_label("kindergarten", 2, 2, l, sizeof l);
	assert_string_equal(l, "年長");
	schoolmail_grade_label("special", 12, 8, l, sizeof l);
	assert_string_equal(l, "中学部2年");
	schoolmail_grade_label("special", 12, 12, l, sizeof l);
	assert_string_equal(l, "高等部3年");
}

static void test_fiscal_year(void **state)
{
	(void)state;
	assert_int_equal(schoolmail_fiscal_year(day_ms("2026-04-01")), 2026);
	assert_int_equal(schoolmail_fiscal_year(day_ms("2026-03-31") + 23 * 3600000LL), 2025);
	assert_int_equal(schoolmail_fiscal_year(day_ms("2027-01-10")), 2026);
}

static void test_terms(void **state)
{
	int md[AUTH_TERMS_MAX];
	(void)state;
	assert_int_equal(auth_password_terms_parse("09-01,04-01,01-08", md), 3);
	assert_int_equal(md[0], 108);
	assert_int_equal(md[2], 901);
	assert_int_equal(auth_password_terms_parse("04-31", md), 0);
	assert_int_equal(auth_password_terms_parse("4-1", md), 0);
	assert_int_equal(auth_password_terms_parse("04-01,04-01", md), 0);
	assert_int_equal(auth_password_terms_parse("", md), 0);
	int n = auth_password_terms_parse("04-01,09-01,01-08", md);
	assert_int_equal(auth_password_term_start(md, n, day_ms("2026-05-10")), day_ms("2026-04-01"));
	assert_int_equal(auth_password_term_start(md, n, day_ms("2026-09-01")), day_ms("2026-09-01"));
	assert_int_equal(auth_password_term_start(md, n, day_ms("2026-12-31")), day_ms("2026-09-01"));
	assert_int_equal(auth_password_term_start(md, n, day_ms("2027-01-07")), day_ms("2026-09-01"));
	assert_int_equal(auth_password_term_start(md, n, day_ms("2027-01-08")), day_ms("2027-01-08"));
	/* The rule binds the roles it was given, and counts from the term's start. */
	assert_int_equal(auth_password_terms_set(ROLE_SCHOOL_USERS, "04-01,09-01,01-08"), 0);
	int64_t now = day_ms("2026-09-02");
	assert_true(auth_password_term_due(ROLE_SENDER, day_ms("2026-08-31"), now));
	assert_false(auth_password_term_due(ROLE_SENDER, day_ms("2026-09-01"), now));
	assert_true(auth_password_term_due(ROLE_SCHOOL_ADMIN, day_ms("2026-04-02"), now));
	assert_false(auth_password_term_due(ROLE_WARD_ADMIN, 0, now));
	assert_int_equal(auth_password_terms_set(ROLE_SENDER, "nonsense"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_read),
		cmocka_unit_test(test_kinds_and_grades),
		cmocka_unit_test(test_fiscal_year),
		cmocka_unit_test(test_terms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
