/* SPDX-License-Identifier: MIT */
/* table_pdf.h — tables as A4 PDF pages (cairo + pango): sections (each starts a new page) of
 * rows of text and numbers, laid out like the sheets of a workbook, for printable reports. */
#ifndef MIMAMORI_DOC_TABLE_PDF_H
#define MIMAMORI_DOC_TABLE_PDF_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct doc_table_pdf; /* a document being built */

enum doc_table_style {
	DOC_TABLE_PLAIN,
	DOC_TABLE_BOLD,	 /* a heading row; the first one of a section repeats on its next pages */
	DOC_TABLE_TITLE, /* a larger title across the page (its first cell) */
};

#define DOC_TABLE_MAX_COLS 12

/* Starts a document titled title (its metadata and every page's footer; UTF-8, copied).
 * Returns a new document (free with doc_table_pdf_finish or doc_table_pdf_free). */
struct doc_table_pdf *doc_table_pdf_new(const char *title);
/* Starts a section named name (copied; shown in the footer); it begins on a new page. */
void doc_table_pdf_section(struct doc_table_pdf *p, const char *name);
/* Sets the relative widths of the current section's columns (at most DOC_TABLE_MAX_COLS);
 * they are scaled to the page's text width. */
void doc_table_pdf_widths(struct doc_table_pdf *p, const double *widths, size_t n);
/* Adds a row of n cells (copied; NULL or "" is an empty cell) to the current section; numeric[i]
 * (may be NULL) right-aligns cell i. Returns ERR_OK, or ERR_INVALID for text that is not
 * UTF-8 or more than DOC_TABLE_MAX_COLS cells. */
enum err doc_table_pdf_row(struct doc_table_pdf *p, const char *const *cells, const int *numeric,
			   size_t n, enum doc_table_style style);
/* Lays the document out (page numbers "n / N" in each footer), appends the PDF to out and
 * frees p in every case. Returns ERR_OK, ERR_TOOLARGE past out's cap, or ERR_IO. */
enum err doc_table_pdf_finish(struct doc_table_pdf *p, struct buf *out);
/* Abandons a document; NULL is a no-op. */
void doc_table_pdf_free(struct doc_table_pdf *p);

#endif
