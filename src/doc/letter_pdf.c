/* SPDX-License-Identifier: MIT */
/* letter_pdf.c — lays out one-page A4 letters with cairo and pango, with a QR code (qr.c). */
#include "doc/letter_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "doc/pdf_text.h"
#include "doc/qr.h"

#define MM DOC_MM
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN (22.0 * MM)
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define QR_SIZE (42.0 * MM)

static int has(const char *s)
{
	return s && *s;
}

static int letter_ok(const struct doc_letter *L)
{
	if (!has(L->title) || !g_utf8_validate(L->title, -1, NULL))
		return 0;
	const char *all[] = {L->recipient, L->date, L->sender, L->qr, L->qr_caption};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i] && !g_utf8_validate(all[i], -1, NULL))
			return 0;
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS; i++)
		if ((L->paragraphs[i] && !g_utf8_validate(L->paragraphs[i], -1, NULL)) ||
		    (L->notes[i] && !g_utf8_validate(L->notes[i], -1, NULL)))
			return 0;
	for (size_t i = 0; i < DOC_LETTER_MAX_FIELDS && L->fields[i].label; i++)
		if (!g_utf8_validate(L->fields[i].label, -1, NULL) || !L->fields[i].value ||
		    !g_utf8_validate(L->fields[i].value, -1, NULL))
			return 0;
	return 1;
}

static enum err draw_letter(cairo_t *cr, struct doc_pen *pen, const struct doc_letter *L)
{
	double y = MARGIN;
	cairo_set_source_rgb(cr, 0, 0, 0);
	if (has(L->date))
		doc_pen_text(pen, L->date, MARGIN, y, TEXT_W, 10.5, PANGO_ALIGN_RIGHT, 0, 0);
	if (has(L->recipient))
		doc_pen_text(pen, L->recipient, MARGIN, y, TEXT_W, 10.5, PANGO_ALIGN_LEFT, 0, 0);
	y += 16;
	if (has(L->sender))
		y += doc_pen_text(pen, L->sender, MARGIN, y, TEXT_W, 10.5, PANGO_ALIGN_RIGHT, 0, 0);
	y += 10.0 * MM;
	y += doc_pen_text(pen, L->title, MARGIN, y, TEXT_W, 16, PANGO_ALIGN_CENTER, 1, 0) +
	     7.0 * MM;
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS && L->paragraphs[i]; i++)
		y += doc_pen_text(pen, L->paragraphs[i], MARGIN, y, TEXT_W, 10.5, PANGO_ALIGN_LEFT,
				  0, 0) +
		     3.0 * MM;
	/* The boxed table: what to copy exactly. */
	size_t nf = 0;
	while (nf < DOC_LETTER_MAX_FIELDS && L->fields[nf].label)
		nf++;
	if (nf)
		y += 2.0 * MM + doc_pen_fields(pen, L->fields, nf, MARGIN, y + 2.0 * MM, TEXT_W) +
		     6.0 * MM;
	if (has(L->qr)) {
		enum err e = doc_qr_draw(cr, L->qr, MARGIN, y, QR_SIZE);
		if (e != ERR_OK)
			return e == ERR_TOOLARGE ? ERR_INVALID : e;
		if (has(L->qr_caption))
			doc_pen_text(pen, L->qr_caption, MARGIN + QR_SIZE + 5.0 * MM, y + 4.0 * MM,
				     TEXT_W - QR_SIZE - 5.0 * MM, 10.5, PANGO_ALIGN_LEFT, 0, 0);
		y += QR_SIZE + 5.0 * MM;
	}
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS && L->notes[i]; i++)
		y += doc_pen_text(pen, L->notes[i], MARGIN, y, TEXT_W, 8.5, PANGO_ALIGN_LEFT, 0, 0) +
		     1.5 * MM;
	return ERR_OK;
}

struct sink {
	struct buf *out;
	int full;
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *s = closure;
	if (buf_append(s->out, data, len) != ERR_OK) {
		s->full = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

enum err doc_letter_pdf_buf(const struct doc_letter *letters, size_t n, struct buf *out)
{
	struct sink sink = {out, 0};
	enum err e = ERR_OK;
	if (!letters || n == 0)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if (!letter_ok(&letters[i]))
			return ERR_INVALID;
	cairo_surface_t *surf =
	    cairo_pdf_surface_create_for_stream(write_cb, &sink, PAGE_W, PAGE_H);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		return ERR_IO;
	}
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, letters[0].title);
	cairo_t *cr = cairo_create(surf);
	struct doc_pen *pen = doc_pen_new(cr);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		e = draw_letter(cr, pen, &letters[i]);
		cairo_show_page(cr);
	}
	doc_pen_free(pen);
	if (e == ERR_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		e = ERR_IO;
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	if (e == ERR_OK && cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
		e = sink.full ? ERR_TOOLARGE : ERR_IO;
	cairo_surface_destroy(surf);
	return e;
}
