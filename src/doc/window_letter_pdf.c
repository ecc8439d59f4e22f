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

/* The window's lines, laid out once: 〒, address, 方書, name. */
enum { WL_POST, WL_ADDRESS, WL_KATAGAKI, WL_NAME, WL_N };

struct sink {
	struct buf *out;
	int full;
};

/* The body (sender, date, title, paragraphs, fields, notes, fold marks) of a mailing is the
 * same on every page: it is drawn once into a recording surface, which the PDF surface writes
 * once as a form XObject and every page references, until a letter's body differs. */
struct doc_window_pdf {
	cairo_surface_t *surf;
	cairo_t *cr;
	struct doc_pen *pen;
	struct sink sink;
	size_t pages;
	cairo_surface_t *body;	/* the current body's recording, or NULL */
	struct buf body_key;	/* its strings, joined, to tell when the next one differs */
	struct buf key;		/* scratch for the next letter's key */
	PangoLayout *win[WL_N]; /* the window's lines */
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
	buf_init(&w->body_key, 1 << 20);
	buf_init(&w->key, 1 << 20);
	w->cr = cairo_create(surf);
	w->pen = doc_pen_new(w->cr);
	w->win[0] = doc_pen_new_layout(w->pen, 10, 0, 0);
	w->win[1] = doc_pen_new_layout(w->pen, 10.5, 0, 0);
	w->win[2] = doc_pen_new_layout(w->pen, 10.5, 0, 0);
	w->win[3] = doc_pen_new_layout(w->pen, 14, 0, 0);
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
	return start(cairo_pdf_surface_create_for_stream(write_cb, &w->sink, PAGE_W, PAGE_H), title,
		     w, out);
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

/* Lays the window's lines out in w->win and returns the bottom of the block (〒, address,
 * 方書, barcode, name), so that an addressee that does not fit is refused before anything is
 * drawn; window_draw then shows the same layouts. */
static double window_layout(struct doc_window_pdf *w, const char *postline,
			    const struct doc_window_letter *L, const char *name, int barcode,
			    double top[WL_N])
{
	const char *text[WL_N] = {postline, L->address, has(L->katagaki) ? L->katagaki : NULL,
				  name};
	const double gap_after[WL_N] = {0.8 * MM, 0.6 * MM, 0, 0};
	double y = IN_Y;
	for (int i = 0; i < WL_N; i++) {
		int tw = 0, th = 0;
		if (i == WL_NAME) {
			if (barcode)
				y += 1.5 * MM + BARCODE_H;
			y += 2.0 * MM;
		}
		top[i] = y;
		if (!text[i])
			continue;
		PangoLayout *l = w->win[i];
		pango_layout_set_width(
		    l, (int)((i == WL_NAME ? IN_W - 4.0 * MM : IN_W) * PANGO_SCALE));
		pango_layout_set_text(l, text[i], -1);
		pango_layout_get_size(l, &tw, &th);
		y += (double)th / PANGO_SCALE + gap_after[i];
	}
	return y;
}

static void window_draw(struct doc_window_pdf *w, const struct doc_window_letter *L,
			const struct doc_custbarcode *bc, const double top[WL_N])
{
	for (int i = 0; i < WL_N; i++) {
		if (i == WL_KATAGAKI && !has(L->katagaki))
			continue;
		cairo_move_to(w->cr, i == WL_NAME ? IN_X + 4.0 * MM : IN_X, top[i]);
		pango_cairo_show_layout(w->cr, w->win[i]);
	}
	if (bc)
		doc_custbarcode_draw(w->cr, bc, IN_X, top[WL_NAME] - 2.0 * MM - BARCODE_H,
				     BARCODE_PT);
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

static void body(struct doc_pen *pen, const struct doc_window_letter *L, const char *date,
		 double side_y)
{
	double y = side_y;
	y += doc_pen_text(pen, date, SIDE_X, y, SIDE_W, 10.5, PANGO_ALIGN_RIGHT, 0, 0) + 2.0 * MM;
	if (has(L->sender))
		doc_pen_text(pen, L->sender, SIDE_X, y, SIDE_W, 9.5, PANGO_ALIGN_RIGHT, 0, 0);
	y = BODY_Y;
	y +=
	    doc_pen_text(pen, L->title, MARGIN, y, TEXT_W, 15, PANGO_ALIGN_CENTER, 1, 0) + 6.0 * MM;
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
		y +=
		    doc_pen_text(pen, L->notes[i], MARGIN, y, TEXT_W, 8.5, PANGO_ALIGN_LEFT, 0, 0) +
		    1.5 * MM;
}

static void key_add(struct buf *k, const char *s)
{
	if (s)
		buf_puts(k, s);
	buf_append(k, "\x1f", 1);
}

/* Builds the key of L's body (everything drawn by body()) into w->key. Returns 0 when it did
 * not fit the key's cap (the body is then drawn on the page, not shared). */
static int body_key(struct doc_window_pdf *w, const struct doc_window_letter *L, const char *date,
		    double side_y)
{
	struct buf *k = &w->key;
	k->len = 0;
	if (k->data)
		k->data[0] = '\0';
	if (buf_printf(k, "%.1f\x1f", side_y) != ERR_OK)
		return 0;
	key_add(k, date);
	key_add(k, L->sender);
	key_add(k, L->title);
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS; i++)
		key_add(k, L->paragraphs[i]);
	for (size_t i = 0; i < DOC_LETTER_MAX_FIELDS && L->fields[i].label; i++) {
		key_add(k, L->fields[i].label);
		key_add(k, L->fields[i].value);
		key_add(k, L->fields[i].mono ? "1" : "0");
	}
	for (size_t i = 0; i < DOC_LETTER_MAX_PARAGRAPHS; i++)
		key_add(k, L->notes[i]);
	return buf_append(k, "", 0) == ERR_OK && k->len < k->max - 1;
}

/* Paints L's body onto the page: the shared recording when L's body is the previous one's,
 * a new recording otherwise. */
static void paint_body(struct doc_window_pdf *w, const struct doc_window_letter *L,
		       const char *date, double side_y)
{
	if (!body_key(w, L, date, side_y)) {
		body(w->pen, L, date, side_y);
		fold_marks(w->cr);
		return;
	}
	if (!w->body || w->body_key.len != w->key.len ||
	    memcmp(w->body_key.data, w->key.data, w->key.len) != 0) {
		if (w->body)
			cairo_surface_destroy(w->body);
		cairo_rectangle_t extents = {0, 0, PAGE_W, PAGE_H};
		w->body = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
		cairo_t *rc = cairo_create(w->body);
		struct doc_pen *pen = doc_pen_new(rc);
		cairo_set_source_rgb(rc, 0, 0, 0);
		body(pen, L, date, side_y);
		fold_marks(rc);
		doc_pen_free(pen);
		cairo_destroy(rc);
		struct buf t = w->body_key;
		w->body_key = w->key;
		w->key = t;
	}
	cairo_save(w->cr);
	cairo_set_source_surface(w->cr, w->body, 0, 0);
	cairo_paint(w->cr);
	cairo_restore(w->cr);
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
	double top[WL_N];
	if (window_layout(w, postline, L, name, bcp != NULL, top) > IN_BOTTOM) {
		e = ERR_INVALID;
		goto out;
	}
	cairo_set_source_rgb(w->cr, 0, 0, 0);
	window_draw(w, L, bcp, top);
	double y = IN_Y;
	if (has(L->ref))
		y += doc_pen_text(w->pen, L->ref, SIDE_X, y, SIDE_W, 8, PANGO_ALIGN_RIGHT, 0, 0);
	paint_body(w, L, date, y);
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
	for (int i = 0; i < WL_N; i++)
		g_object_unref(w->win[i]);
	doc_pen_free(w->pen);
	cairo_destroy(w->cr);
	if (w->body)
		cairo_surface_destroy(w->body);
	buf_free(&w->body_key);
	buf_free(&w->key);
	cairo_surface_finish(w->surf);
	if (e == ERR_OK && cairo_surface_status(w->surf) != CAIRO_STATUS_SUCCESS)
		e = w->sink.full ? ERR_TOOLARGE : ERR_IO;
	cairo_surface_destroy(w->surf);
	free(w);
	return e;
}
