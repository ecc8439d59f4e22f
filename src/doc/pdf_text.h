/* SPDX-License-Identifier: MIT */
/* pdf_text.h — the document layer's text setting for its PDFs (internal to src/doc): pango
 * layouts kept per style and reused page after page, and a letter's boxed table of fields. */
#ifndef MIMAMORI_DOC_PDF_TEXT_H
#define MIMAMORI_DOC_PDF_TEXT_H
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stddef.h>

#include "doc/letter_pdf.h"

#define DOC_FONT "IPAexGothic, Noto Sans CJK JP"
#define DOC_MONO "IPAexGothic, Noto Sans Mono CJK JP, monospace"
#define DOC_MM (72.0 / 25.4)

struct doc_pen;

/* Returns a pen that sets text on cr (which must outlive it); free it with doc_pen_free.
 * Its layouts are created once per style (size, bold, mono) and reused, so that a document of
 * many pages does not pay for a layout and a font look-up per string. */
struct doc_pen *doc_pen_new(cairo_t *cr);
/* Frees p and its layouts; NULL is a no-op. */
void doc_pen_free(struct doc_pen *p);

/* Sets s (UTF-8, the caller's) at (x, y) within width w, size pt, aligned, wrapped by words
 * then characters, bold and/or monospaced when asked. Returns the height set, in points. */
double doc_pen_text(struct doc_pen *p, const char *s, double x, double y, double w, double size,
		    PangoAlignment align, int bold, int mono);

/* Returns a new layout in the pen's font at size pt (bold, mono as asked), wrapping by words
 * then characters, for text that is measured before it is drawn; the caller unrefs it with
 * g_object_unref. */
PangoLayout *doc_pen_new_layout(struct doc_pen *p, double size, int bold, int mono);

/* Returns the height s would take when set as by doc_pen_text, without drawing it. */
double doc_pen_height(struct doc_pen *p, const char *s, double w, double size, int bold, int mono);

/* Draws the boxed table of the nf fields (label left, value right; mono values large) from
 * (x, y) in width w. Returns the table's height. */
double doc_pen_fields(struct doc_pen *p, const struct doc_letter_field *f, size_t nf, double x,
		      double y, double w);

#endif
