/* SPDX-License-Identifier: MIT */
/* test_custbarcode.c — the customer barcode (src/doc/custbarcode.c) on Japan Post's published
 * examples (郵便番号・バーコードマニュアル p17-p21 and the PDF manual's p.6), bad input, and the
 * drawing read back from pixels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cairo.h>
#include <string.h>

#include "doc/custbarcode.h"

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\nleak:libglib-2.0.so\nleak:libcairo.so\n";
}

/* The manual's extraction examples: 住所B (after the 町域) and the number it gives. */
static const struct {
	const char *address, *number;
} EXTRACT[] = {
    /* p17: the overview */
    {"1丁目3番2号　郵便プラザ503室", "1-3-2-503"},
    /* p18: 住所A/住所B */
    {"3丁目30-8　郵便ビル403号", "3-30-8-403"},
    {"4丁目　郵便センター6号館", "4-6"},
    {"8丁目　郵便センター10号館", "8-10"},
    /* p19: basic rules (lower case, & and ・ removed, two letters a name, hyphens tidied) and
     * the supplementary rule on hyphens next to a letter */
    {"東3丁目-20-5　郵便・A&bコーポB604号", "3-20-5B604"},
    /* supplementary rules: 漢数字 before 丁目/番地/号/丁/番/地割/線; F after a number */
    {"十一丁目六番地一号　郵便タワー601", "11-6-1-601"},
    {"四丁六番十九号", "4-6-19"},
    {"第二十一地割大淵川480", "21-480"},
    {"七線　西28", "7-28"},
    {"6丁目7-14　ABCビル2F", "6-7-14-2"},
    {"6丁目7-14　ABCビル2F201号室", "6-7-14-2-201"},
    {"9丁目7-6　郵便シティA棟1F1号", "9-7-6A1-1"},
    {"綾部6-7　LプラザB106", "6-7LB106"},
    {"韮崎400", "400"},
    {"添60-1", "60-1"},
    {"5-6-3　ABCビル10F", "5-6-3-10"},
    /* p20: the cut examples */
    {"29丁目1524-23　第2郵便ハウス501", "29-1524-23-2-501"},
    {"3丁目80-25　J1ビル2-B", "3-80-25J1-2B"},
    {"6丁目3454-5　郵便ハイツ6-1108", "6-3454-5-6-1108"},
};

static void test_extract_published(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof EXTRACT / sizeof EXTRACT[0]; i++) {
		char out[DOC_CB_EXTRACT_MAX];
		assert_int_equal(doc_custbarcode_extract(EXTRACT[i].address, out, sizeof out),
				 ERR_OK);
		if (strcmp(out, EXTRACT[i].number) != 0)
			fail_msg("%s: got %s, want %s", EXTRACT[i].address, out, EXTRACT[i].number);
	}
}

/* Whole addresses: the 住所A is skipped, 漢数字 in town names are not numbers. */
static void test_extract_whole_address(void **state)
{
	(void)state;
	static const struct {
		const char *address, *number;
	} W[] = {
	    {"東京都千代田区霞が関1丁目3番2号　郵便プラザ503室", "1-3-2-503"},
	    {"北海道札幌市東区北六条東4丁目　郵便センター6号館", "4-6"},
	    {"大阪府堺市堺区中田出井町四丁六番十九号", "4-6-19"},
	    {"岩手県宮古市大字津軽石第二十一地割大淵川480", "21-480"},
	    {"北海道帯広市稲田町南七線　西28", "7-28"},
	    {"東京都青梅市河辺町十一丁目六番地一号　郵便タワー601", "11-6-1-601"},
	    {"新宿区新宿6丁目27番30号", "6-27-30"},
	    {"東京都千代田区四番町5番地の2", "5-2"},
	    {"東京都中央区八丁堀二丁目3-4", "2-3-4"},
	    {"東京都台東区三ノ輪一丁目2番3号", "1-2-3"},
	    {"新宿区百人町三丁目１－２　ハイツ１０２", "3-1-2-102"}, /* full-width */
	    {"新宿区新宿6ー27ー30", "6-27-30"},			     /* 長音 as dash */
	    {"新宿区西新宿", ""},
	    {"大阪府大阪市中央区上町A-7", "A7"},	 /* a letter for a 丁目 */
	    {"神奈川県横須賀市光の丘YRP野比5-1", "5-1"}, /* letters in a town name */
	};
	for (size_t i = 0; i < sizeof W / sizeof W[0]; i++) {
		char out[DOC_CB_EXTRACT_MAX];
		assert_int_equal(doc_custbarcode_extract(W[i].address, out, sizeof out), ERR_OK);
		if (strcmp(out, W[i].number) != 0)
			fail_msg("%s: got %s, want %s", W[i].address, out, W[i].number);
	}
}

static void text_of(const char *pc, const char *addr, char *out, size_t n)
{
	struct doc_custbarcode bc;
	assert_int_equal(doc_custbarcode_encode(pc, addr, &bc), ERR_OK);
	assert_int_equal(doc_custbarcode_text(&bc, out, n), ERR_OK);
}

/* Whole barcodes: the manual's check digits (p17/p21: 9) and cut examples (p20). */
static void test_encode_published(void **state)
{
	(void)state;
	char t[128];
	text_of("100-0013", "東京都千代田区霞が関1丁目3番2号　郵便プラザ503室", t, sizeof t);
	assert_string_equal(t, "STC 1 0 0 0 0 1 3 1 - 3 - 2 - 5 0 3 CC4 CC4 CC4 CC4 9 SPC");
	/* p20 1: 20 places reached on a number; the rest is cut. */
	text_of("064-0804", "札幌市中央区南四条西29丁目1524-23　第2郵便ハウス501", t, sizeof t);
	assert_string_equal(t, "STC 0 6 4 0 8 0 4 2 9 - 1 5 2 4 - 2 3 - 2 - 3 SPC");
	/* p20 2: a letter's control code on the 20th place stays without its digit (the manual
	 * shows no check digit here: 23 + 38 + 20 + 13 + 11 = 105 ≡ 10, so 9). */
	text_of("9100067", "福井県福井市新田塚3丁目80-25　J1ビル2-B", t, sizeof t);
	assert_string_equal(t, "STC 9 1 0 0 0 6 7 3 - 8 0 - 2 5 CC1 9 1 - 2 CC1 9 SPC");
	/* p20: 6-7-14-2 padded with five CC4; the check digit 11 is written CC1. */
	text_of("3170055", "茨城県日立市宮田町6丁目7-14　ABCビル2F", t, sizeof t);
	assert_string_equal(t, "STC 3 1 7 0 0 5 5 6 - 7 - 1 4 - 2 CC4 CC4 CC4 CC4 CC4 CC1 SPC");
	/* A numeric overflow: 6-3454-5-6-1108 keeps its first 13 places. */
	text_of("2280024", "神奈川県座間市入谷6丁目3454-5　郵便ハイツ6-1108", t, sizeof t);
	assert_string_equal(t, "STC 2 2 8 0 0 2 4 6 - 3 4 5 4 - 5 - 6 - 1 1 2 SPC");
	/* The CLI's example (issue 15). 11 + 38 + 6 × 14 = 133 = 7 × 19: check digit 0. */
	text_of("1600022", "新宿区新宿6丁目27番30号", t, sizeof t);
	assert_string_equal(t, "STC 1 6 0 0 0 2 2 6 - 2 7 - 3 0 CC4 CC4 CC4 CC4 CC4 CC4 0 SPC");
	/* Letters: A-J CC1, K-T CC2, U-Z CC3 followed by a digit. */
	struct doc_custbarcode bc;
	assert_int_equal(doc_custbarcode_encode("1234567", "1K-2U", &bc), ERR_OK);
	assert_string_equal(bc.number, "1K2U"); /* no hyphen next to a letter */
	assert_int_equal(bc.chars[8], 1);
	assert_int_equal(bc.chars[9], DOC_CB_CC1 + 1);
	assert_int_equal(bc.chars[10], 0);
	assert_int_equal(bc.chars[11], 2);
	assert_int_equal(bc.chars[12], DOC_CB_CC1 + 2);
	assert_int_equal(bc.chars[13], 0);
	assert_int_equal(bc.chars[14], DOC_CB_CC4);
	unsigned sum = 0;
	for (int i = 1; i <= DOC_CB_DATA + 1; i++)
		sum += bc.chars[i];
	assert_int_equal(sum % 19, 0);
}

/* The PDF manual's p.6 examples as bars; the bars cross-checked with zint's rendering of the
 * same examples (zint backend/tests/test_postal.c). */
static void test_bars_published(void **state)
{
	(void)state;
	struct doc_custbarcode bc;
	char bars[DOC_CB_BARS + 1];
	/* 〒154-0023 …3-16-4-205: check digit 6 */
	assert_int_equal(doc_custbarcode_encode("1540023", "若林3-16-4-205", &bc), ERR_OK);
	assert_int_equal(doc_custbarcode_bars(&bc, bars, sizeof bars), ERR_OK);
	assert_string_equal(bars, "LD"
				  "LLT"
				  "LTL"
				  "LUD"
				  "LTT"
				  "LTT"
				  "LDU"
				  "DLU"
				  "DLU"
				  "TLT"
				  "LLT"
				  "DUL"
				  "TLT"
				  "LUD"
				  "TLT"
				  "LDU"
				  "LTT"
				  "LTL"
				  "TDU"
				  "TDU"
				  "TDU"
				  "DUL"
				  "DL");
	/* 〒350-1106 …22-1A308: A is CC1 0; check digit 5 */
	assert_int_equal(doc_custbarcode_encode("3501106", "22-1A308", &bc), ERR_OK);
	assert_int_equal(doc_custbarcode_bars(&bc, bars, sizeof bars), ERR_OK);
	assert_string_equal(bars, "LD"
				  "DLU"
				  "LTL"
				  "LTT"
				  "LLT"
				  "LLT"
				  "LTT"
				  "DUL"
				  "LDU"
				  "LDU"
				  "TLT"
				  "LLT"
				  "DUT"
				  "LTT"
				  "DLU"
				  "LTT"
				  "UDL"
				  "TDU"
				  "TDU"
				  "TDU"
				  "TDU"
				  "LTL"
				  "DL");
}

static void test_bad_input(void **state)
{
	(void)state;
	struct doc_custbarcode bc;
	char out[DOC_CB_EXTRACT_MAX];
	const char *bad_pc[] = {NULL,	   "",	       "160002",    "16000222",
				"16O0022", "1600-022", "160-00223", "１６０００２２"};
	for (size_t i = 0; i < sizeof bad_pc / sizeof bad_pc[0]; i++)
		assert_int_equal(doc_custbarcode_encode(bad_pc[i], "1-2-3", &bc), ERR_INVALID);
	assert_int_equal(doc_custbarcode_encode("1600022", NULL, &bc), ERR_INVALID);
	assert_int_equal(doc_custbarcode_encode("1600022",
						"新宿\xff"
						"6-27",
						&bc),
			 ERR_INVALID);
	assert_int_equal(doc_custbarcode_encode("1600022", "\xe6\x96", &bc), ERR_INVALID);
	assert_int_equal(doc_custbarcode_extract("\xc0\xaf", out, sizeof out), ERR_INVALID);
	char big[1100];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(doc_custbarcode_extract(big, out, sizeof out), ERR_INVALID);
	/* Long but valid: a run of numbers is capped, not overrun. */
	char longer[900];
	for (size_t i = 0; i + 3 < sizeof longer; i += 3)
		memcpy(longer + i, "\xe4\xb8\x80", 3); /* 一 */
	longer[(sizeof longer / 3 - 1) * 3] = '\0';
	assert_int_equal(doc_custbarcode_extract(longer, out, sizeof out), ERR_OK);
	memset(longer, '9', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(doc_custbarcode_encode("1600022", longer, &bc), ERR_OK);
	assert_true(strlen(bc.number) < DOC_CB_EXTRACT_MAX);
	assert_int_equal(doc_custbarcode_representative("1600000"), 1);
	assert_int_equal(doc_custbarcode_representative("1600022"), 0);
	/* text into too small a buffer */
	assert_int_equal(doc_custbarcode_encode("1600022", "6-27-30", &bc), ERR_OK);
	assert_int_equal(doc_custbarcode_text(&bc, out, 10), ERR_TOOLARGE);
	assert_string_equal(out, "");
}

/* Draws the barcode at 10 pt into pixels at 600 dpi and reads every bar back from the ink at
 * the top and bottom of the long-bar height; checks the total width (79.8 mm). */
static void test_draw_read_back(void **state)
{
	(void)state;
	struct doc_custbarcode bc;
	char bars[DOC_CB_BARS + 1], got[DOC_CB_BARS + 1];
	assert_int_equal(doc_custbarcode_encode("1600022", "新宿区新宿6丁目27番30号", &bc), ERR_OK);
	assert_int_equal(doc_custbarcode_bars(&bc, bars, sizeof bars), ERR_OK);
	const double scale = 600.0 / 72.0, mm = 72.0 / 25.4, x0 = 10, y0 = 10;
	assert_true(doc_custbarcode_width(10) > 79.7 * mm && doc_custbarcode_width(10) < 79.9 * mm);
	int w = (int)((x0 * 2 + doc_custbarcode_width(10)) * scale) + 1, h = (int)(40 * scale);
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, w, h);
	cairo_t *cr = cairo_create(s);
	cairo_scale(cr, scale, scale);
	assert_int_equal(doc_custbarcode_draw(cr, &bc, x0, y0, 7.9), ERR_INVALID);
	assert_int_equal(doc_custbarcode_draw(cr, &bc, x0, y0, 11.6), ERR_INVALID);
	assert_int_equal(doc_custbarcode_draw(cr, &bc, x0, y0, 10), ERR_OK);
	cairo_surface_flush(s);
	const unsigned char *px = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	for (int i = 0; i < DOC_CB_BARS; i++) {
		double cx = x0 + i * 1.2 * mm + 0.3 * mm;
		int col = (int)(cx * scale);
		int top = (int)((y0 + 0.3 * mm) * scale), mid = (int)((y0 + 1.8 * mm) * scale);
		int bot = (int)((y0 + 3.3 * mm) * scale);
		int t = px[top * stride + col] > 128, m = px[mid * stride + col] > 128;
		int b = px[bot * stride + col] > 128;
		assert_true(m); /* every bar crosses the timing band */
		got[i] = t && b ? 'L' : t ? 'U' : b ? 'D' : 'T';
		/* nothing between bars */
		int gap = (int)((cx + 0.6 * mm) * scale);
		if (i + 1 < DOC_CB_BARS)
			assert_int_equal(px[mid * stride + gap], 0);
	}
	got[DOC_CB_BARS] = '\0';
	assert_string_equal(got, bars);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_extract_published), cmocka_unit_test(test_extract_whole_address),
	    cmocka_unit_test(test_encode_published),  cmocka_unit_test(test_bars_published),
	    cmocka_unit_test(test_bad_input),	      cmocka_unit_test(test_draw_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
