/* SPDX-License-Identifier: MIT */
/* test_bathpass.c — the bath pass's pure rules: kana folded for search, age and fiscal year,
 * and the host file's rows checked (和暦 birth dates, 性別 1/2, postcodes, duplicates of a
 * 宛名番号, a bad header, CP932 with 髙 and 﨑). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bathpass/bathpass.h"

static void test_kana_fold(void **state)
{
	char out[128];
	(void)state;
	assert_int_equal(bath_kana_fold("たかさき　いちろう", out, sizeof out), 8);
	assert_string_equal(out, "タカサキイチロウ");
	assert_int_equal(bath_kana_fold("ヤマダ ハナコ", out, sizeof out), 6);
	assert_string_equal(out, "ヤマダハナコ");
	assert_true(bath_is_kana("やまだ ハナコ"));
	assert_true(bath_is_kana("ヴァーチャル"));
	assert_false(bath_is_kana("山田"));
	assert_false(bath_is_kana("   "));
	assert_false(bath_is_kana("abc"));
	bath_name_fold("髙﨑　一郎", out, sizeof out);
	assert_string_equal(out, "髙﨑一郎");
}

static void test_age_and_fiscal_year(void **state)
{
	(void)state;
	assert_int_equal(bath_age("1950-04-01", "2010-03-31"), 59);
	assert_int_equal(bath_age("1950-04-01", "2010-04-01"), 60);
	assert_int_equal(bath_age("1948-02-29", "2026-02-28"), 77);
	assert_int_equal(bath_age("x", "2026-02-28"), -1);
	assert_int_equal(bath_fiscal_year("2026-04-01"), 2026);
	assert_int_equal(bath_fiscal_year("2027-03-31"), 2026);
	assert_int_equal(bath_fiscal_year("2026-13-01"), 0);
}

#define HEADER                                                                                                                    \
	"宛名番号,氏名,ふりがな,生年月日,性別,郵便番号,住所,方書,電話番号,対象区分,異動事由," \
	"異動日\r\n"

static void test_host_rows(void **state)
{
	(void)state;
	const char *csv = HEADER
	    "1001,山田 花子,やまだ はなこ,S25.4.1,2,179-0001,桜台区本町1-2,,03-1234-5678,高齢,,\r\n"
	    "1002,川田 一郎,かわだ "
	    "いちろう,昭和元年12月25日,男,1790002,桜台区,,,障害,転出,R8.4.1\r\n"
	    "1003,bad,ばっど,S25.2.30,男,1790002,桜台区,,,高齢,,\r\n"
	    "1004,dup,だぶり,1950-01-01,男,1790002,桜台区,,,高齢,,\r\n"
	    "1004,dup2,だぶり,1950-01-01,男,1790002,桜台区,,,高齢,,\r\n"
	    "1005,x,えっくす,1950-01-01,男,17900,桜台区,,,高齢,,\r\n"
	    "1006,x,えっくす,1950-01-01,男,1790002,桜台区,,,老人,,\r\n"
	    "1007,x,えっくす,1950-01-01,男,1790002,桜台区,,,高齢,引越,2026-01-01\r\n"
	    "1008,x,えっくす,1950-01-01,男,1790002,桜台区,,,高齢,死亡,\r\n"
	    "1009,x,えっくす,1950-01-01,?,1790002,桜台区,,,高齢,,\r\n"
	    "abc,x,えっくす,1950-01-01,男,1790002,桜台区,,,高齢,,\r\n"
	    "1010,x,X,1950-01-01,男,1790002,桜台区,,,高齢,,\r\n";
	struct bath_host_file *h = NULL;
	const char *why = NULL;
	char detail[128];
	assert_int_equal(bath_host_parse(csv, strlen(csv), NULL, &h, &why, detail, sizeof detail),
			 ERR_OK);
	assert_int_equal(h->nrows, 12);
	assert_null(h->rows[0].why);
	assert_string_equal(h->rows[0].f[BF_BIRTH], "1950-04-01");
	assert_string_equal(h->rows[0].f[BF_SEX], "女");
	assert_string_equal(h->rows[0].f[BF_POSTCODE], "1790001");
	assert_string_equal(h->rows[0].f[BF_PHONE], "0312345678");
	assert_null(h->rows[1].why);
	assert_string_equal(h->rows[1].f[BF_BIRTH], "1926-12-25");
	assert_string_equal(h->rows[1].move, "転出");
	assert_string_equal(h->rows[1].move_date, "2026-04-01");
	assert_int_equal(h->rows[1].line, 3);
	for (size_t i = 2; i < 12; i++)
		assert_non_null(h->rows[i].why);
	assert_non_null(strstr(h->rows[3].why, "同じ宛名番号"));
	assert_non_null(strstr(h->rows[4].why, "同じ宛名番号"));
	bath_host_free(h);

	/* A bad header; a UTF-8 file said to be CP932. */
	const char *bad = "番号,名前\r\n1,x\r\n";
	assert_int_equal(bath_host_parse(bad, strlen(bad), NULL, &h, &why, detail, sizeof detail),
			 ERR_INVALID);
	assert_null(h);
	assert_non_null(strstr(why, "見出し"));
	assert_int_equal(
	    bath_host_parse(csv, strlen(csv), "cp932", &h, &why, detail, sizeof detail),
	    ERR_INVALID);
	assert_null(h);

	/* CP932: 髙 (FB FC) and 﨑 (FA B1) in a name. */
	static const char cp932[] =
	    "\x88\xb6\x96\xbc\x94\xd4\x8d\x86,\x8e\x81\x96\xbc,\x82\xd3\x82\xe8\x82\xaa\x82\xc8,"
	    "\x90\xb6\x94\x4e\x8c\x8e\x93\xfa,\x90\xab\x95\xca,\x97\x58\x95\xd6\x94\xd4\x8d\x86,"
	    "\x8f\x5a\x8f\x8a,\x95\xfb\x8f\x91,\x93\x64\x98\x62\x94\xd4\x8d\x86,"
	    "\x91\xce\x8f\xdb\x8b\xe6\x95\xaa,\x88\xd9\x93\xae\x8e\x96\x97\x52,"
	    "\x88\xd9\x93\xae\x93\xfa\r\n"
	    "2001,\xfb\xfc\xfa\xb1 "
	    "\x88\xea\x98\x59,\x82\xbd\x82\xa9\x82\xb3\x82\xab,S30.5.5,1,1790001,"
	    "\x8d\xf7\x91\xe4\x8b\xe6,,,\x8d\x82\x97\xee,,\r\n";
	assert_int_equal(
	    bath_host_parse(cp932, sizeof cp932 - 1, "cp932", &h, &why, detail, sizeof detail),
	    ERR_OK);
	assert_string_equal(h->encoding, "CP932");
	assert_int_equal(h->nrows, 1);
	assert_null(h->rows[0].why);
	assert_string_equal(h->rows[0].f[BF_NAME], "髙﨑 一郎");
	assert_string_equal(h->rows[0].f[BF_KANA], "たかさき");
	assert_string_equal(h->rows[0].f[BF_CATEGORY], "高齢");
	bath_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kana_fold),
	    cmocka_unit_test(test_age_and_fiscal_year),
	    cmocka_unit_test(test_host_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
