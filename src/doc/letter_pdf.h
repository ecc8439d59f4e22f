/* SPDX-License-Identifier: MIT */
/* letter_pdf.h — printed letters (A4, one page each) to hand out: who sends it, to whom, a
 * title, paragraphs, a boxed table of what to copy (an address, a code), a QR code of a URI
 * with its caption, and notes — e.g. a school's registration letter for its mass mail. */
#ifndef MIMAMORI_DOC_LETTER_PDF_H
#define MIMAMORI_DOC_LETTER_PDF_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* A row of the boxed table: label (left) and value (right, set large and monospaced when
 * mono is 1 so that a code is copied exactly). */
struct doc_letter_field {
	const char *label;
	const char *value;
	int mono;
};

#define DOC_LETTER_MAX_PARAGRAPHS 12
#define DOC_LETTER_MAX_FIELDS 8

/* One letter. Strings are UTF-8 and stay the caller's; NULL or "" leaves a part out (title
 * required). */
struct doc_letter {
	const char *recipient; /* top left: 保護者の皆様 */
	const char *date;      /* top right: 令和8年4月1日 */
	const char *sender;    /* top right under the date: 桜台区立あおば小学校 */
	const char *title;
	const char *paragraphs[DOC_LETTER_MAX_PARAGRAPHS]; /* NULL-terminated when fewer */
	struct doc_letter_field fields[DOC_LETTER_MAX_FIELDS]; /* label NULL ends them */
	const char *qr;	       /* text of a QR code (a mailto: URI), or NULL */
	const char *qr_caption; /* beside the QR code */
	const char *notes[DOC_LETTER_MAX_PARAGRAPHS]; /* small print at the bottom */
};

/* Appends a PDF of the n letters (one A4 page each) to out. Text is set with pango in
 * IPAexGothic (round-trips through text extraction). Returns ERR_OK; ERR_INVALID when n is 0,
 * a title is missing, a string is not UTF-8 or the QR text does not fit a QR code;
 * ERR_TOOLARGE past out's cap; ERR_IO. */
enum err doc_letter_pdf_buf(const struct doc_letter *letters, size_t n, struct buf *out);

#endif
