/* SPDX-License-Identifier: MIT */
/* test_iso2022jp.c — unit tests for src/mail/iso2022jp.c and the ISO-2022-JP path of
 * mail_mime_build: words and bodies decode back (through iconv) to the text, words stay within
 * 75 characters and end in ASCII, lines fold at 998 bytes, look-alikes and half-width katakana
 * are mapped, and what JIS X 0208 lacks makes the message UTF-8. */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "mail/iso2022jp.h"
#include "mail/mail_internal.h"

#define WORD_OPEN "=?ISO-2022-JP?B?"

/* Decodes n bytes of ISO-2022-JP (starting in ASCII) to a malloc'd UTF-8 string; fails the
 * test when iconv cannot (a split character, a bad escape). */
static char *jis_decode(const char *p, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "ISO-2022-JP");
	assert_true(cd != (iconv_t)-1);
	size_t cap = n * 3 + 8, ol = cap, il = n;
	char *out = xmalloc(cap), *op = out, *ip = (char *)p;
	if (n)
		assert_int_not_equal(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
	assert_int_equal(il, 0);
	iconv_close(cd);
	*op = '\0';
	return out;
}

static int b64_value(char c)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *f = strchr(a, c);
	assert_true(c && f);
	return (int)(f - a);
}

/* Decodes base64 s (n characters, a multiple of 4) into out. */
static void b64_decode(const char *s, size_t n, struct buf *out)
{
	assert_int_equal(n % 4, 0);
	for (size_t i = 0; i < n; i += 4) {
		unsigned v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			v <<= 6;
			if (s[i + k] == '=')
				pad++;
			else
				v |= (unsigned)b64_value(s[i + k]);
		}
		unsigned char b[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8),
				      (unsigned char)v};
		assert_int_equal(buf_append(out, b, (size_t)(3 - pad)), ERR_OK);
	}
}

/* 1 when the ISO-2022-JP bytes p[0..n) are all 7-bit and end in ASCII (no designation, or
 * ESC ( B last). */
static int ends_in_ascii(const char *p, size_t n)
{
	const char *last = NULL;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x80)
			return 0;
		if (p[i] == 0x1B)
			last = p + i;
	}
	return !last || (p + n - last >= 3 && memcmp(last, "\033(B", 3) == 0);
}

/* Decodes encoded-words (separated by CRLF SP) from s..end, checking each word on the way:
 * at most 75 characters, decodes on its own, ends in ASCII. Returns the malloc'd text. */
static char *decode_words(const char *s, const char *end, size_t *nwords)
{
	struct buf text;
	buf_init(&text, 1 << 20);
	assert_int_equal(buf_puts(&text, ""), ERR_OK);
	*nwords = 0;
	while (s < end) {
		const char *sep = strstr(s, "\r\n ");
		const char *we = sep && sep < end ? sep : end;
		size_t wl = (size_t)(we - s);
		assert_true(wl <= 75);
		assert_true(wl >= strlen(WORD_OPEN) + 2);
		assert_memory_equal(s, WORD_OPEN, strlen(WORD_OPEN));
		assert_memory_equal(we - 2, "?=", 2);
		struct buf raw;
		buf_init(&raw, 256);
		b64_decode(s + strlen(WORD_OPEN), wl - strlen(WORD_OPEN) - 2, &raw);
		assert_true(ends_in_ascii(raw.data ? raw.data : "", raw.len));
		char *part = jis_decode(raw.data ? raw.data : "", raw.len);
		assert_int_equal(buf_puts(&text, part), ERR_OK);
		free(part);
		buf_free(&raw);
		(*nwords)++;
		s = we == end ? end : we + 3;
	}
	return buf_steal(&text);
}

/* Encodes text as words and returns their decoded text (malloc'd); *nwords as above. */
static char *words_round_trip(const char *text, size_t *nwords)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(mail_iso2022jp_words(&b, text), ERR_OK);
	assert_non_null(b.data);
	char *dec = decode_words(b.data, b.data + b.len, nwords);
	buf_free(&b);
	return dec;
}

static void test_words(void **state)
{
	(void)state;
	const char *texts[] = {
	    "",
	    "Hello",
	    "お知らせ",
	    "【見守り】メールアドレスの確認のお願い",
	    /* ASCII and kanji mixed, long enough for several words; ¥ goes through JIS X 0201 */
	    "G01 すみれ学童クラブ: 山田 太郎さんが 15:42 に入室しました (ID 12345) ¥100 "
	    "abc漢字def かな カナ ＡＢＣ １２３ 〒 ※ ◎ ♪ 〜 ― ‖ − ¢ £ ¬ ＼ 最後の文です。",
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		size_t n = 0;
		char *dec = words_round_trip(texts[i], &n);
		assert_string_equal(dec, texts[i]);
		assert_true(n >= 1);
		free(dec);
	}
	size_t n = 0;
	char *dec = words_round_trip(texts[4], &n);
	assert_true(n >= 4);
	free(dec);

	/* Exact bytes for a short word: ESC $ B, the JIS codes, ESC ( B. */
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(mail_iso2022jp_words(&b, "お知らせ"), ERR_OK);
	assert_string_equal(b.data, "=?ISO-2022-JP?B?GyRCJCpDTiRpJDsbKEI=?=");
	buf_free(&b);
	buf_init(&b, 4096);
	assert_int_equal(mail_iso2022jp_words(&b, ""), ERR_OK);
	assert_string_equal(b.data, "=?ISO-2022-JP?B?" "?=");
	buf_free(&b);
}

/* Every word is full but for the last: a word of kanji holds 18 of them (3 + 36 + 3 = 42
 * bytes, 56 base64 characters). */
static void test_words_fill(void **state)
{
	(void)state;
	struct buf text, b;
	buf_init(&text, 4096);
	for (int i = 0; i < 40; i++)
		buf_puts(&text, "漢");
	buf_init(&b, 4096);
	assert_int_equal(mail_iso2022jp_words(&b, text.data), ERR_OK);
	/* 40 = 18 + 18 + 4 */
	const char *w2 = strstr(b.data, "\r\n ");
	assert_non_null(w2);
	assert_int_equal(w2 - b.data, 16 + 56 + 2);
	const char *w3 = strstr(w2 + 3, "\r\n ");
	assert_non_null(w3);
	assert_int_equal(w3 - (w2 + 3), 16 + 56 + 2);
	assert_null(strstr(w3 + 3, "\r\n "));
	size_t n = 0;
	char *dec = decode_words(b.data, b.data + b.len, &n);
	assert_int_equal(n, 3);
	assert_string_equal(dec, text.data);
	free(dec);
	buf_free(&b);
	buf_free(&text);
}

static void test_mapping(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    /* CP932 (Windows) look-alikes and the Mac's em dash */
	    {"～∥－￠￡￢—", "〜‖−¢£¬―"},
	    {"10時～12時", "10時〜12時"},
	    /* half-width katakana, with dakuten and handakuten joined */
	    {"ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ", "ガギグゲゴザジズゼゾダヂヅデド"},
	    {"ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟｳﾞ", "バビブベボパピプペポヴ"},
	    {"ﾀｶﾊｼ ﾖｼｵ", "タカハシ ヨシオ"},
	    {"｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵﾅﾆﾇﾈﾉﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ",
	     "。「」、・ヲァィゥェォャュョッーアイウエオナニヌネノマミムメモヤユヨラリルレロワン"},
	    /* a mark that joins nothing stays a mark */
	    {"ﾞﾟｱﾞﾜﾞﾊﾟﾟ", "゛゜ア゛ワ゛パ゜"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 0;
		char *dec = words_round_trip(cases[i][0], &n);
		assert_string_equal(dec, cases[i][1]);
		free(dec);
		struct buf b;
		buf_init(&b, 4096);
		assert_int_equal(mail_iso2022jp_body(&b, cases[i][0]), ERR_OK);
		dec = jis_decode(b.data, b.len);
		char *want = xasprintf("%s\r\n", cases[i][1]);
		assert_string_equal(dec, want);
		free(want);
		free(dec);
		buf_free(&b);
	}
}

static void test_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
	    "①",	   /* NEC special (CP932 row 13) */
	    "𠮷野家",	   /* outside the BMP */
	    "髙橋",	   /* IBM extension */
	    "お知らせ😀", /* emoji */
	    "ｶ\xff",	   /* not UTF-8 */
	    "\xe3\x81",	   /* a cut sequence */
	    "a\033$Bb",	   /* an ESC would be read as a shift */
	    "a\033(Bb",	   /* even one that reads as a designation */
	    "x\x0ey",	   /* SO */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct buf b;
		buf_init(&b, 4096);
		assert_int_equal(mail_iso2022jp_words(&b, bad[i]), ERR_INVALID);
		buf_free(&b);
		buf_init(&b, 4096);
		assert_int_equal(mail_iso2022jp_body(&b, bad[i]), ERR_INVALID);
		buf_free(&b);
	}
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(mail_iso2022jp_body(&b, "line\rwith a lone CR\n"), ERR_INVALID);
	buf_free(&b);
}

/* Checks a converted body: 7-bit, CRLF only, lines of at most 998 bytes each back in ASCII
 * before its CRLF, ending in CRLF. Returns the decoded text (malloc'd). */
static char *check_body(const struct buf *b, size_t *lines)
{
	*lines = 0;
	assert_true(b->len >= 2 && memcmp(b->data + b->len - 2, "\r\n", 2) == 0);
	for (const char *p = b->data, *end = b->data + b->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		assert_true(nl > p && nl[-1] == '\r');
		size_t len = (size_t)(nl - 1 - p);
		assert_true(len <= 998);
		assert_null(memchr(p, '\r', len));
		assert_true(ends_in_ascii(p, len));
		(*lines)++;
		p = nl + 1;
	}
	return jis_decode(b->data, b->len);
}

static void test_body(void **state)
{
	(void)state;
	const char *body = "学童クラブ・ひろばプラスの入退室通知に、このメールアドレスが登録されました。\n"
			   "\n"
			   "次のページを開き、「メールアドレスを確認する」ボタンを押してください。\r\n"
			   "http://127.0.0.1:8080/confirm/?t=abc_DEF-123\n"
			   "¥1,000 と 1,000円 (a\\b~c)\n"
			   "終わり";
	struct buf b;
	buf_init(&b, 1 << 16);
	assert_int_equal(mail_iso2022jp_body(&b, body), ERR_OK);
	size_t lines = 0;
	char *dec = check_body(&b, &lines);
	assert_int_equal(lines, 6);
	assert_string_equal(dec, "学童クラブ・ひろばプラスの入退室通知に、このメールアドレスが登録"
				 "されました。\r\n"
				 "\r\n"
				 "次のページを開き、「メールアドレスを確認する」ボタンを押してください。"
				 "\r\n"
				 "http://127.0.0.1:8080/confirm/?t=abc_DEF-123\r\n"
				 "¥1,000 と 1,000円 (a\\b~c)\r\n"
				 "終わり\r\n");
	/* The URL line is plain ASCII on the wire. */
	assert_non_null(strstr(b.data, "\r\nhttp://127.0.0.1:8080/confirm/?t=abc_DEF-123\r\n"));
	free(dec);
	buf_free(&b);

	buf_init(&b, 16);
	assert_int_equal(mail_iso2022jp_body(&b, ""), ERR_OK);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

/* Lines past 998 bytes are broken between characters, each part back in ASCII. */
static void test_body_fold(void **state)
{
	(void)state;
	struct buf text, b, want;
	buf_init(&text, 1 << 20);
	/* 1000 kanji (2006 bytes on the wire), a line of 2500 ASCII letters, and a line that
	 * switches sets at every character. */
	for (int i = 0; i < 1000; i++)
		buf_puts(&text, "字");
	buf_puts(&text, "\n");
	for (int i = 0; i < 2500; i++)
		buf_puts(&text, "x");
	buf_puts(&text, "\n");
	for (int i = 0; i < 400; i++)
		buf_puts(&text, "a字");
	buf_puts(&text, "\n");
	buf_init(&b, 1 << 20);
	assert_int_equal(mail_iso2022jp_body(&b, text.data), ERR_OK);
	size_t lines = 0;
	char *dec = check_body(&b, &lines);
	/* Kanji: 3 + 992 (496 kanji) + 3 twice, then 8; letters: 998 + 998 + 504; a字 is up to
	 * 1 + 3 + 2 + 3 bytes a pair (ESC ( B back for the letter): 3600 bytes in 4 parts. */
	assert_int_equal(lines, 3 + 3 + 4);
	assert_int_equal(strstr(b.data, "\r\n") - b.data, 3 + 992 + 3);
	/* Taking the inserted line breaks out gives the text back. */
	buf_init(&want, 1 << 20);
	for (const char *p = dec; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		buf_append(&want, p, 1);
	}
	buf_puts(&want, "");
	char *flat = xstrdup(text.data);
	size_t k = 0;
	for (const char *p = flat; *p; p++)
		if (*p != '\n')
			flat[k++] = *p;
	flat[k] = '\0';
	assert_string_equal(want.data, flat);
	free(flat);
	free(dec);
	buf_free(&want);
	buf_free(&b);
	buf_free(&text);
}

static const char *header_value(const char *msg, const char *name, const char **end)
{
	const char *h = strstr(msg, name);
	assert_non_null(h);
	h += strlen(name);
	while (*h == ' ')
		h++;
	const char *e = h;
	for (;;) {
		const char *nl = strstr(e, "\r\n");
		assert_non_null(nl);
		e = nl;
		if (nl[2] != ' ' && nl[2] != '\t')
			break;
		e = nl + 2;
	}
	*end = e;
	return h;
}

static void test_mime_build(void **state)
{
	(void)state;
	struct mail_message m = {
	    .from_name = "見守り 区役所",
	    .from_addr = "noreply@mimamori.invalid",
	    .to = "taro..yamada.@docomo.ne.jp",
	    .subject = "【見守り】ｶﾞｲﾄﾞ 10時～12時のお知らせ（台風の接近に伴う閉所時刻の変更について）",
	    .body = "本日は14時に下校します。\n.\nline with a dot above\n",
	    .iso2022jp = 1,
	    .message_id = "<abc@mimamori.invalid>",
	    .kind = "notice",
	    .date_ms = 1700000000000,
	};
	struct buf b;
	buf_init(&b, MAIL_MESSAGE_MAX);
	assert_int_equal(mail_mime_build(&m, &b), ERR_OK);
	for (size_t i = 0; i < b.len; i++) {
		assert_true((unsigned char)b.data[i] < 0x80);
		if (b.data[i] == '\n')
			assert_true(i > 0 && b.data[i - 1] == '\r');
	}
	/* Header lines with encoded-words, the Subject's first included, stay within 76. */
	for (const char *line = b.data; line < b.data + b.len;) {
		const char *eol = strstr(line, "\r\n");
		if (!eol || eol == line)
			break;
		if (strstr(line, "=?") && strstr(line, "=?") < eol)
			assert_true(eol - line <= 76);
		line = eol + 2;
	}
	assert_non_null(strstr(b.data, "\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n"));
	assert_non_null(strstr(b.data, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	assert_non_null(strstr(b.data, "\r\nAuto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(b.data, "\r\nTo: <\"taro..yamada.\"@docomo.ne.jp>\r\n"));
	const char *end, *v;
	size_t n;
	v = header_value(b.data, "Subject:", &end);
	char *dec = decode_words(v, end, &n);
	assert_string_equal(dec, "【見守り】ガイド 10時〜12時のお知らせ（台風の接近に伴う閉所時刻の変更について）");
	free(dec);
	v = header_value(b.data, "From:", &end);
	const char *lt = strstr(v, " <noreply@mimamori.invalid>");
	assert_true(lt && lt < end);
	dec = decode_words(v, lt, &n);
	assert_string_equal(dec, m.from_name);
	free(dec);
	const char *body = strstr(b.data, "\r\n\r\n") + 4;
	dec = jis_decode(body, strlen(body));
	assert_string_equal(dec, "本日は14時に下校します。\r\n.\r\nline with a dot above\r\n");
	free(dec);
	buf_free(&b);

	/* A character outside JIS X 0208 anywhere: the message is exactly the UTF-8 one. */
	const char *fields[] = {"subject", "from_name", "body"};
	for (size_t i = 0; i < 3; i++) {
		struct mail_message u = m;
		if (i == 0)
			u.subject = "①のお知らせ";
		else if (i == 1)
			u.from_name = "髙橋";
		else
			u.body = "山田 𠮷男さんが入室しました。\n";
		struct buf want;
		buf_init(&b, MAIL_MESSAGE_MAX);
		buf_init(&want, MAIL_MESSAGE_MAX);
		assert_int_equal(buf_puts(&b, "X-Before: kept\r\n"), ERR_OK);
		assert_int_equal(buf_puts(&want, "X-Before: kept\r\n"), ERR_OK);
		assert_int_equal(mail_mime_build(&u, &b), ERR_OK);
		u.iso2022jp = 0;
		assert_int_equal(mail_mime_build(&u, &want), ERR_OK);
		if (b.len != want.len || memcmp(b.data, want.data, b.len) != 0)
			fail_msg("%s: not the UTF-8 message", fields[i]);
		assert_non_null(strstr(b.data, "charset=UTF-8\r\nContent-Transfer-Encoding: base64"));
		buf_free(&b);
		buf_free(&want);
	}
}

static void test_domain_valid(void **state)
{
	(void)state;
	assert_true(mail_domain_valid("docomo.ne.jp"));
	assert_true(mail_domain_valid("ezweb.ne.jp"));
	assert_false(mail_domain_valid("docomo"));
	assert_false(mail_domain_valid("docomo.ne.jp=2/300"));
	assert_false(mail_domain_valid("-x.jp"));
	assert_false(mail_domain_valid(""));
	assert_false(mail_domain_valid("a@docomo.ne.jp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),	cmocka_unit_test(test_words_fill),
	    cmocka_unit_test(test_mapping),	cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_body),	cmocka_unit_test(test_body_fold),
	    cmocka_unit_test(test_mime_build), cmocka_unit_test(test_domain_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
