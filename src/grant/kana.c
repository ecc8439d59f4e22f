/* SPDX-License-Identifier: MIT */
/* kana.c — names into the 全銀 half-width katakana set and single-byte Shift_JIS. */
#include "grant/kana.h"

#include <stdint.h>
#include <string.h>

static const char WHY_KANJI[] = "口座名義はカタカナで入力してください（漢字は使えません）";
static const char WHY_DOT[] =
    "口座名義に中黒「・」は使えません（スペースかピリオド「.」にしてください）";
static const char WHY_OTHER[] = "口座名義に使えない文字があります（使えるのはカナ・英大文字・数字・"
				"スペースと記号 ( ) - . / , 「」 です）";
static const char WHY_CONTROL[] = "口座名義に改行やタブは使えません";
static const char WHY_UTF8[] = "口座名義の文字コードが正しくありません（UTF-8 ではありません）";
static const char WHY_EMPTY[] = "口座名義が入力されていません";
static const char WHY_LONG[] = "口座名義が長すぎます";

/* Full-width katakana U+30A1-U+30FA as 全銀 half-width katakana: small kana large, ヰヱ as ｲｴ,
 * voiced kana as base + mark. */
static const char *const KATAKANA[] = {
    "ｱ",  "ｱ",	"ｲ",  "ｲ",  "ｳ",  "ｳ",	"ｴ",  "ｴ",  "ｵ",  "ｵ", /* ァア ィイ ゥウ ェエ ォオ */
    "ｶ",  "ｶﾞ", "ｷ",  "ｷﾞ", "ｸ",  "ｸﾞ", "ｹ",  "ｹﾞ", "ｺ",  "ｺﾞ", /* カガ … コゴ */
    "ｻ",  "ｻﾞ", "ｼ",  "ｼﾞ", "ｽ",  "ｽﾞ", "ｾ",  "ｾﾞ", "ｿ",  "ｿﾞ", /* サザ … ソゾ */
    "ﾀ",  "ﾀﾞ", "ﾁ",  "ﾁﾞ", "ﾂ",  "ﾂ",	"ﾂﾞ", "ﾃ",  "ﾃﾞ", "ﾄ", /* タダ チヂ ッツヅ テデ ト */
    "ﾄﾞ", "ﾅ",	"ﾆ",  "ﾇ",  "ﾈ",  "ﾉ",			       /* ド ナニヌネノ */
    "ﾊ",  "ﾊﾞ", "ﾊﾟ", "ﾋ",  "ﾋﾞ", "ﾋﾟ", "ﾌ",  "ﾌﾞ", "ﾌﾟ",      /* ハバパ ヒビピ フブプ */
    "ﾍ",  "ﾍﾞ", "ﾍﾟ", "ﾎ",  "ﾎﾞ", "ﾎﾟ",			       /* ヘベペ ホボポ */
    "ﾏ",  "ﾐ",	"ﾑ",  "ﾒ",  "ﾓ",			       /* マミムメモ */
    "ﾔ",  "ﾔ",	"ﾕ",  "ﾕ",  "ﾖ",  "ﾖ",			       /* ャヤ ュユ ョヨ */
    "ﾗ",  "ﾘ",	"ﾙ",  "ﾚ",  "ﾛ",			       /* ラリルレロ */
    "ﾜ",  "ﾜ",	"ｲ",  "ｴ",  "ｦ",  "ﾝ",			       /* ヮワ ヰヱ ヲ ン */
    "ｳﾞ", "ｶ",	"ｹ",  "ﾜﾞ", "ｲﾞ", "ｴﾞ", "ｦﾞ",		       /* ヴ ヵヶ ヷヸヹヺ */
};
#define KATAKANA_FIRST 0x30A1u
#define KATAKANA_LAST 0x30FAu
_Static_assert(sizeof KATAKANA / sizeof KATAKANA[0] == KATAKANA_LAST - KATAKANA_FIRST + 1,
	       "one entry per katakana U+30A1-U+30FA");

/* Decodes one UTF-8 character at *p (strict: no overlongs, surrogates or > U+10FFFF).
 * Returns its code point and advances *p, or returns UINT32_MAX for bad UTF-8. */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t cp;
	int len;
	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		cp = s[0] & 0x1F;
		len = 2;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		cp = s[0] & 0x0F;
		len = 3;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		cp = s[0] & 0x07;
		len = 4;
	} else {
		return UINT32_MAX;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return UINT32_MAX;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return UINT32_MAX;
	*p = s + len;
	return cp;
}

/* Writes cp (< U+10000) as UTF-8 at out[*len], if it fits in n - 1 bytes. Returns 0, or -1 when
 * it does not fit. */
static int put_cp(char *out, size_t n, size_t *len, uint32_t cp)
{
	unsigned char b[3];
	size_t k;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 2;
	} else {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 3;
	}
	if (*len + k >= n)
		return -1;
	memcpy(out + *len, b, k);
	*len += k;
	return 0;
}

static int put_str(char *out, size_t n, size_t *len, const char *s)
{
	size_t k = strlen(s);
	if (*len + k >= n)
		return -1;
	memcpy(out + *len, s, k);
	*len += k;
	return 0;
}

static int is_kanji(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF) || cp == 0x3005 ||
	       cp == 0x3006 || cp == 0x3007; /* 々 〆 〇 */
}

/* The 全銀 ASCII characters, c already upper-cased. */
static int zengin_ascii(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '(' ||
	       c == ')' || c == '-' || c == '.' || c == '/' || c == ',';
}

/* Maps cp to the 全銀 half-width form: a code point in *hw (ASCII or U+FF61-U+FF9F), or a
 * string in *hs (voiced kana). Returns NULL on success, or the reason it is refused. */
static const char *map_char(uint32_t cp, uint32_t *hw, const char **hs)
{
	*hs = NULL;
	*hw = 0;
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	if (cp >= 0xFF21 && cp <= 0xFF3A) /* Ａ-Ｚ */
		cp = 'A' + (cp - 0xFF21);
	else if (cp >= 0xFF41 && cp <= 0xFF5A) /* ａ-ｚ */
		cp = 'A' + (cp - 0xFF41);
	else if (cp >= 0xFF10 && cp <= 0xFF19) /* ０-９ */
		cp = '0' + (cp - 0xFF10);
	if (cp >= 0x3041 && cp <= 0x3096) /* hiragana as katakana */
		cp += 0x60;
	if (cp < 0x80) {
		if (cp < 0x20 || cp == 0x7F)
			return WHY_CONTROL;
		if (!zengin_ascii(cp))
			return WHY_OTHER;
		*hw = cp;
		return NULL;
	}
	if (cp >= KATAKANA_FIRST && cp <= KATAKANA_LAST) {
		*hs = KATAKANA[cp - KATAKANA_FIRST];
		return NULL;
	}
	if (cp >= 0xFF66 && cp <= 0xFF9F) { /* half-width ｦ-ﾟ */
		static const uint32_t LARGE[] = {0xFF71, 0xFF72, 0xFF73, 0xFF74, 0xFF75,
						 0xFF94, 0xFF95, 0xFF96, 0xFF82}; /* ｧ-ｯ */
		if (cp >= 0xFF67 && cp <= 0xFF6F)
			*hw = LARGE[cp - 0xFF67];
		else if (cp == 0xFF70) /* ｰ */
			*hw = '-';
		else
			*hw = cp;
		return NULL;
	}
	switch (cp) {
	case 0x3000: /* ideographic space */
		*hw = ' ';
		return NULL;
	case 0x30FC: /* ー */
	case 0xFF0D: /* － */
	case 0x2010: /* ‐ */
	case 0x2011: /* non-breaking hyphen */
	case 0x2212: /* − */
		*hw = '-';
		return NULL;
	case 0xFF08:
		*hw = '(';
		return NULL;
	case 0xFF09:
		*hw = ')';
		return NULL;
	case 0xFF0E:
		*hw = '.';
		return NULL;
	case 0xFF0F:
		*hw = '/';
		return NULL;
	case 0xFF0C:
		*hw = ',';
		return NULL;
	case 0x300C: /* 「 */
	case 0xFF62:
		*hw = 0xFF62;
		return NULL;
	case 0x300D: /* 」 */
	case 0xFF63:
		*hw = 0xFF63;
		return NULL;
	case 0x3099: /* combining and separate voiced marks */
	case 0x309B:
		*hw = 0xFF9E;
		return NULL;
	case 0x309A:
	case 0x309C:
		*hw = 0xFF9F;
		return NULL;
	case 0x30FB: /* ・ */
	case 0xFF65: /* ･ */
		return WHY_DOT;
	default:
		break;
	}
	if (cp < 0xA0)
		return WHY_CONTROL;
	if (is_kanji(cp))
		return WHY_KANJI;
	return WHY_OTHER;
}

enum err grant_kana_to_zengin(const char *utf8, char *out, size_t n, const char **why)
{
	const unsigned char *p = (const unsigned char *)utf8;
	const char *reason = NULL;
	enum err e = ERR_INVALID;
	size_t len = 0;
	int visible = 0;
	if (n == 0) {
		reason = WHY_LONG;
		e = ERR_TOOLARGE;
		goto out;
	}
	while (*p) {
		uint32_t cp = utf8_next(&p), hw;
		const char *hs;
		int full;
		if (cp == UINT32_MAX) {
			reason = WHY_UTF8;
			goto out;
		}
		reason = map_char(cp, &hw, &hs);
		if (reason)
			goto out;
		full = hs ? put_str(out, n, &len, hs) : put_cp(out, n, &len, hw);
		if (full < 0) {
			reason = WHY_LONG;
			e = ERR_TOOLARGE;
			goto out;
		}
		if (hs || hw != ' ')
			visible = 1;
	}
	if (!visible) {
		reason = WHY_EMPTY;
		goto out;
	}
	out[len] = '\0';
	e = ERR_OK;
out:
	if (e != ERR_OK) {
		if (n > 0)
			out[0] = '\0';
		if (why)
			*why = reason;
	}
	return e;
}

/* Returns the single-byte Shift_JIS byte of cp, or -1 when it has none. */
static int sjis_byte(uint32_t cp)
{
	if (cp >= 0x20 && cp <= 0x7E)
		return (int)cp;
	if (cp >= 0xFF61 && cp <= 0xFF9F)
		return (int)(0xA1 + (cp - 0xFF61));
	return -1;
}

size_t grant_kana_width(const char *halfwidth_utf8)
{
	const unsigned char *p = (const unsigned char *)halfwidth_utf8;
	size_t w = 0;
	while (*p) {
		uint32_t cp = utf8_next(&p);
		if (cp == UINT32_MAX || sjis_byte(cp) < 0)
			return SIZE_MAX;
		w++;
	}
	return w;
}

enum err grant_zengin_sjis(const char *halfwidth_utf8, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)halfwidth_utf8;
	enum err e = ERR_INVALID;
	size_t len = 0;
	while (*p) {
		uint32_t cp = utf8_next(&p);
		int b = cp == UINT32_MAX ? -1 : sjis_byte(cp);
		if (b < 0)
			goto out;
		if (len + 1 >= n) {
			e = ERR_TOOLARGE;
			goto out;
		}
		out[len++] = (char)b;
	}
	if (n == 0) {
		e = ERR_TOOLARGE;
		goto out;
	}
	out[len] = '\0';
	e = ERR_OK;
out:
	if (e != ERR_OK && n > 0)
		out[0] = '\0';
	return e;
}

enum err grant_zengin_from_sjis(const char *sjis, size_t len, char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)sjis;
	enum err e = ERR_INVALID;
	size_t o = 0;
	if (n == 0)
		return ERR_TOOLARGE;
	for (size_t i = 0; i < len; i++) {
		uint32_t cp;
		if (s[i] >= 0x20 && s[i] <= 0x7E)
			cp = s[i];
		else if (s[i] >= 0xA1 && s[i] <= 0xDF)
			cp = 0xFF61 + (uint32_t)(s[i] - 0xA1);
		else
			goto out;
		if (put_cp(out, n, &o, cp) < 0) {
			e = ERR_TOOLARGE;
			goto out;
		}
	}
	out[o] = '\0';
	e = ERR_OK;
out:
	if (e != ERR_OK)
		out[0] = '\0';
	return e;
}
