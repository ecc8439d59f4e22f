/* SPDX-License-Identifier: MIT */
/* test_zengin.c — bank transfers (src/grant/): names into 全銀 kana and Shift_JIS bytes, the
 * code list, the 総合振込 file byte by byte, reading it back, and files that must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "grant/bank_codes.h"
#include "grant/kana.h"
#include "grant/zengin.h"

/* ---- kana ---- */

static void kana_ok(const char *in, const char *want)
{
	char out[256];
	const char *why = "unset";
	enum err e = grant_kana_to_zengin(in, out, sizeof out, &why);
	if (e != ERR_OK)
		fail_msg("%s: %s", in, why);
	assert_string_equal(out, want);
}

static void kana_refused(const char *in, const char *why_has)
{
	char out[256] = "junk";
	const char *why = NULL;
	assert_int_equal(grant_kana_to_zengin(in, out, sizeof out, &why), ERR_INVALID);
	assert_string_equal(out, "");
	assert_non_null(why);
	if (!strstr(why, why_has))
		fail_msg("%s: why is \"%s\", not about \"%s\"", in, why, why_has);
}

static void test_kana_convert(void **state)
{
	(void)state;
	kana_ok("やまだ　はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ");
	kana_ok("ヤマダ　ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ");
	kana_ok("ﾔﾏﾀﾞ ﾊﾅｺ", "ﾔﾏﾀﾞ ﾊﾅｺ"); /* already converted: unchanged */
	/* voiced and semi-voiced */
	kana_ok("ガギグゲゴザジズゼゾダヂヅデドバビブベボ",
		"ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ");
	kana_ok("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ");
	kana_ok("ぱぴぷぺぽ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ");
	kana_ok("カ\u3099", "ｶﾞ"); /* decomposed (NFD) */
	/* small kana become large, as banks hold them */
	kana_ok("キュウヨ　ショウゴ", "ｷﾕｳﾖ ｼﾖｳｺﾞ");
	kana_ok("ァィゥェォャュョッヮヵヶ", "ｱｲｳｴｵﾔﾕﾖﾂﾜｶｹ");
	kana_ok("ぁぃぅぇぉゃゅょっゎ", "ｱｲｳｴｵﾔﾕﾖﾂﾜ");
	kana_ok("ｷｬｯﾁｬｰ", "ｷﾔﾂﾁﾔ-");
	kana_ok("ヴァイオリン", "ｳﾞｱｲｵﾘﾝ");
	kana_ok("ゔ", "ｳﾞ");
	kana_ok("ヰヱヲ", "ｲｴｦ");
	/* long vowel as '-' */
	kana_ok("ルーシー", "ﾙ-ｼ-");
	kana_ok("スミシンエスビ－アイネツト", "ｽﾐｼﾝｴｽﾋﾞ-ｱｲﾈﾂﾄ");
	/* letters, digits, spaces, symbols */
	kana_ok("abc XYZ 123", "ABC XYZ 123");
	kana_ok("ＡＢＣ　ａｂｃ　１２３", "ABC ABC 123");
	kana_ok("カ）ヤマダショウテン", "ｶ)ﾔﾏﾀﾞｼﾖｳﾃﾝ");
	kana_ok("（カ）テスト．／，－", "(ｶ)ﾃｽﾄ./,-");
	kana_ok("「テスト」", "｢ﾃｽﾄ｣");
}

static void test_kana_refused(void **state)
{
	(void)state;
	const char *why = NULL;
	char out[64];
	kana_refused("山田花子", "漢字");
	kana_refused("やまだ　花子", "漢字");
	assert_int_equal(grant_kana_to_zengin("山田", out, sizeof out, &why), ERR_INVALID);
	assert_string_equal(why, "口座名義はカタカナで入力してください（漢字は使えません）");
	kana_refused("ヤマダ😀", "使えない文字");
	kana_refused("ヤマダ&", "使えない文字");
	kana_refused("ヤマダ・ハナコ", "中黒");
	kana_refused("ヤマダ\tハナコ", "改行やタブ");
	kana_refused("", "入力されていません");
	kana_refused(" 　 ", "入力されていません");
	kana_refused("ﾔﾏﾀﾞ\xff", "UTF-8");
	kana_refused("\xe3\x83", "UTF-8"); /* cut in the middle of a character */
	kana_refused("\xc0\xaf", "UTF-8"); /* overlong '/' */
	/* out too small: ERR_TOOLARGE, never a cut name */
	assert_int_equal(grant_kana_to_zengin("ヤマダ", out, 12, &why),
			 ERR_TOOLARGE); /* 12 bytes */
	assert_string_equal(out, "");
	assert_int_equal(grant_kana_to_zengin("ヤマダ", out, 13, &why), ERR_OK);
	assert_string_equal(out, "ﾔﾏﾀﾞ");
}

static void test_kana_width_sjis(void **state)
{
	(void)state;
	char sj[32], back[64];
	assert_int_equal(grant_kana_width("ﾔﾏﾀﾞ ﾊﾅｺ"), 8);
	assert_int_equal(grant_kana_width(""), 0);
	assert_int_equal(grant_kana_width("AB-1"), 4);
	assert_true(grant_kana_width("ヤマダ") == SIZE_MAX); /* full-width: no single byte */
	assert_true(grant_kana_width("\xff") == SIZE_MAX);

	assert_int_equal(grant_zengin_sjis("ﾔﾏﾀﾞ A1", sj, sizeof sj), ERR_OK);
	assert_int_equal(strlen(sj), 7);
	assert_memory_equal(sj, "\xD4\xCF\xC0\xDE\x20\x41\x31", 7);
	assert_int_equal(grant_zengin_sjis("ｱ｡ﾟ", sj, sizeof sj), ERR_OK);
	assert_memory_equal(sj, "\xB1\xA1\xDF", 4); /* the ends of the range, and the NUL */
	assert_int_equal(grant_zengin_sjis("ヤ", sj, sizeof sj), ERR_INVALID);
	assert_int_equal(grant_zengin_sjis("A\nB", sj, sizeof sj), ERR_INVALID);
	assert_int_equal(grant_zengin_sjis("ﾔﾏﾀﾞ", sj, 4), ERR_TOOLARGE);
	assert_int_equal(grant_zengin_sjis("ﾔﾏﾀﾞ", sj, 5), ERR_OK);

	assert_int_equal(grant_zengin_from_sjis("\xD4\xCF\xC0\xDE\x20\x41", 6, back, sizeof back),
			 ERR_OK);
	assert_string_equal(back, "ﾔﾏﾀﾞ A");
	assert_int_equal(grant_zengin_from_sjis("\x82\xA0", 2, back, sizeof back), ERR_INVALID);
	assert_int_equal(grant_zengin_from_sjis("A\r", 2, back, sizeof back), ERR_INVALID);
}

/* ---- the code list ---- */

static void test_bank_lookup(void **state)
{
	(void)state;
	const char *bn = NULL, *bk = NULL, *rn = NULL, *rk = NULL;
	assert_int_equal(grant_bank_lookup("0001", "001", &bn, &bk, &rn, &rk), 1);
	assert_string_equal(bn, "みずほ銀行");
	assert_string_equal(bk, "ﾐｽﾞﾎ");
	assert_string_equal(rn, "東京営業部");
	assert_string_equal(rk, "ﾄｳｷﾖｳ");
	assert_int_equal(grant_bank_lookup("0005", "001", &bn, &bk, &rn, &rk), 1);
	assert_string_equal(bk, "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ");
	assert_string_equal(rn, "本店");

	assert_int_equal(grant_bank_lookup("9990", "002", &bn, &bk, &rn, &rk), 1);
	assert_string_equal(bn, "テスト銀行");
	assert_string_equal(bk, "ﾃｽﾄ");
	assert_string_equal(rn, "しんじゅく支店");
	assert_string_equal(rk, "ｼﾝｼﾞﾕｸ");

	/* the bank alone */
	assert_int_equal(grant_bank_lookup("9900", NULL, &bn, &bk, &rn, &rk), 1);
	assert_string_equal(bn, "ゆうちょ銀行");
	assert_string_equal(bk, "ﾕｳﾁﾖ");
	assert_null(rn);
	assert_null(rk);
	assert_int_equal(grant_bank_lookup("9900", "018", NULL, NULL, &rn, &rk), 1);
	assert_string_equal(rn, "〇一八店");
	assert_string_equal(rk, "ｾﾞﾛｲﾁﾊﾁ");
	assert_int_equal(grant_bank_lookup("0137", NULL, &bn, NULL, NULL, NULL), 1);
	assert_string_equal(bn, "きらぼし銀行");

	/* not found: unknown branch, unknown bank, malformed codes */
	rn = "kept";
	assert_int_equal(grant_bank_lookup("9990", "004", &bn, &bk, &rn, &rk), 0);
	assert_string_equal(rn, "kept");
	assert_int_equal(grant_bank_lookup("0001", "999", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup("9991", NULL, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup("0137", "001", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup("1", NULL, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup("00010", NULL, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup("0001", "01", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup("000a", NULL, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(grant_bank_lookup(NULL, NULL, NULL, NULL, NULL, NULL), 0);

	struct grant_bank_row rows[8];
	assert_int_equal(grant_bank_branches("9990", NULL, 0), 3);
	assert_int_equal(grant_bank_branches("9990", rows, 8), 3);
	assert_string_equal(rows[0].branch_code, "001");
	assert_string_equal(rows[1].branch_code, "002");
	assert_string_equal(rows[2].branch_code, "003");
	assert_string_equal(rows[2].branch_kana, "ﾐﾅﾐ");
	assert_int_equal(grant_bank_branches("9990", rows, 1), 3);
	assert_int_equal(grant_bank_branches("0137", rows, 8), 0);
	assert_int_equal(grant_bank_branches("9991", rows, 8), 0);
	assert_true(grant_bank_codes_count() > 250);
}

/* ---- writing ---- */

static const struct grant_zengin_originator ORIG = {
    .client_code = "1234567890",
    .name_kana = "テストク　フクシカ",
    .bank_code = "9990",
    .branch_code = "001",
    .account_type = 1,
    .account_no = "1234567",
};

static const struct grant_zengin_item ITEMS[] = {
    {"9990", "002", 1, "76543", "やまだ　はなこ", 15000, "123", NULL},
    {"0001", "001", 2, "1111111", "ｶ)ﾃｽﾄｼﾖｳｶｲ", 2500000, "9999999999", "0000000001"},
    /* 34 characters: cut at 30 */
    {"9900", "018", 1, "1234567",
     "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメ", 9999999999LL, NULL,
     ""},
};
#define NITEMS (sizeof ITEMS / sizeof ITEMS[0])

static void field(const char *rec, size_t off, size_t width, const char *want)
{
	char exp[128];
	size_t len = strlen(want);
	assert_true(len <= width && width < sizeof exp);
	memcpy(exp, want, len);
	memset(exp + len, ' ', width - len);
	if (memcmp(rec + off, exp, width) != 0)
		fail_msg("field at %zu (%zu bytes): \"%.*s\", not \"%.*s\"", off, width, (int)width,
			 rec + off, (int)width, exp);
}

static void write_example(struct buf *b)
{
	char why[GRANT_ZENGIN_WHY_MAX] = "";
	buf_init(b, 1 << 20);
	enum err e = grant_zengin_write(b, &ORIG, 3, 25, ITEMS, NITEMS, why, sizeof why);
	if (e != ERR_OK)
		fail_msg("write: %s", why);
}

static void test_write_layout(void **state)
{
	(void)state;
	struct buf b;
	write_example(&b);
	/* header, 3 data records, trailer, end: each 120 bytes and CRLF, no line break inside */
	assert_int_equal(b.len, 6 * 122);
	for (size_t r = 0; r < 6; r++) {
		const char *rec = b.data + r * 122;
		assert_memory_equal(rec + 120, "\r\n", 2);
		assert_null(memchr(rec, '\r', 120));
		assert_null(memchr(rec, '\n', 120));
		assert_null(memchr(rec, '\0', 120));
	}
	const char *h = b.data;
	field(h, 0, 1, "1");
	field(h, 1, 2, "21");
	field(h, 3, 1, "0");
	field(h, 4, 10, "1234567890");
	field(h, 14, 40, "\xC3\xBD\xC4\xB8\x20\xCC\xB8\xBC\xB6"); /* ﾃｽﾄｸ ﾌｸｼｶ */
	field(h, 54, 4, "0325");
	field(h, 58, 4, "9990");
	field(h, 62, 15, "\xC3\xBD\xC4"); /* ﾃｽﾄ, from the code list */
	field(h, 77, 3, "001");
	field(h, 80, 15, "\xCE\xDD\xC3\xDD"); /* ﾎﾝﾃﾝ */
	field(h, 95, 1, "1");
	field(h, 96, 7, "1234567");
	field(h, 103, 17, "");

	const char *d = b.data + 122;
	field(d, 0, 1, "2");
	field(d, 1, 4, "9990");
	field(d, 5, 15, "\xC3\xBD\xC4");
	field(d, 20, 3, "002");
	field(d, 23, 15, "\xBC\xDD\xBC\xDE\xD5\xB8"); /* ｼﾝｼﾞﾕｸ */
	field(d, 38, 4, "");			      /* 手形交換所番号: unused */
	field(d, 42, 1, "1");
	field(d, 43, 7, "0076543");
	field(d, 50, 30, "\xD4\xCF\xC0\xDE\x20\xCA\xC5\xBA"); /* ﾔﾏﾀﾞ ﾊﾅｺ */
	field(d, 80, 10, "0000015000");
	field(d, 90, 1, "0");
	field(d, 91, 10, "0000000123");
	field(d, 101, 10, "");
	field(d, 111, 1, "");
	field(d, 112, 1, "");
	field(d, 113, 7, "");

	d = b.data + 2 * 122;
	field(d, 1, 4, "0001");
	field(d, 5, 15, "\xD0\xBD\xDE\xCE"); /* ﾐｽﾞﾎ */
	field(d, 42, 1, "2");
	field(d, 80, 10, "0002500000");
	field(d, 91, 10, "9999999999");
	field(d, 101, 10, "0000000001");

	d = b.data + 3 * 122;
	field(d, 1, 4, "9900");
	field(d, 20, 3, "018");
	/* the name cut at the field's 30 bytes: ｱ (0xB1) .. ﾎ (0xCE) */
	for (size_t i = 0; i < 30; i++)
		assert_int_equal((unsigned char)d[50 + i], 0xB1 + i);
	field(d, 80, 10, "9999999999");

	const char *t = b.data + 4 * 122;
	field(t, 0, 1, "8");
	field(t, 1, 6, "000003");
	field(t, 7, 12, "010002514999"); /* 15,000 + 2,500,000 + 9,999,999,999 */
	field(t, 19, 101, "");
	const char *end = b.data + 5 * 122;
	field(end, 0, 1, "9");
	field(end, 1, 119, "");
	buf_free(&b);
}

static void write_refused(const struct grant_zengin_item *items, size_t n, int month, int day,
			  const char *why_has)
{
	char why[GRANT_ZENGIN_WHY_MAX] = "";
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(grant_zengin_write(&b, &ORIG, month, day, items, n, why, sizeof why),
			 ERR_INVALID);
	assert_int_equal(b.len, 0); /* nothing appended */
	if (!strstr(why, why_has))
		fail_msg("why is \"%s\", not about \"%s\"", why, why_has);
	buf_free(&b);
}

static void test_write_refused(void **state)
{
	(void)state;
	struct grant_zengin_item it[2] = {ITEMS[0], ITEMS[1]};
	it[1].yen = 0;
	write_refused(it, 2, 3, 25, "2件目の振込金額");
	it[1].yen = -5;
	write_refused(it, 2, 3, 25, "2件目の振込金額");
	it[1].yen = 10000000000LL;
	write_refused(it, 2, 3, 25, "2件目の振込金額");
	it[1] = ITEMS[1];
	it[0].branch_code = "004"; /* テスト銀行 has no branch 004 */
	write_refused(it, 2, 3, 25,
		      "1件目の銀行・支店: 銀行番号 9990・支店番号 004 が銀行コード一覧");
	it[0] = ITEMS[0];
	it[0].bank_code = "999";
	write_refused(it, 2, 3, 25, "1件目の銀行番号");
	it[0] = ITEMS[0];
	it[1].holder_kana = "山田花子";
	write_refused(it, 2, 3, 25, "2件目の受取人名: 口座名義はカタカナで入力してください");
	it[1] = ITEMS[1];
	it[1].account_no = "12345678";
	write_refused(it, 2, 3, 25, "2件目の口座番号");
	it[1] = ITEMS[1];
	it[1].account_type = 3;
	write_refused(it, 2, 3, 25, "2件目の預金種目");
	it[1] = ITEMS[1];
	it[1].customer_code1 = "12AB";
	write_refused(it, 2, 3, 25, "2件目の顧客コード1");
	it[1] = ITEMS[1];
	write_refused(it, 2, 2, 30, "振込指定日");
	write_refused(it, 2, 13, 1, "振込指定日");
	write_refused(it, 0, 3, 25, "1 件から");

	/* a buffer cap: ERR_TOOLARGE, nothing appended */
	struct buf small;
	buf_init(&small, 500);
	assert_int_equal(grant_zengin_write(&small, &ORIG, 3, 25, ITEMS, NITEMS, NULL, 0),
			 ERR_TOOLARGE);
	assert_int_equal(small.len, 0);
	buf_free(&small);
}

/* ---- reading ---- */

static void read_back_check(const char *data, size_t len)
{
	struct grant_zengin_record *r = NULL;
	size_t n = 0;
	char why[GRANT_ZENGIN_WHY_MAX] = "";
	enum err e = grant_zengin_read(data, len, &r, &n, why, sizeof why);
	if (e != ERR_OK)
		fail_msg("read: %s", why);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].record, 2);
	assert_string_equal(r[0].bank_code, "9990");
	assert_string_equal(r[0].bank_kana, "ﾃｽﾄ");
	assert_string_equal(r[0].branch_code, "002");
	assert_string_equal(r[0].branch_kana, "ｼﾝｼﾞﾕｸ");
	assert_int_equal(r[0].account_type, 1);
	assert_string_equal(r[0].account_no, "0076543");
	assert_string_equal(r[0].holder_kana, "ﾔﾏﾀﾞ ﾊﾅｺ");
	assert_int_equal(r[0].yen, 15000);
	assert_int_equal(r[0].new_code, '0');
	assert_string_equal(r[0].customer_code1, "0000000123");
	assert_string_equal(r[0].customer_code2, "");
	assert_int_equal(r[0].transfer_kind, ' ');
	assert_int_equal(r[0].edi, ' ');
	assert_string_equal(r[0].tail, "");
	assert_string_equal(r[1].bank_kana, "ﾐｽﾞﾎ");
	assert_string_equal(r[1].branch_kana, "ﾄｳｷﾖｳ");
	assert_int_equal(r[1].account_type, 2);
	assert_string_equal(r[1].holder_kana, "ｶ)ﾃｽﾄｼﾖｳｶｲ");
	assert_int_equal(r[1].yen, 2500000);
	assert_string_equal(r[1].customer_code1, "9999999999");
	assert_string_equal(r[1].customer_code2, "0000000001");
	assert_string_equal(r[2].branch_kana, "ｾﾞﾛｲﾁﾊﾁ");
	assert_string_equal(r[2].holder_kana, "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎ");
	assert_int_equal(r[2].yen, 9999999999LL);
	assert_int_equal(r[2].record, 4);
	grant_zengin_records_free(r);
}

/* Returns a malloc'd copy of src[0..len) without the bytes equal to drop1 or drop2. */
static char *strip(const char *src, size_t len, char drop1, char drop2, size_t *outlen)
{
	char *d = malloc(len);
	size_t k = 0;
	assert_non_null(d);
	for (size_t i = 0; i < len; i++)
		if (src[i] != drop1 && src[i] != drop2)
			d[k++] = src[i];
	*outlen = k;
	return d;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct buf b;
	size_t len;
	write_example(&b);
	read_back_check(b.data, b.len); /* CRLF */
	char *lf = strip(b.data, b.len, '\r', '\r', &len);
	read_back_check(lf, len); /* LF */
	free(lf);
	char *none = strip(b.data, b.len, '\r', '\n', &len);
	assert_int_equal(len, 6 * 120);
	read_back_check(none, len); /* no line breaks */
	/* no line break after the end record, and an MS-DOS end-of-file byte */
	read_back_check(b.data, b.len - 2);
	char *eof = malloc(len + 1);
	memcpy(eof, none, len);
	eof[len] = 0x1A;
	read_back_check(eof, len + 1);
	free(eof);
	free(none);
	buf_free(&b);
}

static void read_refused(const char *data, size_t len, const char *why_has)
{
	struct grant_zengin_record dummy, *r = &dummy;
	size_t n = 99;
	char why[GRANT_ZENGIN_WHY_MAX] = "";
	assert_int_equal(grant_zengin_read(data, len, &r, &n, why, sizeof why), ERR_INVALID);
	assert_null(r);
	assert_int_equal(n, 0);
	if (!strstr(why, why_has))
		fail_msg("why is \"%s\", not about \"%s\"", why, why_has);
}

static void test_read_refused(void **state)
{
	(void)state;
	struct buf b;
	char *f;
	size_t len;
	write_example(&b);

	/* a 119-byte record (one byte of the 受取人名 lost) */
	f = malloc(b.len);
	memcpy(f, b.data, 122 + 60);
	memcpy(f + 122 + 60, b.data + 122 + 61, b.len - (122 + 61));
	read_refused(f, b.len - 1, "2件目のレコードが 119 バイトです");
	/* a 121-byte record */
	free(f);
	f = malloc(b.len + 1);
	memcpy(f, b.data, 122 + 60);
	f[122 + 60] = ' ';
	memcpy(f + 122 + 61, b.data + 122 + 60, b.len - (122 + 60));
	read_refused(f, b.len + 1, "2件目のレコードが 121 バイトです");
	free(f);

	/* a wrong trailer sum, then a wrong count */
	f = malloc(b.len);
	memcpy(f, b.data, b.len);
	f[4 * 122 + 18] = '1'; /* 010002514999 → 010002514991 */
	read_refused(f, b.len, "合計金額 10002514991 円がデータレコードの合計 10002514999 円");
	memcpy(f, b.data, b.len);
	f[4 * 122 + 6] = '4';
	read_refused(f, b.len, "合計件数 4 件がデータレコードの 3 件");
	/* an amount that is not digits */
	memcpy(f, b.data, b.len);
	f[122 + 85] = ' ';
	read_refused(f, b.len, "2件目（データレコード）の振込金額が数字ではありません");
	/* a two-byte Shift_JIS character in a name */
	memcpy(f, b.data, b.len);
	memcpy(f + 122 + 50, "\x82\xA0", 2);
	read_refused(f, b.len, "2件目に半角カナ・英数字以外のバイト（0x82");
	/* 種別コード 11 (給与振込) */
	memcpy(f, b.data, b.len);
	memcpy(f + 1, "11", 2);
	read_refused(f, b.len, "種別コードが 21");
	/* CR alone between records */
	memcpy(f, b.data, b.len);
	f[121] = 'X';
	read_refused(f, b.len, "CR だけ");
	/* a record kind that does not exist */
	memcpy(f, b.data, b.len);
	f[2 * 122] = '3';
	read_refused(f, b.len, "3件目のデータ区分");
	free(f);

	/* the header missing */
	read_refused(b.data + 122, b.len - 122, "1件目がヘッダーレコード");
	/* the end record missing, then the trailer and end */
	read_refused(b.data, 5 * 122, "エンドレコード（データ区分 9）がありません");
	read_refused(b.data, 4 * 122, "トレーラレコード（データ区分 8）がありません");
	/* something after the end record */
	f = malloc(b.len + 122);
	memcpy(f, b.data, b.len);
	memcpy(f + b.len, b.data, 122);
	read_refused(f, b.len + 122, "あとにもデータ");
	free(f);
	/* a file that ends inside a record, and an empty one */
	read_refused(b.data, 3 * 122 + 50, "4件目のレコードが 50 バイトです");
	read_refused("", 0, "空");
	read_refused("\r\n", 2, "空");
	/* no line breaks, one record short by a byte: found, not misread */
	char *none = strip(b.data, b.len, '\r', '\n', &len);
	memmove(none + 150, none + 151, len - 151);
	struct grant_zengin_record *r = NULL;
	size_t n = 0;
	assert_int_equal(grant_zengin_read(none, len - 1, &r, &n, NULL, 0), ERR_INVALID);
	assert_null(r);
	free(none);
	buf_free(&b);
}

/* ---- a ward's list ---- */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_zengin_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void load_refused(const char *text, size_t want_line)
{
	char *path = write_temp(text);
	size_t line = 12345;
	assert_int_equal(grant_bank_codes_load(path, &line), ERR_INVALID);
	assert_int_equal(line, want_line);
	unlink(path);
	free(path);
}

/* Runs last: it replaces the list in use (and puts the shipped one back). */
static void test_bank_codes_load(void **state)
{
	(void)state;
	size_t embedded = grant_bank_codes_count(), line = 9;
	load_refused("0001\tみずほ銀行\tミズホ\n0001\tみずほ銀行\tミズホ\t1\t本店\tホンテン\n", 2);
	load_refused("# c\n0001\tみずほ銀行\t山\n", 2);
	load_refused("0001\tみずほ銀行\tミズホ\t001\t本店\n", 1);
	load_refused("0001\tみずほ銀行\tミズホ\n\n0001\tみずほ\tミズホ\n", 3);
	load_refused("# only a comment\n", 0);
	assert_int_equal(grant_bank_codes_load("/nonexistent/list.tsv", &line), ERR_IO);
	assert_int_equal(line, 0);
	assert_int_equal(grant_bank_codes_count(), embedded); /* unchanged */

	/* full-width kana are converted; CRLF and a BOM are fine */
	char *path = write_temp("\xEF\xBB\xBF# a ward's list\r\n"
				"8888\tみらい銀行\tミライ\r\n"
				"8888\tみらい銀行\tミライ\t123\tきた支店\tキタ\r\n");
	const char *bk = NULL, *rk = NULL, *rn = NULL;
	assert_int_equal(grant_bank_codes_load(path, &line), ERR_OK);
	assert_int_equal(grant_bank_codes_count(), 2);
	assert_int_equal(grant_bank_lookup("8888", "123", NULL, &bk, &rn, &rk), 1);
	assert_string_equal(bk, "ﾐﾗｲ");
	assert_string_equal(rn, "きた支店");
	assert_string_equal(rk, "ｷﾀ");
	assert_int_equal(grant_bank_lookup("9990", "002", NULL, NULL, NULL, NULL), 0);
	unlink(path);
	free(path);
	assert_string_equal(rk, "ｷﾀ"); /* names outlive the list */

	/* the shipped TSV read at run time gives the embedded list back */
	assert_int_equal(grant_bank_codes_load("data/bank_codes.tsv", &line), ERR_OK);
	assert_int_equal(grant_bank_codes_count(), embedded);
	assert_int_equal(grant_bank_lookup("9990", "002", NULL, &bk, NULL, &rk), 1);
	assert_string_equal(rk, "ｼﾝｼﾞﾕｸ");
	assert_int_equal(grant_bank_lookup("0038", "106", NULL, &bk, NULL, NULL), 1);
	assert_string_equal(bk, "ｽﾐｼﾝｴｽﾋﾞ-ｱｲﾈﾂﾄ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kana_convert),    cmocka_unit_test(test_kana_refused),
	    cmocka_unit_test(test_kana_width_sjis), cmocka_unit_test(test_bank_lookup),
	    cmocka_unit_test(test_write_layout),    cmocka_unit_test(test_write_refused),
	    cmocka_unit_test(test_round_trip),	    cmocka_unit_test(test_read_refused),
	    cmocka_unit_test(test_bank_codes_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
