/* SPDX-License-Identifier: MIT */
/* window_letter_pdf.h — cover letters (送付状) for 長3 window envelopes: A4 portrait folded in
 * three, the addressee in the window (〒, address and 方書, the customer barcode, name + 様),
 * the sender and the date in 和暦, a title, paragraphs, a boxed table and notes; many letters
 * streamed into one PDF.
 *
 * The window. A 長3 envelope is 120 × 235 mm; an A4 sheet folded in three (99 mm panels) lies in
 * it with its top panel behind the front. Sourced: Japan Post requires an address window of at
 * least 45 × 80 mm (郵便規則 as envelope makers quote it, service.imura.co.jp「窓について」,
 * which also notes the rules fix no position; makers keep a film window 10 mm or more from
 * the envelope's edges). Not sourced, our choice: the window of ready-made 長3 window
 * envelopes is commonly 90 × 45 mm near the top-left corner; we print into the rectangle
 * x 20 mm, y 15 mm, 90 × 45 mm of the page (DOC_WINDOW_*), keep 4 mm inside it on the left and
 * 3 mm at the top so that the sheet may slide a few millimetres in the envelope, and mark the
 * folds at 99 and 198 mm. Check these four figures against the ward's envelope stock before
 * the first mailing; they are the only place to change. The customer barcode at the standard
 * 10 pt is 79.8 mm wide, which fits the 82 mm left inside the window. */
#ifndef MIMAMORI_DOC_WINDOW_LETTER_PDF_H
#define MIMAMORI_DOC_WINDOW_LETTER_PDF_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "doc/letter_pdf.h"

/* The window rectangle on the page, in millimetres from the top-left corner of the A4 sheet. */
#define DOC_WINDOW_X_MM 20.0
#define DOC_WINDOW_Y_MM 15.0
#define DOC_WINDOW_W_MM 90.0
#define DOC_WINDOW_H_MM 45.0

/* One letter. Strings are UTF-8 and stay the caller's; NULL or "" leaves an optional part out. */
struct doc_window_letter {
	const char *postcode; /* required: "1600022" or "160-0022", printed 〒160-0022 */
	const char *address;  /* required: 東京都新宿区新宿6丁目27番30号 */
	const char *katagaki; /* 方書: ○○ハイツ101号 */
	const char *name;     /* required: printed with 様 */
	int barcode;	      /* 1: the customer barcode under the address (not for a
			       * representative postcode, xxx-xx00, as the manual says) */
	const char *sender;   /* top right, lines separated by '\n' */
	int year, month, day; /* the date, written in 和暦 (令和8年3月23日, 元年 for year 1) */
	const char *ref;      /* small, top right above the date: 整理番号 R8-000123 */
	const char *title;				       /* required */
	const char *paragraphs[DOC_LETTER_MAX_PARAGRAPHS];     /* NULL-terminated when fewer */
	struct doc_letter_field fields[DOC_LETTER_MAX_FIELDS]; /* label NULL ends them */
	const char *notes[DOC_LETTER_MAX_PARAGRAPHS];	       /* small print at the bottom */
};

struct doc_window_pdf;

/* Starts a PDF written to the file path (created or truncated), its metadata title title.
 * Sets *out to a writer that doc_window_pdf_close finishes and frees. Returns ERR_OK,
 * ERR_INVALID (NULL or non-UTF-8 arguments) or ERR_IO. */
enum err doc_window_pdf_open(const char *path, const char *title, struct doc_window_pdf **out);

/* The same, appending the PDF to buf (the caller's; its cap bounds the PDF: ERR_TOOLARGE at
 * close when passed). */
enum err doc_window_pdf_open_buf(struct buf *buf, const char *title, struct doc_window_pdf **out);

/* Adds L as the next page. Returns ERR_OK; ERR_INVALID when a required part is missing, a
 * string is not UTF-8, the postcode is not 7 digits, the date is not a real date after 明治
 * or the addressee does not fit the window (the page is then not added and the writer stays
 * usable); ERR_IO after a failed write, ERR_TOOLARGE past a buffer's cap (the writer is then
 * only good for doc_window_pdf_close). */
enum err doc_window_pdf_add(struct doc_window_pdf *w, const struct doc_window_letter *L);

/* Returns the number of pages added so far. */
size_t doc_window_pdf_pages(const struct doc_window_pdf *w);

/* Finishes the PDF and frees w (NULL is a no-op, ERR_OK). Returns ERR_OK, ERR_IO, or
 * ERR_TOOLARGE past a buffer's cap. A PDF without pages is still a valid file of one empty
 * page (cairo's), so callers with nothing to send should not open one. */
enum err doc_window_pdf_close(struct doc_window_pdf *w);

#endif
