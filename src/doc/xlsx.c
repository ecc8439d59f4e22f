/* SPDX-License-Identifier: MIT */
/* xlsx.c — workbooks through libxlsxwriter, written to a private scratch file and read back. */
#include "doc/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/xalloc.h"

struct doc_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *fmt[4];
	char *path;
	char *tmpdir;
	int failed;
};

enum err doc_xlsx_new(const char *tmpdir, struct doc_xlsx **out)
{
	struct doc_xlsx *x = xcalloc(1, sizeof *x);
	size_t n = strlen(tmpdir) + 32;
	x->path = xmalloc(n);
	snprintf(x->path, n, "%s/.export-XXXXXX", tmpdir);
	x->tmpdir = xstrdup(tmpdir);
	int fd = mkstemp(x->path);
	if (fd < 0) {
		free(x->path);
		free(x->tmpdir);
		free(x);
		return ERR_IO;
	}
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = x->tmpdir};
	x->wb = workbook_new_opt(x->path, &opt);
	if (!x->wb) {
		doc_xlsx_free(x);
		return ERR_IO;
	}
	x->fmt[DOC_XLSX_PLAIN] = NULL;
	x->fmt[DOC_XLSX_BOLD] = workbook_add_format(x->wb);
	format_set_bold(x->fmt[DOC_XLSX_BOLD]);
	x->fmt[DOC_XLSX_HOURS] = workbook_add_format(x->wb);
	format_set_num_format(x->fmt[DOC_XLSX_HOURS], "0.00");
	x->fmt[DOC_XLSX_TITLE] = workbook_add_format(x->wb);
	format_set_bold(x->fmt[DOC_XLSX_TITLE]);
	format_set_font_size(x->fmt[DOC_XLSX_TITLE], 14);
	*out = x;
	return ERR_OK;
}

enum err doc_xlsx_sheet(struct doc_xlsx *x, const char *name)
{
	if (workbook_validate_sheet_name(x->wb, name) != LXW_NO_ERROR)
		return ERR_INVALID;
	x->ws = workbook_add_worksheet(x->wb, name);
	return x->ws ? ERR_OK : ERR_INVALID;
}

void doc_xlsx_str(struct doc_xlsx *x, unsigned row, unsigned col, const char *s,
		  enum doc_xlsx_style style)
{
	if (!x->ws || !s || !*s)
		return;
	if (worksheet_write_string(x->ws, row, (lxw_col_t)col, s, x->fmt[style]) != LXW_NO_ERROR)
		x->failed = 1;
}

void doc_xlsx_num(struct doc_xlsx *x, unsigned row, unsigned col, double v,
		  enum doc_xlsx_style style)
{
	if (!x->ws)
		return;
	if (worksheet_write_number(x->ws, row, (lxw_col_t)col, v, x->fmt[style]) != LXW_NO_ERROR)
		x->failed = 1;
}

void doc_xlsx_width(struct doc_xlsx *x, unsigned col, double width)
{
	if (x->ws)
		worksheet_set_column(x->ws, (lxw_col_t)col, (lxw_col_t)col, width, NULL);
}

static enum err slurp(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	enum err e = ERR_OK;
	char chunk[65536];
	if (!f)
		return ERR_IO;
	for (;;) {
		size_t r = fread(chunk, 1, sizeof chunk, f);
		if (r)
			e = buf_append(out, chunk, r);
		if (e != ERR_OK)
			break;
		if (r < sizeof chunk)
			break;
	}
	if (e == ERR_OK && ferror(f))
		e = ERR_IO;
	fclose(f);
	return e;
}

enum err doc_xlsx_finish(struct doc_xlsx *x, struct buf *out)
{
	enum err e = ERR_OK;
	if (!x->ws)
		doc_xlsx_sheet(x, "Sheet1"); /* a workbook needs one sheet */
	lxw_error le = workbook_close(x->wb);
	x->wb = NULL;
	if (x->failed)
		e = ERR_INVALID;
	else if (le != LXW_NO_ERROR)
		e = ERR_IO;
	else
		e = slurp(x->path, out);
	doc_xlsx_free(x);
	return e;
}

void doc_xlsx_free(struct doc_xlsx *x)
{
	if (!x)
		return;
	if (x->wb)
		workbook_close(x->wb); /* frees it; the file is removed below */
	unlink(x->path);
	free(x->path);
	free(x->tmpdir);
	free(x);
}
