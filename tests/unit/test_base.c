/* SPDX-License-Identifier: MIT */
/* test_base.c — unit tests for src/base/: errors, capped buffers, allocators, the clock and
 * 和暦 dates as people write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/text.h"
#include "base/wareki.h"
#include "base/xalloc.h"

#define FAKE_NOW_S 1700000000LL /* 2023-11-14T22:13:20Z = 2023-11-15 07:13:20 JST */

/* Must run first: the fake clock is read once, on the first clock_now_ms call. */
static void test_clock_fake_now(void **state)
{
	(void)state;
	assert_int_equal(setenv("MIMAMORI_FAKE_NOW", "1700000000", 1), 0);
	int64_t a = clock_now_ms();
	assert_true(a >= FAKE_NOW_S * 1000);
	assert_true(a < FAKE_NOW_S * 1000 + 5000);
	/* Time runs on from there. */
	int64_t b = clock_now_ms();
	assert_true(b >= a);
	/* Changing the variable later has no effect (read once). */
	assert_int_equal(setenv("MIMAMORI_FAKE_NOW", "1", 1), 0);
	int64_t c = clock_now_ms();
	assert_true(c >= b);
	assert_true(c < FAKE_NOW_S * 1000 + 5000);
	char d[16];
	clock_jst_date(c, d, sizeof d);
	assert_string_equal(d, "2023-11-15");
	unsetenv("MIMAMORI_FAKE_NOW");
}

static void test_err_str(void **state)
{
	(void)state;
	assert_string_equal(err_str(ERR_OK), "ok");
	assert_string_equal(err_str(ERR_CONFLICT), "conflict");
	assert_string_equal(err_str(ERR_CRYPTO), "key or decryption error");
	assert_string_equal(err_str(ERR_TEMP), "temporary failure");
	assert_string_equal(err_str((enum err)999), "unknown error");
	for (int e = ERR_OK; e <= ERR_TEMP; e++) {
		assert_non_null(err_str((enum err)e));
		assert_string_not_equal(err_str((enum err)e), "unknown error");
	}
}

static void test_buf_basic(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "abc"), ERR_OK);
	assert_int_equal(buf_append(&b, "de\0f", 4), ERR_OK);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abcde\0f", 8); /* NUL-terminated, embedded NUL kept */
	assert_int_equal(buf_append(&b, NULL, 0), ERR_OK);
	assert_int_equal(b.len, 7);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	buf_free(&b); /* twice is harmless */
}

static void test_buf_cap(void **state)
{
	(void)state;
	struct buf b;
	char big[64];
	memset(big, 'x', sizeof big);
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, big, 11), ERR_TOOLARGE);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "12345678"), ERR_OK);
	assert_int_equal(buf_append(&b, big, 3), ERR_TOOLARGE);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(buf_printf(&b, "%s", "abc"), ERR_TOOLARGE);
	assert_string_equal(b.data, "12345678");
	/* Exactly at the cap is allowed. */
	assert_int_equal(buf_puts(&b, "90"), ERR_OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	assert_int_equal(buf_append(&b, "z", 1), ERR_TOOLARGE);
	assert_string_equal(b.data, "1234567890");
	/* A huge n cannot wrap the size check. */
	assert_int_equal(buf_append(&b, big, SIZE_MAX), ERR_TOOLARGE);
	assert_int_equal(buf_append(&b, big, SIZE_MAX - 5), ERR_TOOLARGE);
	assert_int_equal(b.len, 10);
	buf_free(&b);

	/* Cap 0: nothing fits but the empty append. */
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "a", 1), ERR_TOOLARGE);
	assert_int_equal(buf_append(&b, "", 0), ERR_OK);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void test_buf_grow(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_append(&b, "0123456789", 10), ERR_OK);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], '\0');
	for (size_t i = 0; i < b.len; i += 9973)
		assert_int_equal(b.data[i], '0' + (int)(i % 10));
	buf_free(&b);
}

static void test_buf_printf_long(void **state)
{
	(void)state;
	struct buf b;
	char *big = xmalloc(1001);
	memset(big, 'q', 1000);
	big[1000] = '\0';
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_printf(&b, "<%d>", 42), ERR_OK);
	assert_int_equal(buf_printf(&b, "[%s|%05d]", big, 7), ERR_OK);
	assert_int_equal(b.len, 4 + 1 + 1000 + 7);
	assert_memory_equal(b.data, "<42>[qqq", 8);
	assert_string_equal(b.data + 4 + 1 + 1000, "|00007]");
	assert_int_equal(strlen(b.data), b.len);
	/* Exactly 255 and 256 characters: the edge of the on-stack buffer. */
	big[255] = '\0';
	size_t before = b.len;
	assert_int_equal(buf_printf(&b, "%s", big), ERR_OK);
	assert_int_equal(b.len, before + 255);
	big[255] = 'q';
	big[256] = '\0';
	assert_int_equal(buf_printf(&b, "%s", big), ERR_OK);
	assert_int_equal(b.len, before + 255 + 256);
	buf_free(&b);

	/* Long output past the cap fails and leaves the buffer unchanged. */
	buf_init(&b, 300);
	assert_int_equal(buf_puts(&b, "head"), ERR_OK);
	big[256] = 'q';
	big[300] = '\0';
	assert_int_equal(buf_printf(&b, "%s", big), ERR_TOOLARGE);
	assert_string_equal(b.data, "head");
	assert_int_equal(b.len, 4);
	buf_free(&b);
	free(big);
}

static void test_buf_steal(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 64);
	char *empty = buf_steal(&b);
	assert_non_null(empty);
	assert_string_equal(empty, "");
	free(empty);
	assert_int_equal(buf_puts(&b, "こんにちは"), ERR_OK);
	char *s = buf_steal(&b);
	assert_string_equal(s, "こんにちは");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* The buffer is reusable and its cap still applies. */
	assert_int_equal(buf_puts(&b, "x"), ERR_OK);
	assert_string_equal(b.data, "x");
	assert_ptr_not_equal(b.data, s);
	char big[80];
	memset(big, 'y', sizeof big);
	assert_int_equal(buf_append(&b, big, sizeof big), ERR_TOOLARGE);
	free(s);
	buf_free(&b);
}

static void test_xalloc(void **state)
{
	(void)state;
	char *a = xasprintf("%d-%s", 7, "seven");
	assert_string_equal(a, "7-seven");
	free(a);
	char *fill = xmalloc(5001);
	memset(fill, 'k', 5000);
	fill[5000] = '\0';
	char *l = xasprintf("<%s>%d", fill, 12345);
	assert_int_equal(strlen(l), 5000 + 2 + 5);
	assert_int_equal(l[0], '<');
	assert_int_equal(l[1], 'k');
	assert_int_equal(l[5000], 'k');
	assert_string_equal(l + 5001, ">12345");
	free(l);
	/* 255 and 256 characters: the edge of the on-stack buffer. */
	fill[255] = '\0';
	l = xasprintf("%s", fill);
	assert_int_equal(strlen(l), 255);
	free(l);
	fill[255] = 'k';
	fill[256] = '\0';
	l = xasprintf("%s", fill);
	assert_int_equal(strlen(l), 256);
	free(l);
	free(fill);

	assert_null(xstrdup(NULL));
	char *d = xstrdup("髙橋");
	assert_string_equal(d, "髙橋");
	free(d);
	d = xstrndup("abcdef", 3);
	assert_string_equal(d, "abc");
	free(d);
	int *z = xcalloc(16, sizeof *z);
	for (int i = 0; i < 16; i++)
		assert_int_equal(z[i], 0);
	z = xrealloc(z, 1000 * sizeof *z);
	assert_int_equal(z[15], 0);
	free(z);
}

static void test_clock_epoch(void **state)
{
	(void)state;
	char d[16], hm[8], iso[32], rfc[48];
	clock_jst_date(0, d, sizeof d);
	clock_jst_hhmm(0, hm, sizeof hm);
	clock_jst_iso(0, iso, sizeof iso);
	clock_rfc5322(0, rfc, sizeof rfc);
	assert_string_equal(d, "1970-01-01");
	assert_string_equal(hm, "09:00");
	assert_string_equal(iso, "1970-01-01T09:00:00+09:00");
	assert_string_equal(rfc, "Thu, 01 Jan 1970 09:00:00 +0900");
}

static void test_clock_jst_midnight(void **state)
{
	(void)state;
	/* 2024-03-31T15:00:00Z is 2024-04-01 00:00 JST (a new fiscal year). */
	const int64_t midnight = 1711897200LL * 1000;
	char d[16], hm[8], iso[32], rfc[48];

	clock_jst_date(midnight - 1, d, sizeof d);
	clock_jst_hhmm(midnight - 1, hm, sizeof hm);
	clock_jst_iso(midnight - 1, iso, sizeof iso);
	assert_string_equal(d, "2024-03-31");
	assert_string_equal(hm, "23:59");
	assert_string_equal(iso, "2024-03-31T23:59:59+09:00");

	clock_jst_date(midnight, d, sizeof d);
	clock_jst_hhmm(midnight, hm, sizeof hm);
	clock_jst_iso(midnight, iso, sizeof iso);
	clock_rfc5322(midnight, rfc, sizeof rfc);
	assert_string_equal(d, "2024-04-01");
	assert_string_equal(hm, "00:00");
	assert_string_equal(iso, "2024-04-01T00:00:00+09:00");
	assert_string_equal(rfc, "Mon, 01 Apr 2024 00:00:00 +0900");

	/* Still 2024-03-31 in UTC, but already April in Japan. */
	clock_jst_date(midnight + 999, d, sizeof d);
	assert_string_equal(d, "2024-04-01");
	/* Leap day. */
	clock_jst_date(1709218800LL * 1000, d, sizeof d); /* 2024-02-29T15:00:00Z */
	assert_string_equal(d, "2024-03-01");
	clock_jst_date(1709218800LL * 1000 - 1, d, sizeof d);
	assert_string_equal(d, "2024-02-29");
}

static void test_clock_rfc5322(void **state)
{
	(void)state;
	char rfc[48];
	clock_rfc5322(FAKE_NOW_S * 1000 + 999, rfc, sizeof rfc);
	assert_string_equal(rfc, "Wed, 15 Nov 2023 07:13:20 +0900");
	/* 2023-12-31T15:00:00Z: a new year in Japan; a Monday. */
	clock_rfc5322(1704034800LL * 1000, rfc, sizeof rfc);
	assert_string_equal(rfc, "Mon, 01 Jan 2024 00:00:00 +0900");
	/* Truncation never overruns a short buffer. */
	char small[8];
	memset(small, 'Z', sizeof small);
	clock_rfc5322(0, small, sizeof small);
	assert_int_equal(strlen(small), 7);
	assert_string_equal(small, "Thu, 01");
}

/* Times and dates for plans: HH:MM, real calendar days, weekdays, day arithmetic. */
static void test_clock_days(void **state)
{
	(void)state;
	assert_int_equal(clock_hhmm_minutes("00:00"), 0);
	assert_int_equal(clock_hhmm_minutes("12:30"), 750);
	assert_int_equal(clock_hhmm_minutes("23:59"), 1439);
	assert_int_equal(clock_hhmm_minutes("24:00"), -1);
	assert_int_equal(clock_hhmm_minutes("12:60"), -1);
	assert_int_equal(clock_hhmm_minutes("1:30"), -1);
	assert_int_equal(clock_hhmm_minutes("12:3a"), -1);
	assert_int_equal(clock_hhmm_minutes(NULL), -1);
	int64_t ms = 0;
	int wd = -1;
	assert_int_equal(clock_day_parse("2026-11-30", &ms, &wd), 0);
	assert_int_equal(wd, 1); /* a Monday */
	assert_int_equal(ms, 1795964400000LL); /* 2026-11-30T00:00+09:00 */
	assert_int_equal(clock_jst_minutes(ms + 90 * 60000), 90);
	assert_int_equal(clock_day_parse("2024-02-29", NULL, &wd), 0);
	assert_int_equal(clock_day_parse("2026-02-29", NULL, NULL), -1);
	assert_int_equal(clock_day_parse("2026-13-01", NULL, NULL), -1);
	assert_int_equal(clock_day_parse("2026-11-3", NULL, NULL), -1);
	assert_int_equal(clock_day_parse("2026-11-30x", NULL, NULL), -1);
	assert_int_equal(clock_day_parse("2026/11/30", NULL, NULL), -1);
}

/* One-line text fields: UTF-8, no control characters, not blank, at most max characters. */
static void test_text_line_check(void **state)
{
	(void)state;
	assert_int_equal(text_line_check("発熱のため", 5), TEXT_OK);
	assert_int_equal(text_line_check("発熱のため", 4), TEXT_TOO_LONG);
	assert_int_equal(text_line_check("𠮷", 1), TEXT_OK);
	assert_int_equal(text_line_check("", 10), TEXT_EMPTY);
	assert_int_equal(text_line_check(" \u3000 ", 10), TEXT_EMPTY);
	assert_int_equal(text_line_check("a\nb", 10), TEXT_CONTROL);
	assert_int_equal(text_line_check("a\x7f", 10), TEXT_CONTROL);
	assert_int_equal(text_line_check("a\xc2\x85", 10), TEXT_CONTROL); /* NEL (C1) */
	assert_int_equal(text_line_check("\xff", 10), TEXT_BAD_UTF8);
	assert_int_equal(text_line_check("\xe3\x81", 10), TEXT_BAD_UTF8);
	/* text_line_why names the problem, empty first (NULL is empty too) */
	char why[128];
	assert_int_equal(text_line_why("山田", 4, "氏名", why, sizeof why), 0);
	assert_int_equal(text_line_why(NULL, 4, "氏名", why, sizeof why), -1);
	assert_string_equal(why, "氏名を入力してください。");
	assert_int_equal(text_line_why("山田 花子", 4, "氏名", why, sizeof why), -1);
	assert_string_equal(why, "氏名を4文字以内で入力してください。");
	/* text_utf8_valid: whole bodies, line breaks and tabs allowed */
	assert_int_equal(text_utf8_valid("髙橋\r\n𠮷\t", strlen("髙橋\r\n𠮷\t")), 1);
	assert_int_equal(text_utf8_valid("\xff\xfe", 2), 0);            /* a UTF-16 mark */
	assert_int_equal(text_utf8_valid("\xe3\x81", 2), 0);            /* cut short */
	assert_int_equal(text_utf8_valid("\xc0\xaf", 2), 0);            /* overlong '/' */
	assert_int_equal(text_utf8_valid("\xed\xa0\x80", 3), 0);        /* a surrogate */
	assert_int_equal(text_utf8_valid("\xf4\x90\x80\x80", 4), 0);    /* past U+10FFFF */
	assert_int_equal(text_utf8_valid("", 0), 1);
}

/* JSON strings written straight into a buffer: quotes, backslashes and control characters
 * escaped, UTF-8 kept, NULL as null. */
static void test_text_wait_ja(void **state)
{
	(void)state;
	char w[32];
	assert_string_equal(text_wait_ja(0, w, sizeof w), "1秒後");
	assert_string_equal(text_wait_ja(7200, w, sizeof w), "8秒後");
	assert_string_equal(text_wait_ja(59000, w, sizeof w), "59秒後");
	assert_string_equal(text_wait_ja(60000, w, sizeof w), "約1分後");
	assert_string_equal(text_wait_ja(900000, w, sizeof w), "約15分後"); /* was 900秒後 */
	assert_string_equal(text_wait_ja(878000, w, sizeof w), "約15分後");
}

static void test_buf_json_string(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	assert_int_equal(buf_json_string(&b, "髙橋 \"𠮷男\" a\\b\n\x01"), ERR_OK);
	assert_string_equal(b.data, "\"髙橋 \\\"𠮷男\\\" a\\\\b\\u000a\\u0001\"");
	buf_free(&b);
	buf_init(&b, 1024);
	assert_int_equal(buf_json_string(&b, NULL), ERR_OK);
	assert_int_equal(buf_json_string(&b, ""), ERR_OK);
	assert_string_equal(b.data, "null\"\"");
	buf_free(&b);
	buf_init(&b, 4); /* too small: an error, never a cut string reported as whole */
	assert_int_not_equal(buf_json_string(&b, "abcdef"), ERR_OK);
	buf_free(&b);
}

/* 和暦 as the host system and people write it: letters, kanji, 元年, era bounds, bad dates. */
static void test_wareki_parse_date(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int y, m, d;
	} ok[] = {
	    {"1950-04-01", 1950, 4, 1},	 {"S25.4.1", 1950, 4, 1},
	    {"s25/04/01", 1950, 4, 1},	 {"昭和25年4月1日", 1950, 4, 1},
	    {"昭和元年12月25日", 1926, 12, 25}, {"昭和64年1月7日", 1989, 1, 7},
	    {"平成元年1月8日", 1989, 1, 8}, {"H31.4.30", 2019, 4, 30},
	    {"令和元年5月1日", 2019, 5, 1}, {"R8.2.29", 0, 0, 0}, /* no 29 Feb in 2026 */
	    {"昭和２５年４月１日", 1950, 4, 1}, {"T15.12.24", 1926, 12, 24},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int y = -1, m = -1, d = -1;
		enum err e = wareki_parse_date(ok[i].in, &y, &m, &d);
		if (!ok[i].y) {
			assert_int_equal(e, ERR_INVALID);
			continue;
		}
		assert_int_equal(e, ERR_OK);
		assert_int_equal(y, ok[i].y);
		assert_int_equal(m, ok[i].m);
		assert_int_equal(d, ok[i].d);
	}
	static const char *const bad[] = {
	    "",	       "S25",	       "S25.4",	       "S0.4.1",       "X25.4.1",
	    "昭和25年4月1", "平成31年5月1日", "昭和64年1月8日", "S25.13.1",     "S25.4.31",
	    "1950/04/01", "S25.4.1 ",      "昭和25.4.1",   "令和元年4月30日", "S25..1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int y = 7;
		assert_int_equal(wareki_parse_date(bad[i], &y, &y, &y), ERR_INVALID);
		assert_int_equal(y, 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clock_fake_now), /* first: before any other clock_now_ms */
	    cmocka_unit_test(test_err_str),
	    cmocka_unit_test(test_buf_basic),
	    cmocka_unit_test(test_buf_cap),
	    cmocka_unit_test(test_buf_grow),
	    cmocka_unit_test(test_buf_printf_long),
	    cmocka_unit_test(test_buf_steal),
	    cmocka_unit_test(test_xalloc),
	    cmocka_unit_test(test_clock_epoch),
	    cmocka_unit_test(test_clock_jst_midnight),
	    cmocka_unit_test(test_clock_rfc5322),
	    cmocka_unit_test(test_clock_days),
	    cmocka_unit_test(test_text_line_check),
	    cmocka_unit_test(test_text_wait_ja),
	    cmocka_unit_test(test_buf_json_string),
	    cmocka_unit_test(test_wareki_parse_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
