/* SPDX-License-Identifier: MIT */
/* custbarcode.h — Japan Post's customer barcode (カスタマバーコード): the address-display number
 * extracted from an address by Japan Post's rules, the 20 data characters, the check digit, the
 * 67 bars, their text form and their drawing with cairo.
 *
 * Source: 日本郵便「郵便番号・バーコードマニュアル」(post.japanpost.jp/zipcode/zipmanual/):
 * p12 (dimensions, format, 13-character address part, CC4 padding, a letter's control code
 * kept when it falls on the 13th place), p17-p20 (住所A/住所B, the extraction rules and their
 * supplementary rules, the 20-character cut), p21 (check digit: the sum of the character
 * values made a multiple of 19). No Debian package implements the extraction rules (zint, in
 * Debian as libzint, encodes an already extracted string only), so they are written here. */
#ifndef MIMAMORI_DOC_CUSTBARCODE_H
#define MIMAMORI_DOC_CUSTBARCODE_H
#include <cairo.h>
#include <stddef.h>

#include "base/err.h"

/* Character values as the check digit counts them: 0-9 the digits, 10 '-', 11-18 CC1-CC8;
 * the start and stop codes follow (they are not counted). */
enum doc_cb_char {
	DOC_CB_HYPHEN = 10,
	DOC_CB_CC1 = 11,
	DOC_CB_CC4 = 14,
	DOC_CB_CC8 = 18,
	DOC_CB_START = 19,
	DOC_CB_STOP = 20,
};

#define DOC_CB_DATA 20				    /* postcode (7) + address part (13) */
#define DOC_CB_CHARS (DOC_CB_DATA + 3)		    /* start, data, check digit, stop */
#define DOC_CB_BARS (2 + (DOC_CB_DATA + 1) * 3 + 2) /* 67 */
#define DOC_CB_EXTRACT_MAX 64			    /* room for an extracted address number */

/* A barcode: chars[0] is DOC_CB_START, chars[1..20] the data, chars[21] the check digit,
 * chars[22] DOC_CB_STOP. number holds the address-display number as extracted (before the
 * 13-place cut), e.g. "3-20-5B604". */
struct doc_custbarcode {
	unsigned char chars[DOC_CB_CHARS];
	char number[DOC_CB_EXTRACT_MAX];
};

/* Extracts the address-display number (住所表示番号) from address (UTF-8, without the
 * postcode): the whole address with its 方書 ("新宿区新宿6丁目27番30号 ○○ハイツ101") or only
 * what follows the 町域 (住所B). The 住所B is
 * found as the first digit, a lone letter before a number (上町A-7), or the first 漢数字
 * that stands before 丁目/丁/番地/番/号/地割/線
 * (so 四番町, 八丁堀 and 北六条 stay part of the town name); a town name written with digits
 * (札幌の「南1条西」) cannot be told apart and should be passed as 住所B only. Writes the
 * number into out (n bytes; DOC_CB_EXTRACT_MAX is always enough; "" when there is none).
 * Returns ERR_OK, or ERR_INVALID when address is NULL, not UTF-8 or longer than 1,000 bytes. */
enum err doc_custbarcode_extract(const char *address, char *out, size_t n);

/* Builds the barcode of postcode ("1600022" or "160-0022") and address into *bc (the
 * caller's). Returns ERR_OK, or ERR_INVALID when the postcode is not 7 digits or the address
 * is invalid as for doc_custbarcode_extract. */
enum err doc_custbarcode_encode(const char *postcode, const char *address,
				struct doc_custbarcode *bc);

/* Returns 1 when postcode is a representative postcode (its last two digits 00: "以下に掲載
 * がない場合"), for which the manual says no barcode is printed; 0 otherwise. */
int doc_custbarcode_representative(const char *postcode);

/* Writes bc's characters as text into out (n bytes; 128 is always enough), separated by
 * spaces: "STC 1 6 0 0 0 2 2 6 - 2 7 - 3 0 CC4 CC4 CC4 CC4 CC4 CC4 4 SPC" (the check digit
 * as the character it stands for). Returns ERR_OK or ERR_TOOLARGE (out is then ""). */
enum err doc_custbarcode_text(const struct doc_custbarcode *bc, char *out, size_t n);

/* Writes bc's 67 bars into out (n bytes, at least DOC_CB_BARS + 1): 'L' long bar, 'U' semi-long
 * bar up, 'D' semi-long bar down, 'T' timing bar. Returns ERR_OK or ERR_TOOLARGE. */
enum err doc_custbarcode_bars(const struct doc_custbarcode *bc, char *out, size_t n);

/* Draws bc with its left end at x and the top of the long bars at y (PDF points), at size pt
 * (Japan Post allows 8 to 11.5; 10 is the standard: bar pitch 1.2 mm, bar width 0.6 mm, long
 * bar 3.6 mm, timing bar 1.2 mm, all times pt/10). The drawing is 66 pitches + one bar wide
 * (79.8 mm at 10 pt) and one long bar high. Returns ERR_OK or ERR_INVALID for a size out of
 * range. */
enum err doc_custbarcode_draw(cairo_t *cr, const struct doc_custbarcode *bc, double x, double y,
			      double pt);

/* Returns the width in points of a barcode drawn at size pt. */
double doc_custbarcode_width(double pt);

#endif
