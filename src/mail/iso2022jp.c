/* SPDX-License-Identifier: MIT */
/* iso2022jp.c — UTF-8 text as ISO-2022-JP (RFC 1468) through glibc's iconv: RFC 2047 words for
 * headers and 7bit body lines, each word and line starting and ending in ASCII. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/iso2022jp.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

#define WORD_OPEN "=?ISO-2022-JP?B?"
#define WORD_CLOSE "?="
/* An encoded-word is at most 75 characters: 57 are left for base64, whole groups of 4 carry
 * 14 * 3 = 42 bytes. */
#define WORD_BYTES ((75 - (sizeof WORD_OPEN - 1) - (sizeof WORD_CLOSE - 1)) / 4 * 3)
#define LINE_MAX_BYTES 998 /* RFC 5322 2.1.1, without the CRLF */
#define BAD UINT32_MAX

/* Half-width katakana U+FF61..U+FF9D as their full-width forms (NFKC). */
static const uint16_t halfwidth[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7,
    0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8,
    0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB,
    0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD,
    0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1,
    0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF,
    0x30F3,
};

/* The character glibc's JIS X 0208 table has for a CP932 (Windows) or Mac look-alike, or c. */
static uint32_t lookalike(uint32_t c)
{
	switch (c) {
	case 0xFF5E: /* ～ FULLWIDTH TILDE */
		return 0x301C; /* 〜 WAVE DASH */
	case 0x2225: /* ∥ PARALLEL TO */
		return 0x2016; /* ‖ DOUBLE VERTICAL LINE */
	case 0xFF0D: /* － FULLWIDTH HYPHEN-MINUS */
		return 0x2212; /* − MINUS SIGN */
	case 0xFFE0:
		return 0x00A2; /* ¢ */
	case 0xFFE1:
		return 0x00A3; /* £ */
	case 0xFFE2:
		return 0x00AC; /* ¬ */
	case 0x2014: /* — EM DASH (Mac, iPhone) */
		return 0x2015; /* ― HORIZONTAL BAR, JIS X 0208 1-29 in glibc */
	case 0xFF9E:
		return 0x309B; /* ﾞ alone: ゛ */
	case 0xFF9F:
		return 0x309C; /* ﾟ alone: ゜ */
	default:
		break;
	}
	if (c >= 0xFF61 && c <= 0xFF9D)
		return halfwidth[c - 0xFF61];
	return c;
}

/* Full-width katakana k with a dakuten (ﾞ), or 0 when JIS X 0208 has no such character. */
static uint32_t voiced(uint32_t k)
{
	if (k == 0x30A6) /* ウ → ヴ */
		return 0x30F4;
	if ((k >= 0x30AB && k <= 0x30C1 && (k & 1)) ||  /* カ … チ */
	    (k >= 0x30C4 && k <= 0x30C8 && !(k & 1)) || /* ツ テ ト */
	    (k >= 0x30CF && k <= 0x30DB && (k - 0x30CF) % 3 == 0)) /* ハ ヒ フ ヘ ホ */
		return k + 1;
	return 0;
}

/* Full-width katakana k with a handakuten (ﾟ), or 0. */
static uint32_t semivoiced(uint32_t k)
{
	return k >= 0x30CF && k <= 0x30DB && (k - 0x30CF) % 3 == 0 ? k + 2 : 0;
}

/* Decodes the UTF-8 character at *pp and steps past it; BAD for an invalid sequence. */
static uint32_t utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0], min;
	size_t n;
	if (c < 0x80) {
		*pp = p + 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 2, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return BAD;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
			return BAD;
		c = c << 6 | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return BAD;
	*pp = p + n;
	return c;
}

static enum err put_utf8(struct buf *b, uint32_t c)
{
	unsigned char u[4];
	size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	static const unsigned char lead[5] = {0, 0x00, 0xC0, 0xE0, 0xF0};
	for (size_t i = n - 1; i > 0; i--, c >>= 6)
		u[i] = (unsigned char)(0x80 | (c & 0x3F));
	u[0] = (unsigned char)(lead[n] | c);
	return buf_append(b, u, n);
}

/* Writes text into out as UTF-8 that iconv can take to ISO-2022-JP where the meaning allows:
 * look-alikes and half-width katakana mapped (ｶﾞ → ガ), CRLF as LF. ERR_INVALID for invalid
 * UTF-8, a lone CR, or ESC, SO and SI (they would be read as ISO 2022 shifts). */
static enum err jis_map(const char *text, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)text;
	uint32_t pend = 0; /* the last character, held back in case a ﾞ or ﾟ follows */
	enum err e = ERR_OK;
	while (*p && e == ERR_OK) {
		uint32_t c = utf8_next(&p);
		if (c == BAD || c == 0x1B || c == 0x0E || c == 0x0F || (c == '\r' && *p != '\n'))
			return ERR_INVALID;
		if (c == '\r')
			continue;
		uint32_t joined = c == 0xFF9E ? voiced(pend) : c == 0xFF9F ? semivoiced(pend) : 0;
		if (joined) {
			pend = joined;
			continue;
		}
		if (pend)
			e = put_utf8(out, pend);
		pend = lookalike(c);
	}
	if (e == ERR_OK && pend)
		e = put_utf8(out, pend);
	return e;
}

/* Converts text (mapped by jis_map) with iconv into *out (malloc'd: the caller wipes and
 * frees it; NULL on failure) of *n bytes, ending in ASCII. ERR_INVALID when a character has no
 * ISO-2022-JP form. */
static enum err convert(const char *text, char **out, size_t *n)
{
	struct buf u;
	enum err e;
	iconv_t cd = (iconv_t)-1;
	char *j = NULL;
	*out = NULL;
	*n = 0;
	buf_init(&u, MAIL_MESSAGE_MAX);
	e = jis_map(text, &u);
	if (e != ERR_OK)
		goto out;
	cd = iconv_open("ISO-2022-JP", "UTF-8");
	if (cd == (iconv_t)-1) {
		log_warn("mail: iconv cannot write ISO-2022-JP here; sending UTF-8");
		e = ERR_INVALID;
		goto out;
	}
	/* Each input byte makes at most 4 (an ASCII letter after kanji: ESC ( B and itself), then
	 * the final return to ASCII. */
	size_t cap = u.len * 4 + 8;
	j = xmalloc(cap);
	char *ip = u.data, *op = j;
	size_t il = u.len, ol = cap;
	if ((il > 0 && iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) ||
	    iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) {
		/* EILSEQ: not in ISO-2022-JP; E2BIG cannot happen with the room above. */
		e = ERR_INVALID;
		goto out;
	}
	*n = cap - ol;
	*out = j;
	j = NULL;
out:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	if (j) {
		vault_wipe(j, cap);
		free(j);
	}
	if (u.data)
		vault_wipe(u.data, u.len);
	buf_free(&u);
	return e;
}

/* ISO-2022-JP's character sets, in the order of their designations. */
enum jset { SET_ASCII, SET_ROMAN, SET_JIS78, SET_JIS83 };
static const char designation[4][4] = {"\033(B", "\033(J", "\033$@", "\033$B"};

/* One character of the converted text: its set and its 1 or 2 bytes. */
struct jchar {
	enum jset set;
	size_t n;
	unsigned char b[2];
};

/* Reads the next character of iconv's output at *p (before end), following the designations
 * in *set. Returns 1 with *c, 0 at the end, -1 for bytes that are not ISO-2022-JP. */
static int jis_next(const unsigned char **p, const unsigned char *end, enum jset *set,
		    struct jchar *c)
{
	while (*p < end && **p == 0x1B) {
		int found = -1;
		for (int i = 0; i < 4 && end - *p >= 3; i++)
			if (memcmp(*p, designation[i], 3) == 0)
				found = i;
		if (found < 0)
			return -1;
		*set = (enum jset)found;
		*p += 3;
	}
	if (*p == end)
		return 0;
	c->set = *set;
	c->n = *set >= SET_JIS78 ? 2 : 1;
	if ((size_t)(end - *p) < c->n)
		return -1;
	memcpy(c->b, *p, c->n);
	*p += c->n;
	return 1;
}

/* A word or line being written: where to, its length so far and the set it is in. */
struct jline {
	struct buf *out;
	size_t len;
	enum jset set;
};

/* 1 when c and then the return to ASCII still fit in max bytes. */
static int jfits(const struct jline *l, const struct jchar *c, size_t max)
{
	size_t add = (c->set != l->set ? 3 : 0) + c->n + (c->set != SET_ASCII ? 3 : 0);
	return l->len + add <= max;
}

static enum err jput(struct jline *l, const struct jchar *c)
{
	enum err e = ERR_OK;
	if (c->set != l->set) {
		e = buf_append(l->out, designation[c->set], 3);
		l->len += 3;
		l->set = c->set;
	}
	if (e == ERR_OK)
		e = buf_append(l->out, c->b, c->n);
	l->len += c->n;
	return e;
}

/* Ends a word or line back in ASCII (jfits kept room for it). */
static enum err jend(struct jline *l)
{
	enum err e = ERR_OK;
	if (l->set != SET_ASCII)
		e = buf_append(l->out, designation[SET_ASCII], 3);
	l->set = SET_ASCII;
	return e;
}

/* Ends the word held in l (back to ASCII) and appends it to out as an encoded-word, after
 * CRLF SP unless it is the first; l is then empty. */
static enum err put_word(struct buf *out, struct jline *l, int *first)
{
	enum err e = jend(l);
	if (e == ERR_OK && !*first)
		e = buf_puts(out, "\r\n ");
	if (e == ERR_OK)
		e = buf_puts(out, WORD_OPEN);
	if (e == ERR_OK)
		e = mail_mime_base64(out, l->out->data ? l->out->data : "", l->out->len);
	if (e == ERR_OK)
		e = buf_puts(out, WORD_CLOSE);
	if (l->out->data)
		vault_wipe(l->out->data, l->out->len);
	l->out->len = 0;
	l->len = 0;
	*first = 0;
	return e;
}

enum err mail_iso2022jp_words(struct buf *out, const char *text)
{
	char *jis = NULL;
	size_t n = 0;
	struct buf w;
	struct jline l = {&w, 0, SET_ASCII};
	struct jchar c;
	int first = 1, r = 0;
	/* The first word shares its line with the header name. */
	size_t limit = mail_mime_first_word_bytes(out, sizeof WORD_OPEN - 1 + sizeof WORD_CLOSE - 1,
						  WORD_BYTES);
	buf_init(&w, WORD_BYTES);
	enum err e = convert(text, &jis, &n);
	const unsigned char *p = (const unsigned char *)jis, *end = p + n;
	enum jset set = SET_ASCII;
	while (e == ERR_OK && (r = jis_next(&p, end, &set, &c)) > 0) {
		if (!jfits(&l, &c, first ? limit : WORD_BYTES))
			e = put_word(out, &l, &first);
		if (e == ERR_OK)
			e = jput(&l, &c);
	}
	if (e == ERR_OK && r < 0)
		e = ERR_INVALID;
	/* The last word; an empty text still gets one (empty) word. */
	if (e == ERR_OK && (l.len > 0 || first))
		e = put_word(out, &l, &first);
	if (w.data)
		vault_wipe(w.data, w.len);
	buf_free(&w);
	if (jis) {
		vault_wipe(jis, n);
		free(jis);
	}
	return e;
}

enum err mail_iso2022jp_body(struct buf *out, const char *body)
{
	char *jis = NULL;
	size_t n = 0;
	struct jline l = {out, 0, SET_ASCII};
	struct jchar c;
	int r = 0;
	enum err e = convert(body, &jis, &n);
	const unsigned char *p = (const unsigned char *)jis, *end = p + n;
	enum jset set = SET_ASCII;
	while (e == ERR_OK && (r = jis_next(&p, end, &set, &c)) > 0) {
		int newline = c.set <= SET_ROMAN && c.b[0] == '\n';
		/* A line end, or a line that would pass 998 bytes: back to ASCII and CRLF. */
		if (newline || !jfits(&l, &c, LINE_MAX_BYTES)) {
			e = jend(&l);
			if (e == ERR_OK)
				e = buf_puts(out, "\r\n");
			l.len = 0;
		}
		if (e == ERR_OK && !newline)
			e = jput(&l, &c);
	}
	if (e == ERR_OK && r < 0)
		e = ERR_INVALID;
	if (e == ERR_OK && l.len > 0) {
		e = jend(&l);
		if (e == ERR_OK)
			e = buf_puts(out, "\r\n");
	}
	if (jis) {
		vault_wipe(jis, n);
		free(jis);
	}
	return e;
}
