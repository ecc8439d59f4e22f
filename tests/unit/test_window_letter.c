/* SPDX-License-Identifier: MIT */
/* test_window_letter.c — 長3 window-envelope letters (src/doc/window_letter_pdf.c) and the
 * one-page letters (letter_pdf.c, which shares their text setting), read back with pdftotext:
 * the addressee inside the window rectangle, 様, the date in 和暦 (元年), bad input refused. */
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
#include "base/xalloc.h"
#include "doc/custbarcode.h"
#include "doc/letter_pdf.h"
#include "doc/window_letter_pdf.h"

#include <cairo.h>

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

#define MM (72.0 / 25.4)

/* Returns pdftotext's UTF-8 text of page `page` of pdf (malloc'd), cropped to the rectangle
 * (x, y, w, h) in points when w > 0. Paths are ours (mkdtemp), so the shell sees no input. */
static char *pdftext(const char *pdf, int page, double x, double y, double w, double h)
{
	char *cmd;
	if (w > 0)
		cmd = xasprintf("pdftotext -q -enc UTF-8 -r 72 -f %d -l %d -x %d -y %d -W %d -H %d "
				"'%s' -",
				page, page, (int)x, (int)y, (int)w, (int)h, pdf);
	else
		cmd = xasprintf("pdftotext -q -enc UTF-8 -f %d -l %d '%s' -", page, page, pdf);
	FILE *f = popen(cmd, "r");
	free(cmd);
	assert_non_null(f);
	struct buf b;
	buf_init(&b, 1 << 20);
	char tmp[4096];
	size_t r;
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		assert_int_equal(buf_append(&b, tmp, r), ERR_OK);
	assert_int_equal(pclose(f), 0);
	buf_puts(&b, "");
	return buf_steal(&b);
}

static void contains(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("\"%s\" not in:\n%s", want, text);
}

static void lacks(const char *text, const char *unwanted)
{
	if (strstr(text, unwanted))
		fail_msg("\"%s\" unexpectedly in:\n%s", unwanted, text);
}

/* Renders the window rectangle of page 1 of pdf at 600 dpi (pdftoppm) and reads the customer
 * barcode's 67 bars back from the pixels into bars: the start code's long bar is found in the
 * column 4.3 mm right of the window's edge (where the barcode starts), then every bar is read
 * at the top, middle and bottom of the long-bar height. Returns 0 when no barcode is found. */
static int window_bars(const char *pdf, const char *dir, char bars[DOC_CB_BARS + 1])
{
	const double dpi = 600, px_mm = dpi / 25.4;
	char *png = xasprintf("%s/win", dir);
	char *cmd =
	    xasprintf("pdftoppm -q -f 1 -l 1 -r %d -gray -png -singlefile -x %d -y %d "
		      "-W %d -H %d '%s' '%s'",
		      (int)dpi, (int)(DOC_WINDOW_X_MM * px_mm), (int)(DOC_WINDOW_Y_MM * px_mm),
		      (int)(DOC_WINDOW_W_MM * px_mm), (int)(DOC_WINDOW_H_MM * px_mm), pdf, png);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	char *file = xasprintf("%s.png", png);
	cairo_surface_t *img = cairo_image_surface_create_from_png(file);
	assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
	unlink(file);
	free(file);
	free(png);
	int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
	int stride = cairo_image_surface_get_stride(img);
	const uint32_t *px = (const uint32_t *)(const void *)cairo_image_surface_get_data(img);
#define DARK(x, y)                                                                                 \
	((x) >= 0 && (x) < w && (y) >= 0 && (y) < h &&                                             \
	 (px[(size_t)(y) * (size_t)(stride / 4) + (size_t)(x)] & 0xff) < 128)
	int col = (int)(4.3 * px_mm), top = -1;
	for (int y = 0; y < h && top < 0; y++) {
		int run = 0;
		while (DARK(col, y + run))
			run++;
		if (run > 3.3 * px_mm && run < 3.9 * px_mm)
			top = y;
		else if (run)
			y += run;
	}
	int found = top >= 0;
	for (int i = 0; found && i < DOC_CB_BARS; i++) {
		int x = (int)((4.0 + 0.3 + 1.2 * i) * px_mm);
		int t = DARK(x, top + (int)(0.3 * px_mm)), m = DARK(x, top + (int)(1.8 * px_mm));
		int b = DARK(x, top + (int)(3.3 * px_mm));
		if (!m)
			found = 0;
		bars[i] = t && b ? 'L' : t ? 'U' : b ? 'D' : 'T';
	}
#undef DARK
	bars[DOC_CB_BARS] = '\0';
	cairo_surface_destroy(img);
	return found;
}

static struct doc_window_letter sample(void)
{
	struct doc_window_letter L = {
	    .postcode = "1600022",
	    .address = "東京都新宿区新宿六丁目27番30号",
	    .katagaki = "みどりハイツ203号",
	    .name = "見守 花子",
	    .barcode = 1,
	    .sender = "桜台区 福祉部 地域包括ケア推進課\n電話 03-0000-0000",
	    .year = 2026,
	    .month = 3,
	    .day = 23,
	    .ref = "整理番号 R8-000123",
	    .title = "ふれあい入浴証の送付について",
	    .paragraphs = {"令和8年度のふれあい入浴証をお送りします。",
			   "区内の公衆浴場で、月4回まで無料でご利用いただけます。"},
	    .fields = {{"有効期間", "令和8年4月1日から令和9年3月31日まで", 0},
		       {"整理番号", "R8-000123", 1}},
	    .notes = {"この送付状は窓付き封筒用です。"},
	};
	return L;
}

static void test_window_letters(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_window_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *pdf = xasprintf("%s/letters.pdf", dir);
	struct doc_window_pdf *w = NULL;
	assert_int_equal(doc_window_pdf_open(pdf, "ふれあい入浴証", &w), ERR_OK);
	struct doc_window_letter L = sample();
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_OK);
	/* the first year of an era is 元年; no 方書; a representative postcode: no barcode */
	struct doc_window_letter L2 = sample();
	L2.postcode = "160-0000";
	L2.address = "東京都新宿区高田馬場一丁目2番3号";
	L2.katagaki = NULL;
	L2.name = "高田 一郎";
	L2.year = 2019, L2.month = 5, L2.day = 1;
	assert_int_equal(doc_window_pdf_add(w, &L2), ERR_OK);
	/* the first letter's body again (drawn once, shared by its pages), another addressee */
	struct doc_window_letter L3 = sample();
	L3.name = "桜井 三郎";
	L3.ref = "整理番号 R8-000124";
	assert_int_equal(doc_window_pdf_add(w, &L3), ERR_OK);
	assert_int_equal(doc_window_pdf_pages(w), 3);
	assert_int_equal(doc_window_pdf_close(w), ERR_OK);

	/* The whole page. */
	char *t = pdftext(pdf, 1, 0, 0, 0, 0);
	contains(t, "新宿区新宿六丁目27番30号");
	contains(t, "様");
	contains(t, "令和8年3月23日");
	contains(t, "ふれあい入浴証の送付について");
	contains(t, "R8-000123");
	free(t);
	/* The window only: 〒, address, 方書, name and 様 are inside it; the date, the sender and
	 * the title are not. */
	double wx = DOC_WINDOW_X_MM * MM, wy = DOC_WINDOW_Y_MM * MM;
	double ww = DOC_WINDOW_W_MM * MM, wh = DOC_WINDOW_H_MM * MM;
	t = pdftext(pdf, 1, wx, wy, ww, wh);
	contains(t, "〒160-0022");
	contains(t, "東京都新宿区新宿六丁目27番30号");
	contains(t, "みどりハイツ203号");
	contains(t, "見守 花子");
	contains(t, "様");
	lacks(t, "令和8年");
	lacks(t, "ふれあい入浴証の送付");
	lacks(t, "推進課");
	free(t);
	/* The customer barcode is in the window and reads back as the address's barcode:
	 * 1600022 and 6-27-30-203 (六丁目 27番 30号, 方書 203号). */
	char bars[DOC_CB_BARS + 1], want[DOC_CB_BARS + 1];
	struct doc_custbarcode bc;
	assert_int_equal(doc_custbarcode_encode("1600022",
						"東京都新宿区新宿六丁目27番30号 "
						"みどりハイツ203号",
						&bc),
			 ERR_OK);
	assert_string_equal(bc.number, "6-27-30-203");
	assert_int_equal(doc_custbarcode_bars(&bc, want, sizeof want), ERR_OK);
	assert_true(window_bars(pdf, dir, bars));
	assert_string_equal(bars, want);
	/* Nothing of the addressee outside the window's top panel strip to its right. */
	t = pdftext(pdf, 1, wx + ww, wy, 40 * MM, wh);
	lacks(t, "見守");
	free(t);
	t = pdftext(pdf, 2, wx, wy, ww, wh);
	contains(t, "〒160-0000");
	contains(t, "高田 一郎");
	free(t);
	t = pdftext(pdf, 2, 0, 0, 0, 0);
	contains(t, "令和元年5月1日");
	lacks(t, "令和8年3月23日");
	free(t);
	t = pdftext(pdf, 3, 0, 0, 0, 0);
	contains(t, "桜井 三郎");
	contains(t, "R8-000124");
	contains(t, "令和8年3月23日");
	contains(t, "ふれあい入浴証の送付について");
	contains(t, "有効期間");
	lacks(t, "見守");
	free(t);
	unlink(pdf);
	free(pdf);
	rmdir(dir);
}

static void test_window_bad_input(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, 8 << 20);
	struct doc_window_pdf *w = NULL;
	assert_int_equal(doc_window_pdf_open_buf(&out, "\xff", &w), ERR_INVALID);
	assert_null(w);
	assert_int_equal(doc_window_pdf_open_buf(&out, "送付状", &w), ERR_OK);
	struct doc_window_letter L = sample();
	L.postcode = "16000";
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.postcode = "16000221";
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.name = "見守\xe8\x8a";
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.address = "東京都\xc0\xaf";
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.paragraphs[1] = "\xed\xa0\x80"; /* a UTF-16 surrogate in UTF-8 */
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.name = NULL;
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.month = 2, L.day = 30;
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID);
	L = sample();
	L.katagaki =
	    "とても長い方書とても長い方書とても長い方書とても長い方書とても長い方書とても長い方"
	    "書とても長い方書とても長い方書とても長い方書とても長い方書とても長い方書とても"
	    "長い方書とても長い方書とても長い方書とても長い方書";
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_INVALID); /* does not fit the window */
	assert_int_equal(doc_window_pdf_pages(w), 0);
	L = sample(); /* the writer is still usable */
	assert_int_equal(doc_window_pdf_add(w, &L), ERR_OK);
	assert_int_equal(doc_window_pdf_close(w), ERR_OK);
	assert_true(out.len > 1000 && memcmp(out.data, "%PDF-", 5) == 0);
	buf_free(&out);
	/* a cap too small for the PDF */
	buf_init(&out, 2000);
	assert_int_equal(doc_window_pdf_open_buf(&out, "送付状", &w), ERR_OK);
	enum err e = doc_window_pdf_add(w, &L); /* cairo may write the page now or at the end */
	assert_true(e == ERR_OK || e == ERR_TOOLARGE);
	assert_int_equal(doc_window_pdf_close(w), ERR_TOOLARGE);
	buf_free(&out);
	assert_int_equal(doc_window_pdf_close(NULL), ERR_OK);
}

/* The one-page letter (schoolmail's), whose text setting now goes through pdf_text.c. */
static void test_letter_read_back(void **state)
{
	(void)state;
	struct doc_letter L = {
	    .recipient = "保護者の皆様",
	    .date = "令和8年4月1日",
	    .sender = "桜台区立あおば小学校",
	    .title = "メール配信登録のお願い",
	    .paragraphs = {"登録は空メールを送るだけです。"},
	    .fields = {{"登録用アドレス", "join-e01@example.jp", 1}, {"有効期間", "1年", 0}},
	    .qr = "mailto:join-e01@example.jp",
	    .qr_caption = "読み取って送信",
	    .notes = {"ご不明な点は学校まで。"},
	};
	struct buf out;
	buf_init(&out, 4 << 20);
	assert_int_equal(doc_letter_pdf_buf(&L, 1, &out), ERR_OK);
	char dir[] = "/tmp/test_letter_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *pdf = xasprintf("%s/l.pdf", dir);
	FILE *f = fopen(pdf, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out.data, 1, out.len, f), out.len);
	fclose(f);
	char *t = pdftext(pdf, 1, 0, 0, 0, 0);
	contains(t, "メール配信登録のお願い");
	contains(t, "join-e01@example.jp");
	contains(t, "令和8年4月1日");
	contains(t, "保護者の皆様");
	contains(t, "ご不明な点は学校まで。");
	free(t);
	unlink(pdf);
	free(pdf);
	rmdir(dir);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window_letters),
	    cmocka_unit_test(test_window_bad_input),
	    cmocka_unit_test(test_letter_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
