/* SPDX-License-Identifier: MIT */
/* test_report.c — unit tests for the reports' building blocks: 和暦 dates (era boundaries,
 * 元年) and the CSV writer (BOM, CRLF, quoting, CP932 with loss reporting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/wareki.h"
#include "doc/csv_write.h"

static void check_wareki(const char *iso, const char *want)
{
	int y, m, d;
	char out[64];
	assert_int_equal(wareki_parse_iso(iso, &y, &m, &d), ERR_OK);
	assert_int_equal(wareki_format(y, m, d, out, sizeof out), ERR_OK);
	assert_string_equal(out, want);
}

static void test_wareki_boundaries(void **state)
{
	(void)state;
	check_wareki("2019-04-30", "平成31年4月30日");
	check_wareki("2019-05-01", "令和元年5月1日");
	check_wareki("2019-12-31", "令和元年12月31日");
	check_wareki("2020-01-01", "令和2年1月1日");
	check_wareki("1989-01-07", "昭和64年1月7日");
	check_wareki("1989-01-08", "平成元年1月8日");
	check_wareki("1926-12-24", "大正15年12月24日");
	check_wareki("1926-12-25", "昭和元年12月25日");
	check_wareki("2026-11-23", "令和8年11月23日");
	check_wareki("2024-02-29", "令和6年2月29日");
}

static void test_wareki_rejects(void **state)
{
	(void)state;
	int y, m, d;
	char out[64];
	const char *bad[] = {"2026-02-29", "2026-13-01", "2026-00-10", "2026-11-31",
			     "2026-1-05",  "2026/11/23", "20261123",   "2026-11-23x",
			     "",	   "abcd-ef-gh", "1899-12-31", "2100-02-29"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(wareki_parse_iso(bad[i], &y, &m, &d), ERR_INVALID);
	assert_int_equal(wareki_parse_iso("2000-02-29", &y, &m, &d), ERR_OK);
	/* Before 明治 there is no era in our table. */
	assert_int_equal(wareki_format(1868, 1, 24, out, sizeof out), ERR_INVALID);
	assert_int_equal(wareki_format(2026, 2, 30, out, sizeof out), ERR_INVALID);
	/* Too small a buffer is an error, never a cut string. */
	assert_int_equal(wareki_format(2026, 11, 23, out, 8), ERR_TOOLARGE);
	assert_string_equal(out, "");
	assert_int_equal(wareki_parse_month("2026-11", &y, &m), ERR_OK);
	assert_int_equal(y * 100 + m, 202611);
	assert_int_equal(wareki_parse_month("2026-13", &y, &m), ERR_INVALID);
	assert_int_equal(wareki_format_month(2019, 4, out, sizeof out), ERR_OK);
	assert_string_equal(out, "平成31年4月");
	assert_int_equal(wareki_format_month(2019, 5, out, sizeof out), ERR_OK);
	assert_string_equal(out, "令和元年5月");
	assert_int_equal(wareki_weekday(2026, 11, 23), 1); /* Monday */
	assert_int_equal(wareki_weekday(2019, 5, 1), 3);   /* Wednesday */
}

static void test_csv_utf8_bom_crlf_quoting(void **state)
{
	(void)state;
	struct doc_csv_out w;
	int lossy = -1;
	assert_int_equal(doc_csv_out_init(&w, DOC_CSV_UTF8_BOM, 1 << 20), ERR_OK);
	const char *h[] = {"a", "b", "c"};
	const char *r[] = {"髙橋 𠮷男", "x,y", "say \"hi\""};
	const char *r2[] = {"line\nbreak", NULL, ""};
	assert_int_equal(doc_csv_out_row(&w, h, 3, NULL), ERR_OK);
	assert_int_equal(doc_csv_out_row(&w, r, 3, &lossy), ERR_OK);
	assert_int_equal(lossy, 0);
	assert_int_equal(doc_csv_out_row(&w, r2, 3, NULL), ERR_OK);
	const char *want = "\xef\xbb\xbf"
			   "a,b,c\r\n"
			   "髙橋 𠮷男,\"x,y\",\"say \"\"hi\"\"\"\r\n"
			   "\"line\nbreak\",,\r\n";
	assert_int_equal(w.out.len, strlen(want));
	assert_memory_equal(w.out.data, want, strlen(want));
	assert_int_equal(w.rows, 3);
	assert_int_equal(w.lossy_rows, 0);
	/* Invalid UTF-8 is refused and leaves the file as it was. */
	size_t before = w.out.len;
	const char *bad[] = {"ok", "\xff\xfe"};
	assert_int_equal(doc_csv_out_row(&w, bad, 2, NULL), ERR_INVALID);
	assert_int_equal(w.out.len, before);
	doc_csv_out_free(&w);
}

static void test_csv_cap(void **state)
{
	(void)state;
	struct doc_csv_out w;
	assert_int_equal(doc_csv_out_init(&w, DOC_CSV_UTF8_BOM, 16), ERR_OK);
	const char *r[] = {"0123456789"};
	assert_int_equal(doc_csv_out_row(&w, r, 1, NULL), ERR_OK);
	assert_int_equal(doc_csv_out_row(&w, r, 1, NULL), ERR_TOOLARGE);
	assert_int_equal(w.out.len, 3 + 12);
	assert_int_equal(w.rows, 1);
	doc_csv_out_free(&w);
}

static void test_csv_cp932_loss(void **state)
{
	(void)state;
	struct doc_csv_out w;
	int lossy = -1;
	assert_int_equal(doc_csv_out_init(&w, DOC_CSV_CP932, 1 << 20), ERR_OK);
	/* 髙 and 﨑 are in CP932 (IBM extensions); ﾀ is half-width; 〜 maps to ～ as on Windows. */
	const char *ok[] = {"髙橋", "山﨑", "ﾀｶﾊｼ", "13:00〜"};
	assert_int_equal(doc_csv_out_row(&w, ok, 4, &lossy), ERR_OK);
	assert_int_equal(lossy, 0);
	const char *want1 = "\xfb\xfc\x8b\xb4,\x8e\x52\xfa\xb1,\xc0\xb6\xca\xbc,13:00\x81\x60\r\n";
	assert_int_equal(w.out.len, strlen(want1));
	assert_memory_equal(w.out.data, want1, strlen(want1));
	/* 𠮷 (U+20BB7) is outside CP932: replaced by 〓 and the row is reported. */
	const char *lost[] = {"C001", "𠮷田 \"太郎\""};
	assert_int_equal(doc_csv_out_row(&w, lost, 2, &lossy), ERR_OK);
	assert_int_equal(lossy, 1);
	const char *want2 = "C001,\"\x81\xac\x93\x63 \"\"\x91\xbe\x98\x59\"\"\"\r\n";
	assert_memory_equal(w.out.data + strlen(want1), want2, strlen(want2));
	const char *plain[] = {"C002", "佐藤"};
	assert_int_equal(doc_csv_out_row(&w, plain, 2, &lossy), ERR_OK);
	assert_int_equal(lossy, 0);
	assert_int_equal(w.rows, 3);
	assert_int_equal(w.lossy_rows, 1);
	/* No BOM in CP932. */
	assert_int_equal((unsigned char)w.out.data[0], 0xfb);
	doc_csv_out_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wareki_boundaries),
	    cmocka_unit_test(test_wareki_rejects),
	    cmocka_unit_test(test_csv_utf8_bom_crlf_quoting),
	    cmocka_unit_test(test_csv_cap),
	    cmocka_unit_test(test_csv_cp932_loss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
