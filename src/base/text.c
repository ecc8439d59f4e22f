/* SPDX-License-Identifier: MIT */
/* text.c — text field checks: a line (valid UTF-8, no control characters, not blank, short)
 * and a note of several lines. */
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int text_line_why(const char *s, size_t max, const char *label, char *why, size_t n)
{
	switch (s ? text_line_check(s, max) : TEXT_EMPTY) {
	case TEXT_OK:
		return 0;
	case TEXT_EMPTY:
		snprintf(why, n, "%sを入力してください。", label);
		break;
	case TEXT_CONTROL:
		snprintf(why, n, "%sは1行で入力してください（改行は使えません）。", label);
		break;
	case TEXT_BAD_UTF8:
		snprintf(why, n, "%sの文字が正しくありません。入力し直してください。", label);
		break;
	case TEXT_TOO_LONG:
		snprintf(why, n, "%sを%zu文字以内で入力してください。", label, max);
		break;
	}
	return -1;
}

enum text_problem text_line_check(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	int visible = 0;
	for (; *p; n++) {
		unsigned cp;
		int len;
		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			len = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			len = 3;
		} else if ((*p & 0xF8) == 0xF0) {
			cp = *p & 0x07;
			len = 4;
		} else {
			return TEXT_BAD_UTF8;
		}
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return TEXT_BAD_UTF8;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += len;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			return TEXT_CONTROL;
		if (cp != ' ' && cp != 0x3000)
			visible = 1;
	}
	if (n == 0 || !visible)
		return TEXT_EMPTY;
	return n > max ? TEXT_TOO_LONG : TEXT_OK;
}

int text_note_ok(const char *s, size_t max_bytes)
{
	if (!s || !*s)
		return 0;
	size_t n = strlen(s);
	if (n > max_bytes)
		return 0;
	/* lines of a note: each break read as a space, the rest checked as one line */
	char *copy = malloc(n + 1);
	if (!copy)
		return 0;
	for (size_t i = 0; i <= n; i++)
		copy[i] = s[i] == '\n' ? ' ' : s[i];
	int ok = text_line_check(copy, n) == TEXT_OK;
	free(copy);
	return ok;
}

void text_fold_spaces(const char *s, char *out, size_t n)
{
	size_t at = 0;
	if (!n)
		return;
	for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
		size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
		if (*p == ' ' || (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)) {
			p += *p == ' ' ? 1 : 3;
			continue;
		}
		if (strnlen((const char *)p, len) < len || at + len + 1 > n)
			break;
		memcpy(out + at, p, len);
		at += len;
		p += len;
	}
	out[at] = '\0';
}

int text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p, need, min, cp;
		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			need = 1, min = 0x80, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2, min = 0x800, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		/* no overlong form, no surrogate, nothing past U+10FFFF */
		if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		p += need + 1;
	}
	return 1;
}

size_t text_utf8_next(const unsigned char *s, unsigned *cp)
{
	if (!*s)
		return 0;
	if (*s < 0x80) {
		*cp = *s;
		return 1;
	}
	if ((*s & 0xE0) == 0xC0 && s[1]) {
		*cp = ((unsigned)(*s & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((*s & 0xF0) == 0xE0 && s[1] && s[2]) {
		*cp =
		    ((unsigned)(*s & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	if (s[1] && s[2] && s[3]) {
		*cp = ((unsigned)(*s & 0x07) << 18) | ((unsigned)(s[1] & 0x3F) << 12) |
		      ((unsigned)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

/* Appends code point cp to out (n bytes, *at used); stops quietly when full. */
static void utf8_put(char *out, size_t n, size_t *at, unsigned cp)
{
	char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (*at + k + 1 > n)
		return;
	memcpy(out + *at, b, k);
	*at += k;
	out[*at] = '\0';
}

size_t text_kana_fold(const char *in, char *out, size_t n)
{
	size_t at = 0, chars = 0, k;
	unsigned cp;
	if (n)
		out[0] = '\0';
	for (const unsigned char *s = (const unsigned char *)in; (k = text_utf8_next(s, &cp)); s += k) {
		if (cp == ' ' || cp == 0x3000)
			continue;
		if (cp >= 0x3041 && cp <= 0x3096)
			cp += 0x60; /* ひらがな → カタカナ */
		size_t before = at;
		utf8_put(out, n, &at, cp);
		if (at == before)
			break;
		chars++;
	}
	return chars;
}

int text_is_kana(const char *s)
{
	size_t k, kana = 0;
	unsigned cp;
	for (const unsigned char *p = (const unsigned char *)s; (k = text_utf8_next(p, &cp)); p += k) {
		if (cp == ' ' || cp == 0x3000)
			continue;
		if (!((cp >= 0x3041 && cp <= 0x309F) || (cp >= 0x30A0 && cp <= 0x30FF)))
			return 0;
		kana++;
	}
	return kana > 0;
}

const char *text_wait_ja(int64_t wait_ms, char *out, size_t n)
{
	long long s = (long long)((wait_ms + 999) / 1000);
	if (s < 1)
		s = 1;
	if (s < 60)
		snprintf(out, n, "%lld秒後", s);
	else
		snprintf(out, n, "約%lld分後", (s + 59) / 60);
	return out;
}
