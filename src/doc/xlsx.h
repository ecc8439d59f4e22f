/* SPDX-License-Identifier: MIT */
/* xlsx.h — small spreadsheet workbooks (libxlsxwriter): named sheets of text and number cells,
 * produced in memory for downloads. */
#ifndef MIMAMORI_DOC_XLSX_H
#define MIMAMORI_DOC_XLSX_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct doc_xlsx; /* a workbook being written */

enum doc_xlsx_style {
	DOC_XLSX_PLAIN,
	DOC_XLSX_BOLD,	/* headings */
	DOC_XLSX_HOURS, /* number as 0.00 */
	DOC_XLSX_TITLE, /* larger bold */
};

/* Starts a workbook whose scratch files (libxlsxwriter's and the result before it is read
 * back) go under tmpdir; they are removed by doc_xlsx_finish/doc_xlsx_free. Returns ERR_OK
 * with *out (free with doc_xlsx_finish or doc_xlsx_free), or ERR_IO. */
enum err doc_xlsx_new(const char *tmpdir, struct doc_xlsx **out);
/* Adds a sheet named name (UTF-8, at most 31 characters, none of []:*?/\, unique); later cells
 * go there. Returns ERR_OK or ERR_INVALID. */
enum err doc_xlsx_sheet(struct doc_xlsx *x, const char *name);
/* Writes text s (UTF-8, copied; NULL or "" leaves the cell empty) at row, col of the current
 * sheet. Text is always a string cell, never a formula. */
void doc_xlsx_str(struct doc_xlsx *x, unsigned row, unsigned col, const char *s,
		  enum doc_xlsx_style style);
/* Writes number v at row, col of the current sheet. */
void doc_xlsx_num(struct doc_xlsx *x, unsigned row, unsigned col, double v,
		  enum doc_xlsx_style style);
/* Sets the width (in characters) of column col of the current sheet. */
void doc_xlsx_width(struct doc_xlsx *x, unsigned col, double width);
/* Closes the workbook and appends the .xlsx bytes to out; frees x in every case. Returns
 * ERR_OK, ERR_INVALID when a cell was refused, ERR_TOOLARGE past out's cap, or ERR_IO. */
enum err doc_xlsx_finish(struct doc_xlsx *x, struct buf *out);
/* Abandons a workbook, removing its files; NULL is a no-op. */
void doc_xlsx_free(struct doc_xlsx *x);

#endif
