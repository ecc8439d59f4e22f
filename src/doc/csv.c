/* SPDX-License-Identifier: MIT */
/* csv.c — RFC 4180 CSV reader with UTF-8/CP932 detection for roster imports. */
#include "doc/csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

static void set_msg(char *errmsg, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_msg(char *errmsg, size_t errlen, const char *fmt, ...)
{
	if (!errmsg || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, errlen, fmt, ap);
	va_end(ap);
}

/* Returns true if p[0..len) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static bool utf8_valid(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/*
 * Converts CP932 to UTF-8. Returns ERR_OK with *out (malloc'd, NUL-terminated, caller
 * frees) and *outlen, or ERR_INVALID with a message.
 */
static enum err cp932_to_utf8(const char *data, size_t len, char **out, size_t *outlen,
			      char *errmsg, size_t errlen)
{
	enum err e = ERR_OK;
	char *dst = NULL;
	iconv_t cd = iconv_open("UTF-8", "CP932");
	if (cd == (iconv_t)-1) {
		set_msg(errmsg, errlen, "UTF-8 ではなく、CP932（Shift_JIS）からの変換も使えません");
		return ERR_INVALID;
	}
	/* CP932 uses 1 or 2 bytes per character; UTF-8 at most 3 for every CP932 character. */
	size_t cap = len * 3 + 4;
	dst = xmalloc(cap);
	char *in = (char *)data;
	size_t inleft = len;
	char *o = dst;
	size_t oleft = cap - 1;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		size_t off = (size_t)(in - data);
		if (errno == E2BIG)
			set_msg(errmsg, errlen, "CP932（Shift_JIS）からの変換で %zu バイト目があふれました", off);
		else
			set_msg(errmsg, errlen,
				"UTF-8 でも CP932（Shift_JIS）でもないファイルです（%zu バイト目に"
				"読めない文字があります）。UTF-8 か CP932 で保存し直してください",
				off);
		e = ERR_INVALID;
		goto out;
	}
	*o = '\0';
	*outlen = (size_t)(o - dst);
	*out = dst;
	dst = NULL;
out:
	free(dst);
	iconv_close(cd);
	return e;
}

/* Row under construction: field texts back to back, each NUL-terminated. */
struct rowbuild {
	struct buf text;
	size_t *offs; /* start of each field in text */
	size_t nfields;
	size_t capfields;
	size_t fieldlen; /* bytes in the field being read */
};

static void row_start_field(struct rowbuild *r)
{
	if (r->nfields == r->capfields) {
		r->capfields = r->capfields ? r->capfields * 2 : 16;
		r->offs = xrealloc(r->offs, r->capfields * sizeof *r->offs);
	}
	r->offs[r->nfields++] = r->text.len;
	r->fieldlen = 0;
}

static void row_reset(struct rowbuild *r)
{
	r->text.len = 0;
	r->nfields = 0;
	r->fieldlen = 0;
}

/* Hands the row being built to a new doc_csv_row (one allocation: pointers then text). */
static void row_finish(struct rowbuild *r, struct doc_csv_row *dst, size_t line)
{
	size_t ptrs = r->nfields * sizeof(char *);
	char **fields = xmalloc(ptrs + r->text.len);
	char *text = (char *)fields + ptrs;
	memcpy(text, r->text.data, r->text.len);
	for (size_t i = 0; i < r->nfields; i++)
		fields[i] = text + r->offs[i];
	dst->line = line;
	dst->nfields = r->nfields;
	dst->fields = fields;
}

static enum err parse_utf8(const char *p, size_t len, struct doc_csv *csv, char *errmsg,
			   size_t errlen)
{
	enum err e = ERR_OK;
	struct rowbuild r = {0};
	size_t caprows = 0;
	size_t cells = 0;
	size_t line = 1;      /* physical line at p[i] */
	size_t rowline = 1;   /* physical line where the current row began */
	size_t quoteline = 0; /* line where an open quote began */
	bool inrow = false, quoted = false, afterquote = false;
	size_t i = 0;

	/* Text of a row is bounded by the field cap times the field count. */
	buf_init(&r.text, (size_t)DOC_CSV_MAX_FIELD * DOC_CSV_MAX_FIELDS_PER_ROW +
			      DOC_CSV_MAX_FIELDS_PER_ROW);

	while (i <= len) {
		bool eof = i == len;
		char c = eof ? '\0' : p[i];

		if (!eof && c == '\0') {
			set_msg(errmsg, errlen, "%zu行目: ファイルに NUL 文字が含まれています", line);
			e = ERR_INVALID;
			goto out;
		}
		if (!inrow) {
			if (eof)
				break;
			/* Skip completely empty lines. */
			if (c == '\n' || c == '\r') {
				if (c == '\r' && i + 1 < len && p[i + 1] == '\n')
					i++;
				i++;
				line++;
				continue;
			}
			inrow = true;
			rowline = line;
			row_reset(&r);
			row_start_field(&r);
			quoted = afterquote = false;
		}
		if (quoted) {
			if (eof) {
				set_msg(errmsg, errlen,
					"%zu行目: ここで始まった引用符（\"）が閉じられていません",
					quoteline);
				e = ERR_INVALID;
				goto out;
			}
			if (c == '"') {
				if (i + 1 < len && p[i + 1] == '"') {
					i++; /* "" → " */
				} else {
					quoted = false;
					afterquote = true;
					i++;
					continue;
				}
			} else if (c == '\n' || (c == '\r' && !(i + 1 < len && p[i + 1] == '\n'))) {
				line++;
			}
			if (++r.fieldlen > DOC_CSV_MAX_FIELD) {
				set_msg(errmsg, errlen, "%zu行目: 項目が長すぎます（%u バイトまで）",
					rowline, DOC_CSV_MAX_FIELD);
				e = ERR_TOOLARGE;
				goto out;
			}
			if (buf_append(&r.text, &p[i], 1) != ERR_OK) {
				set_msg(errmsg, errlen, "%zu行目: 行が大きすぎます", rowline);
				e = ERR_TOOLARGE;
				goto out;
			}
			i++;
			continue;
		}
		if (eof || c == ',' || c == '\n' || c == '\r') {
			/* End of field. */
			if (buf_append(&r.text, "", 1) != ERR_OK) {
				set_msg(errmsg, errlen, "%zu行目: 行が大きすぎます", rowline);
				e = ERR_TOOLARGE;
				goto out;
			}
			if (++cells > DOC_CSV_MAX_CELLS) {
				set_msg(errmsg, errlen, "%zu行目: ファイル全体の項目が %u 個を超えています",
					rowline, DOC_CSV_MAX_CELLS);
				e = ERR_TOOLARGE;
				goto out;
			}
			if (c == ',') {
				if (r.nfields >= DOC_CSV_MAX_FIELDS_PER_ROW) {
					set_msg(errmsg, errlen,
						"%zu行目: 1行の項目が %u 個を超えています", rowline,
						DOC_CSV_MAX_FIELDS_PER_ROW);
					e = ERR_TOOLARGE;
					goto out;
				}
				row_start_field(&r);
				afterquote = false;
				i++;
				continue;
			}
			/* End of row. */
			if (csv->nrows == caprows) {
				caprows = caprows ? caprows * 2 : 64;
				csv->rows = xrealloc(csv->rows, caprows * sizeof *csv->rows);
			}
			row_finish(&r, &csv->rows[csv->nrows++], rowline);
			inrow = false;
			if (eof)
				break;
			if (c == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			i++;
			line++;
			continue;
		}
		if (afterquote) {
			set_msg(errmsg, errlen,
				"%zu行目: 閉じた引用符（\"）のあとに文字があります", line);
			e = ERR_INVALID;
			goto out;
		}
		if (c == '"') {
			if (r.fieldlen != 0) {
				set_msg(errmsg, errlen, "%zu行目: 引用符で囲まれていない項目の中に引用符（\"）があります",
					line);
				e = ERR_INVALID;
				goto out;
			}
			quoted = true;
			quoteline = line;
			i++;
			continue;
		}
		if (++r.fieldlen > DOC_CSV_MAX_FIELD) {
			set_msg(errmsg, errlen, "%zu行目: 項目が長すぎます（%u バイトまで）", rowline,
				DOC_CSV_MAX_FIELD);
			e = ERR_TOOLARGE;
			goto out;
		}
		if (buf_append(&r.text, &p[i], 1) != ERR_OK) {
			set_msg(errmsg, errlen, "%zu行目: 行が大きすぎます", rowline);
			e = ERR_TOOLARGE;
			goto out;
		}
		i++;
	}
out:
	buf_free(&r.text);
	free(r.offs);
	return e;
}

/* Frees csv, its rows and their fields; NULL is a no-op (see csv.h). */
void doc_csv_free(struct doc_csv *csv)
{
	if (!csv)
		return;
	for (size_t i = 0; i < csv->nrows; i++)
		free(csv->rows[i].fields);
	free(csv->rows);
	free(csv);
}

/*
 * Parses data[0..len) into a new document the caller frees with doc_csv_free(); on error
 * *out is NULL and errmsg says why (see csv.h for the encodings and caps).
 */
enum err doc_csv_parse(const char *data, size_t len, struct doc_csv **out, char *errmsg,
		       size_t errlen)
{
	enum err e = ERR_OK;
	char *conv = NULL;
	struct doc_csv *csv = NULL;
	const char *p = data;
	size_t plen = len;

	*out = NULL;
	if (errmsg && errlen)
		errmsg[0] = '\0';
	if (len > DOC_CSV_MAX_FILE) {
		set_msg(errmsg, errlen, "ファイルが大きすぎます（%u バイトまで）", DOC_CSV_MAX_FILE);
		return ERR_TOOLARGE;
	}
	if (len && !data)
		return ERR_INVALID;
	csv = xcalloc(1, sizeof *csv);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		p = data + 3;
		plen = len - 3;
		csv->encoding = "UTF-8 (BOM)";
		if (!utf8_valid((const unsigned char *)p, plen)) {
			set_msg(errmsg, errlen,
				"ファイルは UTF-8 の BOM で始まっていますが、UTF-8 として読めません");
			e = ERR_INVALID;
			goto out;
		}
	} else if (utf8_valid((const unsigned char *)data, len)) {
		csv->encoding = "UTF-8";
	} else {
		e = cp932_to_utf8(data, len, &conv, &plen, errmsg, errlen);
		if (e != ERR_OK)
			goto out;
		p = conv;
		csv->encoding = "CP932";
	}
	e = parse_utf8(p, plen, csv, errmsg, errlen);
	if (e != ERR_OK)
		goto out;
	*out = csv;
	csv = NULL;
out:
	doc_csv_free(csv);
	free(conv);
	return e;
}
