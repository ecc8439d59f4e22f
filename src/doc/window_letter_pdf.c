/* SPDX-License-Identifier: MIT */
/* window_letter_pdf.c — lays out 長3 window-envelope cover letters, streamed page by page. */
#include "doc/window_letter_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/custbarcode.h"
#include "doc/pdf_text.h"

#define MM DOC_MM
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN (20.0 * MM)
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define WIN_X (DOC_WINDOW_X_MM * MM)
#define WIN_Y (DOC_WINDOW_Y_MM * MM)
#define WIN_W (DOC_WINDOW_W_MM * MM)
#define WIN_H (DOC_WINDOW_H_MM * MM)
#define IN_X (WIN_X + 4.0 * MM) /* what is printed keeps 4 mm from the window's left, */
#define IN_Y (WIN_Y + 3.0 * MM) /* 3 mm from its top */
#define IN_W (WIN_W - 8.0 * MM)
#define IN_BOTTOM (WIN_Y + WIN_H - 1.5 * MM)
#define SIDE_X (120.0 * MM) /* the sender block, right of the window */
#define SIDE_W (PAGE_W - MARGIN - SIDE_X)
#define BODY_Y (70.0 * MM)
#define BARCODE_PT 10.0
#define BARCODE_H (3.6 * MM)

struct sink {
	struct buf *out;
	int full;
};

struct doc_window_pdf {
	cairo_surface_t *surf;
	cairo_t *cr;
	struct doc_pen *pen;
	struct sink sink;
	size_t pages;
};

static int has(const char *s)
{
	return s && *s;
}

static int utf8(const char *s)
{
	return !s || g_utf8_validate(s, -1, NULL);
}

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *s = closure;
	if (buf_append(s->out, data, len) != ERR_OK) {
		s->full = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static enum err start(cairo_surface_t *surf, const char *title, struct doc_window_pdf *w,
		      struct doc_window_pdf **out)
{
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		free(w);
		return ERR_IO;
	}
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
	w->surf = surf;
	w->cr = cairo_create(surf);
	w->pen = doc_pen_new(w->cr);
	*out = w;
	return ERR_OK;
}

enum err doc_window_pdf_open(const char *path, const char *title, struct doc_window_pdf **out)
{
	if (!out || !path || !has(title) || !utf8(title))
		return ERR_INVALID;
	*out = NULL;
	struct doc_window_pdf *w = xcalloc(1, sizeof *w);
	return start(cairo_pdf_surface_create(path, PAGE_W, PAGE_H), title, w, out);
}

enum err doc_window_pdf_open_buf(struct buf *buf, const char *title, struct doc_window_pdf **out)
{
	if (!out || !buf || !has(title) || !utf8(title))
		return ERR_INVALID;
	*out = NULL;
	struct doc_window_pdf *w = xcalloc(1, sizeof *w);
	w->sink.out = buf;
	return start(cairo_pdf_surface_create_for_stream(write_cb, &w->sink, PAGE_W, PAGE_H),
		     title, w, out);
}

static int letter_ok(const struct doc_window_letter *L)
{
	if (!has(L->postcode) || !has(L->address) || !has(L->name) || !has(L->title))
		return 0;
	const char *all[] = {L->postcode, L->address, L->katagaki, L->name,
			     L->sender,	  L->ref,     L->title};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (!utf8(all[i]))
			return 0;
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS; i++)
		if (!utf8(L->paragraphs[i]) || !utf8(L->notes[i]))
			return 0;
	for (size_t i = 0; i < DOC_LETTER_MAX_FIELDS && L->fields[i].label; i++)
		if (!utf8(L->fields[i].label) || !L->fields[i].value || !utf8(L->fields[i].value))
			return 0;
	return 1;
}

/* The window's lines: 〒, address, 方書, barcode, name. Measures first (draw 0) so that an
 * addressee that does not fit is refused before anything is drawn. Returns the bottom. */
static double window_block(struct doc_pen *pen, cairo_t *cr, const char *postline,
			   const struct doc_window_letter *L, const char *name,
			   const struct doc_custbarcode *bc, int draw)
{
	double y = IN_Y, h;
	h = draw ? doc_pen_text(pen, postline, IN_X, y, IN_W, 10, PANGO_ALIGN_LEFT, 0, 0)
		 : doc_pen_height(pen, postline, IN_W, 10, 0, 0);
	y += h + 0.8 * MM;
	h = draw ? doc_pen_text(pen, L->address, IN_X, y, IN_W, 10.5, PANGO_ALIGN_LEFT, 0, 0)
		 : doc_pen_height(pen, L->address, IN_W, 10.5, 0, 0);
	y += h + 0.6 * MM;
	if (has(L->katagaki)) {
		h = draw ? doc_pen_text(pen, L->katagaki, IN_X, y, IN_W, 10.5, PANGO_ALIGN_LEFT, 0,
					0)
			 : doc_pen_height(pen, L->katagaki, IN_W, 10.5, 0, 0);
		y += h;
	}
	if (bc) {
		y += 1.5 * MM;
		if (draw)
			doc_custbarcode_draw(cr, bc, IN_X, y, BARCODE_PT);
		y += BARCODE_H;
	}
	y += 2.0 * MM;
	h = draw ? doc_pen_text(pen, name, IN_X + 4.0 * MM, y, IN_W - 4.0 * MM, 14,
				PANGO_ALIGN_LEFT, 0, 0)
		 : doc_pen_height(pen, name, IN_W - 4.0 * MM, 14, 0, 0);
	return y + h;
}

static void fold_marks(cairo_t *cr)
{
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(cr, 0.4);
	for (int i = 1; i <= 2; i++) {
		cairo_move_to(cr, 0, 99.0 * MM * i);
		cairo_line_to(cr, 5.0 * MM, 99.0 * MM * i);
		cairo_move_to(cr, PAGE_W - 5.0 * MM, 99.0 * MM * i);
		cairo_line_to(cr, PAGE_W, 99.0 * MM * i);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void body(struct doc_pen *pen, const struct doc_window_letter *L)
{
	double y = BODY_Y;
	y += doc_pen_text(pen, L->title, MARGIN, y, TEXT_W, 15, PANGO_ALIGN_CENTER, 1, 0) +
	     6.0 * MM;
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS && L->paragraphs[i]; i++)
		y += doc_pen_text(pen, L->paragraphs[i], MARGIN, y, TEXT_W, 10.5, PANGO_ALIGN_LEFT,
				  0, 0) +
		     2.5 * MM;
	size_t nf = 0;
	while (nf < DOC_LETTER_MAX_FIELDS && L->fields[nf].label)
		nf++;
	if (nf)
		y += 2.0 * MM + doc_pen_fields(pen, L->fields, nf, MARGIN, y + 2.0 * MM, TEXT_W) +
		     5.0 * MM;
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS && L->notes[i]; i++)
		y += doc_pen_text(pen, L->notes[i], MARGIN, y, TEXT_W, 8.5, PANGO_ALIGN_LEFT, 0, 0) +
		     1.5 * MM;
}

enum err doc_window_pdf_add(struct doc_window_pdf *w, const struct doc_window_letter *L)
{
	enum err e = ERR_OK;
	char date[40], pc[8], postline[32];
	char *name = NULL;
	struct doc_custbarcode bc;
	const struct doc_custbarcode *bcp = NULL;
	if (!w || !L || !letter_ok(L))
		return ERR_INVALID;
	if (wareki_format(L->year, L->month, L->day, date, sizeof date) != ERR_OK)
		return ERR_INVALID;
	/* The barcode encodes the postcode (checked here even when no barcode is printed) and
	 * the number of the address and its 方書 (a building's room is in the 方書). */
	char *both = xasprintf("%s %s", L->address, has(L->katagaki) ? L->katagaki : "");
	e = doc_custbarcode_encode(L->postcode, both, &bc);
	free(both);
	if (e != ERR_OK)
		return ERR_INVALID;
	for (int i = 0; i < 7; i++)
		pc[i] = (char)('0' + bc.chars[1 + i]);
	pc[7] = '\0';
	snprintf(postline, sizeof postline, "〒%.3s-%.4s", pc, pc + 3);
	if (L->barcode && !doc_custbarcode_representative(pc))
		bcp = &bc;
	name = xasprintf("%s　様", L->name);
	if (window_block(w->pen, w->cr, postline, L, name, bcp, 0) > IN_BOTTOM) {
		e = ERR_INVALID;
		goto out;
	}
	cairo_set_source_rgb(w->cr, 0, 0, 0);
	window_block(w->pen, w->cr, postline, L, name, bcp, 1);
	double y = IN_Y;
	if (has(L->ref))
		y += doc_pen_text(w->pen, L->ref, SIDE_X, y, SIDE_W, 8, PANGO_ALIGN_RIGHT, 0, 0);
	y += doc_pen_text(w->pen, date, SIDE_X, y, SIDE_W, 10.5, PANGO_ALIGN_RIGHT, 0, 0) +
	     2.0 * MM;
	if (has(L->sender))
		doc_pen_text(w->pen, L->sender, SIDE_X, y, SIDE_W, 9.5, PANGO_ALIGN_RIGHT, 0, 0);
	body(w->pen, L);
	fold_marks(w->cr);
	cairo_show_page(w->cr);
	if (cairo_status(w->cr) != CAIRO_STATUS_SUCCESS) {
		e = w->sink.full ? ERR_TOOLARGE : ERR_IO;
		goto out;
	}
	w->pages++;
out:
	free(name);
	return e;
}

size_t doc_window_pdf_pages(const struct doc_window_pdf *w)
{
	return w ? w->pages : 0;
}

enum err doc_window_pdf_close(struct doc_window_pdf *w)
{
	enum err e = ERR_OK;
	if (!w)
		return ERR_OK;
	if (cairo_status(w->cr) != CAIRO_STATUS_SUCCESS)
		e = w->sink.full ? ERR_TOOLARGE : ERR_IO;
	doc_pen_free(w->pen);
	cairo_destroy(w->cr);
	cairo_surface_finish(w->surf);
	if (e == ERR_OK && cairo_surface_status(w->surf) != CAIRO_STATUS_SUCCESS)
		e = w->sink.full ? ERR_TOOLARGE : ERR_IO;
	cairo_surface_destroy(w->surf);
	free(w);
	return e;
}
