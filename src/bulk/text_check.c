/* SPDX-License-Identifier: MIT */
/* text_check.c — pure text checks of a bulk message: the shape of subject and body, the
 * phone-number detector, and the space/case folding a service uses to find its registered
 * names and addresses in a message. No storage, no keys: unit-tested on their own. */
#include "bulk/bulk.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Decodes the UTF-8 code point at s into *cp; returns its length in bytes (1 for a stray
 * byte, which then stands for itself). The input comes from jansson, so it is valid UTF-8. */
static size_t utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0 && (u[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
		return 2;
	}
	if ((u[0] & 0xf0) == 0xe0 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) |
		      (u[2] & 0x3f);
		return 3;
	}
	if ((u[0] & 0xf8) == 0xf0 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
	    (u[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3f) << 12) |
		      ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
		return 4;
	}
	*cp = u[0];
	return 1;
}

size_t bulk_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

const char *bulk_shape_check(const char *subject, const char *body)
{
	size_t ns = bulk_chars(subject), nb = bulk_chars(body);
	if (ns < 1 || ns > BULK_SUBJECT_MAX)
		return "件名は1〜100文字で入力してください。";
	if (strpbrk(subject, "\r\n"))
		return "件名は1行で入力してください（改行は使えません）。";
	if (nb < 1 || nb > BULK_BODY_MAX)
		return "本文は1〜4000文字で入力してください。";
	return NULL;
}

/* The digit value of cp (ASCII or full-width), or -1. */
static int digit_of(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0xff10 && cp <= 0xff19)
		return (int)(cp - 0xff10);
	return -1;
}

/* Returns 1 for characters people put between the groups of a phone number: hyphens of every
 * kind (including the long-vowel mark typed by mistake), spaces, dots and brackets. */
static int phone_sep(uint32_t cp)
{
	switch (cp) {
	case '-': case ' ': case '.': case '(': case ')':
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
	case 0x2212: case 0x3000: case 0x30fc: case 0xff0d: case 0xff70:
	case 0xff08: case 0xff09: case 0xff0e:
		return 1;
	default:
		return 0;
	}
}

/* Counts the digits of the number starting at s (digits with at most two separator
 * characters between groups); *first is the first digit. Stops after 13 digits. */
static size_t phone_digits(const char *s, int *first)
{
	size_t n = 0, seps = 0;
	*first = -1;
	while (*s && n <= 12) {
		uint32_t cp;
		size_t len = utf8_next(s, &cp);
		int d = digit_of(cp);
		if (d >= 0) {
			if (n == 0)
				*first = d;
			n++;
			seps = 0;
		} else if (n > 0 && phone_sep(cp) && ++seps <= 2) {
			/* a separator between groups */
		} else {
			break;
		}
		s += len;
	}
	return n;
}

int bulk_has_phone(const char *text)
{
	int prev_digit = 0;
	const char *s = text;
	while (*s) {
		uint32_t cp;
		size_t len = utf8_next(s, &cp);
		int d = digit_of(cp);
		if (d >= 0 && !prev_digit) {
			/* Japanese numbers: 0 + 9 or 10 more digits (0x-xxxx-xxxx, 090-xxxx-xxxx,
			 * 0120-xxx-xxx). */
			int first;
			size_t n = phone_digits(s, &first);
			if (first == 0 && n >= 10 && n <= 11)
				return 1;
		} else if (cp == '+' || cp == 0xff0b) {
			/* International form: +81 then the number without its leading 0. */
			int first;
			size_t n = phone_digits(s + len, &first);
			const char *p = s + len;
			uint32_t c1, c2;
			size_t l1 = utf8_next(p, &c1);
			utf8_next(p + l1, &c2);
			if (digit_of(c1) == 8 && digit_of(c2) == 1 && n >= 11 && n <= 12)
				return 1;
		}
		prev_digit = d >= 0;
		s += len;
	}
	return 0;
}

size_t bulk_fold(char *s)
{
	char *w = s;
	const char *r = s;
	size_t chars = 0;
	while (*r) {
		uint32_t cp;
		size_t len = utf8_next(r, &cp);
		if (cp == ' ' || cp == '\t' || cp == 0x3000) {
			r += len;
			continue;
		}
		if (len == 1 && cp >= 'A' && cp <= 'Z') {
			*w++ = (char)(cp - 'A' + 'a');
			r++;
		} else {
			memmove(w, r, len);
			w += len;
			r += len;
		}
		chars++;
	}
	*w = '\0';
	return chars;
}

int bulk_has_name(const char *folded_text, char *name)
{
	size_t chars = bulk_fold(name);
	if (chars < 2)
		return 0;
	return strstr(folded_text, name) != NULL;
}
