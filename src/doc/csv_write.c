/* SPDX-License-Identifier: MIT */
/* csv_write.c — CSV exports: quoting, CRLF, BOM, UTF-8 → CP932 with loss reporting, and cells
 * that a spreadsheet would run as a formula written as text. */
#include "doc/csv_write.h"

#include <errno.h>
#include <glib.h>
#include <iconv.h>
#include <string.h>

#include "base/xalloc.h"

enum err doc_csv_out_init(struct doc_csv_out *w, enum doc_csv_enc enc, size_t max)
{
	memset(w, 0, sizeof *w);
	w->enc = enc;
	buf_init(&w->out, max);
	if (enc == DOC_CSV_CP932) {
		iconv_t cd = iconv_open("CP932", "UTF-8");
		if (cd == (iconv_t)-1)
			return ERR_IO;
		w->cd = cd;
		return ERR_OK;
	}
	return buf_append(&w->out, "\xef\xbb\xbf", 3);
}

static int needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* 1 when s is a plain decimal number such as -3 or +1.25 (a spreadsheet reads it as a number,
 * never a formula). */
static int plain_number(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t digits = strspn(p, "0123456789");
	if (digits == 0)
		return 0;
	p += digits;
	if (*p == '.') {
		size_t frac = strspn(p + 1, "0123456789");
		if (frac == 0)
			return 0;
		p += 1 + frac;
	}
	return *p == '\0';
}

/* 1 when a spreadsheet opening the file would take s as a formula (OWASP's CSV injection
 * rule: a cell beginning with =, +, -, @, tab or CR; also their full-width forms, which
 * Japanese Excel turns into formulas as well), unless s is a plain number. */
static int formula_like(const char *s)
{
	static const char *const wide[] = {"\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d",
					   "\xef\xbc\xa0"}; /* ＝ ＋ － ＠ */
	if (*s && strchr("=+-@\t\r", *s))
		return !plain_number(s);
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (strncmp(s, wide[i], 3) == 0)
			return 1;
	return 0;
}

/* Appends s as UTF-8 to b (quote-doubling done by the caller). */
static enum err put_utf8(struct buf *b, const char *s, size_t len)
{
	return buf_append(b, s, len);
}

/* Converts s (len bytes of valid UTF-8) to CP932 onto b; a character CP932 lacks becomes 〓
 * and sets *lost. Shapes that differ only by mapping table (WAVE DASH and friends, which
 * Windows maps to their full-width forms) are mapped as Windows does, not counted as lost. */
static enum err put_cp932(iconv_t cd, struct buf *b, const char *s, size_t len, int *lost)
{
	static const struct {
		const char *from, *to;
	} windows_forms[] = {
	    {"\xe3\x80\x9c", "\xef\xbd\x9e"}, /* 〜 U+301C → ～ U+FF5E */
	    {"\xe2\x80\x96", "\xe2\x88\xa5"}, /* ‖ U+2016 → ∥ U+2225 */
	    {"\xe2\x88\x92", "\xef\xbc\x8d"}, /* − U+2212 → － U+FF0D */
	    {"\xc2\xa2", "\xef\xbf\xa0"},     /* ¢ → ￠ */
	    {"\xc2\xa3", "\xef\xbf\xa1"},     /* £ → ￡ */
	    {"\xc2\xac", "\xef\xbf\xa2"},     /* ¬ → ￢ */
	};
	const char *p = s, *end = s + len;
	enum err e = ERR_OK;
	iconv(cd, NULL, NULL, NULL, NULL);
	while (p < end && e == ERR_OK) {
		/* One character at a time keeps the loss accounting exact and simple. */
		const char *next = g_utf8_next_char(p);
		size_t clen = (size_t)(next - p);
		const char *src = p;
		for (size_t i = 0; i < sizeof windows_forms / sizeof windows_forms[0]; i++) {
			if (strlen(windows_forms[i].from) == clen &&
			    memcmp(p, windows_forms[i].from, clen) == 0) {
				src = windows_forms[i].to;
				clen = strlen(src);
				break;
			}
		}
		char in[8], outb[16];
		memcpy(in, src, clen);
		char *ip = in, *op = outb;
		size_t il = clen, ol = sizeof outb;
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
			iconv(cd, NULL, NULL, NULL, NULL);
			*lost = 1;
			e = buf_append(b, DOC_CSV_CP932_SUBST, 2);
		} else {
			e = buf_append(b, outb, sizeof outb - ol);
		}
		p = next;
	}
	return e;
}

static enum err put(struct doc_csv_out *w, const char *s, size_t len, int *lost)
{
	if (w->enc == DOC_CSV_CP932)
		return put_cp932((iconv_t)w->cd, &w->out, s, len, lost);
	return put_utf8(&w->out, s, len);
}

enum err doc_csv_out_row(struct doc_csv_out *w, const char *const *fields, size_t n, int *lossy)
{
	size_t mark = w->out.len;
	int lost = 0;
	enum err e = ERR_OK;
	for (size_t i = 0; i < n; i++) {
		if (fields[i] && !g_utf8_validate(fields[i], -1, NULL)) {
			e = ERR_INVALID;
			goto out;
		}
	}
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		const char *f = fields[i] ? fields[i] : "";
		if (i > 0)
			e = buf_append(&w->out, ",", 1);
		if (e != ERR_OK)
			break;
		/* A leading apostrophe keeps the value readable and makes it text. */
		const char *guard = formula_like(f) ? "'" : "";
		if (!needs_quotes(f)) {
			e = buf_puts(&w->out, guard);
			if (e == ERR_OK)
				e = put(w, f, strlen(f), &lost);
			continue;
		}
		e = buf_append(&w->out, "\"", 1);
		if (e == ERR_OK)
			e = buf_puts(&w->out, guard);
		const char *p = f;
		while (e == ERR_OK && *p) {
			const char *q = strchr(p, '"');
			size_t len = q ? (size_t)(q - p) + 1 : strlen(p);
			e = put(w, p, len, &lost);
			if (e == ERR_OK && q)
				e = buf_append(&w->out, "\"", 1); /* "" inside quotes */
			p += len;
		}
		if (e == ERR_OK)
			e = buf_append(&w->out, "\"", 1);
	}
	if (e == ERR_OK)
		e = buf_append(&w->out, "\r\n", 2);
out:
	if (e != ERR_OK) {
		/* Leave the file as it was before this record. */
		w->out.len = mark;
		if (w->out.data)
			w->out.data[mark] = '\0';
		return e;
	}
	w->rows++;
	if (lost)
		w->lossy_rows++;
	if (lossy)
		*lossy = lost;
	return ERR_OK;
}

void doc_csv_out_free(struct doc_csv_out *w)
{
	if (w->cd)
		iconv_close((iconv_t)w->cd);
	w->cd = NULL;
	buf_free(&w->out);
}
