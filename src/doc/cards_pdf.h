/* SPDX-License-Identifier: MIT */
/* cards_pdf.h — A4 sheets of business-card-size QR entry cards (2 x 5 per page). */
#ifndef MIMAMORI_DOC_CARDS_PDF_H
#define MIMAMORI_DOC_CARDS_PDF_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* One card. All strings are UTF-8 and stay owned by the caller. */
struct doc_card {
	const char *child_name; /* printed exactly as given; required */
	const char *child_kana; /* printed small above the name; NULL or "" for none */
	const char *site_name;	/* NULL or "" for none */
	const char *child_no;	/* NULL or "" for none */
	const char *code;	/* encoded in the QR code; required, non-empty */
};

#define DOC_CARDS_PER_PAGE 10

/*
 * Writes an A4 PDF to path with n cards (91 x 55 mm, 2 columns x 5 rows per page, crop
 * marks in the margins; more pages as needed). Text is set with pango in IPAexGothic, so
 * names round-trip exactly through text extraction. Nothing is retained; the caller owns
 * cards. Returns ERR_OK; ERR_INVALID if n is 0, a required field is missing, a string is
 * not valid UTF-8 or a code is too long for a QR code; ERR_IO if the file cannot be
 * written (a partial file is removed).
 */
enum err doc_cards_pdf(const char *path, const struct doc_card *cards, size_t n);

/* As doc_cards_pdf, appending the PDF to out instead of writing a file (ERR_TOOLARGE past
 * out's cap). */
enum err doc_cards_pdf_buf(const struct doc_card *cards, size_t n, struct buf *out);

#endif
