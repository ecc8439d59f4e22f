/* SPDX-License-Identifier: MIT */
/* custbarcode.c — Japan Post's customer barcode: extraction rules, check digit, bars, drawing. */
#include "doc/custbarcode.h"

#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MM (72.0 / 25.4)
#define ADDR_MAX_BYTES 1000
#define ADDR_PLACES 13

/* The three bars of each character value 0-18 (zipmanual p11): L long, U semi-long up,
 * D semi-long down, T timing. */
static const char *const BARS[19] = {
    "LTT", "LLT", "LDU", "DLU", "LUD", "LTL", "DUL", "ULD", "UDL", "TLL", /* 0-9 */
    "TLT",								  /* - */
    "DUT", "DTU", "UDT", "TDU", "UTD", "TUD", "TTL", "LLL",		  /* CC1-CC8 */
};
static const char START_BARS[] = "LD";
static const char STOP_BARS[] = "DL";

/* ---- extraction ---- */

static int kanji_digit(uint32_t c)
{
	static const uint32_t d[10] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
				       0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D}; /* 〇一…九 */
	for (int i = 0; i < 10; i++)
		if (c == d[i])
			return i;
	return -1;
}

/* 十 百 千 as 10, 100, 1000; 0 for anything else. */
static int kanji_mult(uint32_t c)
{
	return c == 0x5341 ? 10 : c == 0x767E ? 100 : c == 0x5343 ? 1000 : 0;
}

static int is_kanji_num(uint32_t c)
{
	return kanji_digit(c) >= 0 || kanji_mult(c) > 0;
}

/* Maps what the rules treat alike: full-width to ASCII, lower to upper case, the dash family
 * to '-'. Returns 0 for the characters the rules remove (& / ・ .). */
static uint32_t normalise(uint32_t c)
{
	if (c >= 0xFF10 && c <= 0xFF19)
		c = '0' + (c - 0xFF10);
	else if (c >= 0xFF21 && c <= 0xFF3A)
		c = 'A' + (c - 0xFF21);
	else if (c >= 0xFF41 && c <= 0xFF5A)
		c = 'A' + (c - 0xFF41);
	if (c >= 'a' && c <= 'z')
		c = c - 'a' + 'A';
	switch (c) {
	case '&':
	case '/':
	case '.':
	case 0x30FB:
	case 0xFF06:
	case 0xFF0F:
	case 0xFF0E:
	case 0xFF65:
		return 0;
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212:
	case 0xFF0D:
	case 0x30FC:
	case 0xFF70:
	case 0x2500:
		return '-';
	default:
		return c;
	}
}

static int is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(uint32_t c)
{
	return c >= 'A' && c <= 'Z';
}

/* The characters 漢数字 are converted before (supplementary rule 1). Returns the length of
 * the unit at cp[i] (丁目 counts 2), or 0. */
static size_t unit_at(const uint32_t *cp, size_t n, size_t i)
{
	if (i >= n)
		return 0;
	uint32_t c = cp[i], d = i + 1 < n ? cp[i + 1] : 0;
	if ((c == 0x4E01 && d == 0x76EE) || (c == 0x756A && d == 0x5730) ||
	    (c == 0x5730 && d == 0x5272)) /* 丁目 番地 地割 */
		return 2;
	if (c == 0x4E01 || c == 0x756A || c == 0x53F7 || c == 0x7DDA || c == 0x306E ||
	    c == 0x30CE) /* 丁 番 号 線 の ノ */
		return 1;
	return 0;
}

/* Whether a 漢数字 run at [i, j) followed by its unit starts the 住所B: 丁目/番地/号/地割
 * always; 丁/番/線 only when a number, a separator or the end follows (not 四番町, 八丁堀);
 * の/ノ only before a number (not 三ノ輪). */
static int starts_number(const uint32_t *cp, size_t n, size_t j)
{
	size_t u = unit_at(cp, n, j);
	if (u == 0)
		return 0;
	uint32_t c = cp[j];
	if (u == 2 || c == 0x53F7)
		return 1;
	uint32_t next = j + 1 < n ? cp[j + 1] : 0;
	int numeric = is_digit(next) || is_kanji_num(next);
	if (c == 0x306E || c == 0x30CE)
		return numeric;
	return next == 0 || numeric || next == ' ' || next == 0x3000 || next == '-' ||
	       next == 0x306E || next == 0x30CE;
}

static size_t kanji_run_end(const uint32_t *cp, size_t n, size_t i)
{
	while (i < n && is_kanji_num(cp[i]))
		i++;
	return i;
}

/* Writes the value of the 漢数字 run [i, j) as decimal digits ("二〇一" 201, "二十一" 21). */
static int kanji_value(const uint32_t *cp, size_t i, size_t j, char *out, size_t n)
{
	int positional = 1;
	for (size_t k = i; k < j; k++)
		if (kanji_mult(cp[k]))
			positional = 0;
	if (positional) {
		size_t w = 0;
		for (size_t k = i; k < j && w + 1 < n; k++)
			out[w++] = (char)('0' + kanji_digit(cp[k]));
		out[w] = '\0';
		return (int)w;
	}
	long total = 0, cur = 0;
	for (size_t k = i; k < j; k++) {
		int m = kanji_mult(cp[k]);
		if (m) {
			total += (cur ? cur : 1) * m;
			cur = 0;
		} else {
			cur = cur * 10 + kanji_digit(cp[k]);
		}
	}
	return snprintf(out, n, "%ld", total + cur);
}

struct emit {
	char s[DOC_CB_EXTRACT_MAX];
	size_t len;
};

static void put(struct emit *e, char c)
{
	if (e->len + 1 < sizeof e->s)
		e->s[e->len++] = c;
	e->s[e->len] = '\0';
}

/* Basic rules 5 and 6 and the supplementary rule on letters: one hyphen for a run, none at
 * either end, none next to a letter. */
static void tidy(struct emit *e, char *out, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < e->len && w + 1 < n; i++) {
		char c = e->s[i];
		if (c == '-') {
			char prev = w ? out[w - 1] : 0, next = 0;
			size_t k = i;
			while (k < e->len && e->s[k] == '-')
				k++;
			next = k < e->len ? e->s[k] : 0;
			i = k - 1;
			if (!prev || !next || is_upper((uint32_t)prev) || is_upper((uint32_t)next))
				continue;
		}
		out[w++] = c;
	}
	out[w] = '\0';
}

enum err doc_custbarcode_extract(const char *address, char *out, size_t n)
{
	uint32_t cp[ADDR_MAX_BYTES];
	size_t len = 0, start;
	struct emit e = {{0}, 0};
	if (!out || n == 0)
		return ERR_INVALID;
	out[0] = '\0';
	if (!address || strlen(address) > ADDR_MAX_BYTES || !g_utf8_validate(address, -1, NULL))
		return ERR_INVALID;
	for (const char *p = address; *p; p = g_utf8_next_char(p)) {
		uint32_t c = normalise(g_utf8_get_char(p));
		if (c)
			cp[len++] = c;
	}
	/* Where the 住所B begins. */
	for (start = 0; start < len; start++) {
		if (is_digit(cp[start]))
			break;
		/* A lone letter before a number or at the end: 上町A-7 (a letter for a 丁目). */
		if (is_upper(cp[start]) && (start == 0 || !is_upper(cp[start - 1]))) {
			uint32_t next = start + 1 < len ? cp[start + 1] : 0;
			if (next == 0 || is_digit(next) || next == '-')
				break;
		}
		if (is_kanji_num(cp[start])) {
			size_t j = kanji_run_end(cp, len, start);
			if (starts_number(cp, len, j))
				break;
			start = j - 1;
		}
	}
	for (size_t i = start; i < len; i++) {
		uint32_t c = cp[i];
		if (is_digit(c)) {
			put(&e, (char)c);
		} else if (is_kanji_num(c)) {
			size_t j = kanji_run_end(cp, len, i);
			if (unit_at(cp, len, j)) {
				char num[24];
				kanji_value(cp, i, j, num, sizeof num);
				for (char *q = num; *q; q++)
					put(&e, *q);
			} else {
				put(&e, '-');
			}
			i = j - 1;
		} else if (is_upper(c)) {
			size_t j = i;
			while (j < len && is_upper(cp[j]))
				j++;
			/* One letter is kept, except F after a digit (a floor, 2F); two or more
			 * in a row are a name. */
			if (j - i == 1 && !(c == 'F' && i > start && is_digit(cp[i - 1])))
				put(&e, (char)c);
			else
				put(&e, '-');
			i = j - 1;
		} else {
			put(&e, '-');
		}
	}
	tidy(&e, out, n);
	return ERR_OK;
}

/* ---- encoding ---- */

static int postcode_digits(const char *pc, unsigned char d[7])
{
	size_t k = 0;
	if (!pc)
		return 0;
	for (size_t i = 0; pc[i]; i++) {
		if (pc[i] == '-' && i == 3 && k == 3)
			continue;
		if (!is_digit((uint32_t)(unsigned char)pc[i]) || k == 7)
			return 0;
		d[k++] = (unsigned char)(pc[i] - '0');
	}
	return k == 7;
}

int doc_custbarcode_representative(const char *postcode)
{
	unsigned char d[7];
	return postcode_digits(postcode, d) && d[5] == 0 && d[6] == 0;
}

enum err doc_custbarcode_encode(const char *postcode, const char *address,
				struct doc_custbarcode *bc)
{
	unsigned char d[7];
	if (!bc)
		return ERR_INVALID;
	memset(bc, 0, sizeof *bc);
	if (!postcode_digits(postcode, d))
		return ERR_INVALID;
	enum err e = doc_custbarcode_extract(address, bc->number, sizeof bc->number);
	if (e != ERR_OK)
		return e;
	unsigned char *data = bc->chars + 1;
	size_t k = 0;
	memcpy(data, d, 7);
	k = 7;
	for (const char *p = bc->number; *p && k < DOC_CB_DATA; p++) {
		if (is_digit((uint32_t)*p)) {
			data[k++] = (unsigned char)(*p - '0');
		} else if (*p == '-') {
			data[k++] = DOC_CB_HYPHEN;
		} else {
			int v = *p - 'A';
			data[k++] = (unsigned char)(DOC_CB_CC1 + v / 10);
			/* A letter's control code on the last place stays alone (p12). */
			if (k < DOC_CB_DATA)
				data[k++] = (unsigned char)(v % 10);
		}
	}
	while (k < DOC_CB_DATA)
		data[k++] = DOC_CB_CC4;
	unsigned sum = 0;
	for (size_t i = 0; i < DOC_CB_DATA; i++)
		sum += data[i];
	bc->chars[0] = DOC_CB_START;
	bc->chars[DOC_CB_DATA + 1] = (unsigned char)((19 - sum % 19) % 19);
	bc->chars[DOC_CB_DATA + 2] = DOC_CB_STOP;
	return ERR_OK;
}

static const char *char_name(unsigned char v, char tmp[4])
{
	assert(v <= DOC_CB_STOP);
	if (v <= 9) {
		tmp[0] = (char)('0' + v);
		tmp[1] = '\0';
		return tmp;
	}
	if (v == DOC_CB_HYPHEN)
		return "-";
	if (v == DOC_CB_START)
		return "STC";
	if (v == DOC_CB_STOP)
		return "SPC";
	tmp[0] = 'C';
	tmp[1] = 'C';
	tmp[2] = (char)('1' + (v - DOC_CB_CC1));
	tmp[3] = '\0';
	return tmp;
}

enum err doc_custbarcode_text(const struct doc_custbarcode *bc, char *out, size_t n)
{
	size_t w = 0;
	if (!out || n == 0)
		return ERR_TOOLARGE;
	out[0] = '\0';
	for (size_t i = 0; i < DOC_CB_CHARS; i++) {
		char tmp[4];
		const char *s = char_name(bc->chars[i], tmp);
		int r = snprintf(out + w, n - w, "%s%s", i ? " " : "", s);
		if (r < 0 || (size_t)r >= n - w) {
			out[0] = '\0';
			return ERR_TOOLARGE;
		}
		w += (size_t)r;
	}
	return ERR_OK;
}

enum err doc_custbarcode_bars(const struct doc_custbarcode *bc, char *out, size_t n)
{
	if (!out || n < DOC_CB_BARS + 1)
		return ERR_TOOLARGE;
	size_t w = 0;
	memcpy(out + w, START_BARS, 2);
	w += 2;
	for (size_t i = 1; i <= DOC_CB_DATA + 1; i++) {
		assert(bc->chars[i] <= DOC_CB_CC8);
		memcpy(out + w, BARS[bc->chars[i]], 3);
		w += 3;
	}
	memcpy(out + w, STOP_BARS, 2);
	w += 2;
	out[w] = '\0';
	return ERR_OK;
}

double doc_custbarcode_width(double pt)
{
	double a = pt / 10.0;
	return ((DOC_CB_BARS - 1) * 1.2 + 0.6) * a * MM;
}

enum err doc_custbarcode_draw(cairo_t *cr, const struct doc_custbarcode *bc, double x, double y,
			      double pt)
{
	char bars[DOC_CB_BARS + 1];
	if (pt < 8.0 || pt > 11.5 || doc_custbarcode_bars(bc, bars, sizeof bars) != ERR_OK)
		return ERR_INVALID;
	double a = pt / 10.0;
	double pitch = 1.2 * a * MM, width = 0.6 * a * MM;
	double lng = 3.6 * a * MM, timing = 1.2 * a * MM;
	double mid_top = (lng - timing) / 2; /* the timing bar's band sits in the middle */
	for (size_t i = 0; i < DOC_CB_BARS; i++) {
		double top = y, h = lng;
		switch (bars[i]) {
		case 'U':
			h = mid_top + timing;
			break;
		case 'D':
			top = y + mid_top;
			h = lng - mid_top;
			break;
		case 'T':
			top = y + mid_top;
			h = timing;
			break;
		default:
			break;
		}
		cairo_rectangle(cr, x + (double)i * pitch, top, width, h);
	}
	cairo_fill(cr);
	return ERR_OK;
}
