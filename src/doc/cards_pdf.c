/* SPDX-License-Identifier: MIT */
/* cards_pdf.c — lays out QR entry cards on A4 pages with cairo and pango. */
#include "doc/cards_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "doc/qr.h"

#define MM (72.0 / 25.4)
#define PAGE_W 595.28
#define PAGE_H 841.89
#define CARD_W (91.0 * MM)
#define CARD_H (55.0 * MM)
#define COLS 2
#define ROWS 5
#define PAD (4.0 * MM)	    /* safe area inside each card edge */
#define QR_SIZE (32.0 * MM) /* including the 4-module quiet zone */
#define CROP_GAP (1.5 * MM) /* crop marks stop this far from the card grid */
#define CROP_LEN (6.0 * MM)
/* IPAexGothic first; Noto Sans CJK JP for characters it lacks (𠮷 U+20BB7). */
#define FONT "IPAexGothic, Noto Sans CJK JP"

static bool str_ok(const char *s)
{
	return !s || g_utf8_validate(s, -1, NULL);
}

static bool has(const char *s)
{
	return s && *s;
}

/*
 * Sets text at (x, y) with its top edge at y, in size pt, shrinking down to min_size pt
 * until it fits in width; below that it wraps. Returns the height used.
 */
static double draw_text(cairo_t *cr, const char *text, double x, double y, double width,
			double size, double min_size)
{
	PangoLayout *layout = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	int w = 0, h = 0;

	pango_layout_set_text(layout, text, -1);
	for (;;) {
		pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
		pango_layout_set_font_description(layout, fd);
		pango_layout_get_size(layout, &w, &h);
		if ((double)w / PANGO_SCALE <= width || size <= min_size)
			break;
		size = size * 0.92 < min_size ? min_size : size * 0.92;
	}
	if ((double)w / PANGO_SCALE > width) {
		pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
		pango_layout_get_size(layout, &w, &h);
	}
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	pango_font_description_free(fd);
	g_object_unref(layout);
	return (double)h / PANGO_SCALE;
}

static void draw_crop_marks(cairo_t *cr, double x0, double y0)
{
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	cairo_set_line_width(cr, 0.3);
	double gx1 = x0 + COLS * CARD_W, gy1 = y0 + ROWS * CARD_H;
	for (int c = 0; c <= COLS; c++) {
		double x = x0 + c * CARD_W;
		cairo_move_to(cr, x, y0 - CROP_GAP);
		cairo_line_to(cr, x, y0 - CROP_GAP - CROP_LEN);
		cairo_move_to(cr, x, gy1 + CROP_GAP);
		cairo_line_to(cr, x, gy1 + CROP_GAP + CROP_LEN);
	}
	for (int r = 0; r <= ROWS; r++) {
		double y = y0 + r * CARD_H;
		cairo_move_to(cr, x0 - CROP_GAP, y);
		cairo_line_to(cr, x0 - CROP_GAP - CROP_LEN, y);
		cairo_move_to(cr, gx1 + CROP_GAP, y);
		cairo_line_to(cr, gx1 + CROP_GAP + CROP_LEN, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static enum err draw_card(cairo_t *cr, const struct doc_card *card, double cx, double cy)
{
	double qx = cx + CARD_W - PAD - QR_SIZE;
	double qy = cy + (CARD_H - QR_SIZE) / 2;
	double tx = cx + PAD;
	double tw = qx - tx - 2.0 * MM;
	double y = cy + PAD;

	/* A very light card outline helps when cutting by hand without a cutter guide. */
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
	cairo_set_line_width(cr, 0.25);
	cairo_rectangle(cr, cx, cy, CARD_W, CARD_H);
	cairo_stroke(cr);
	cairo_restore(cr);

	cairo_set_source_rgb(cr, 0, 0, 0);
	if (has(card->site_name))
		y += draw_text(cr, card->site_name, tx, y, tw, 9, 6) + 3.0 * MM;
	else
		y += 6.0 * MM;
	if (has(card->child_kana))
		y += draw_text(cr, card->child_kana, tx, y, tw, 9, 6) + 0.5 * MM;
	draw_text(cr, card->child_name, tx, y, tw, 20, 9);
	if (has(card->child_no))
		draw_text(cr, card->child_no, tx, cy + CARD_H - PAD - 11, tw, 10, 7);
	return doc_qr_draw(cr, card->code, qx, qy, QR_SIZE);
}

static bool cards_ok(const struct doc_card *cards, size_t n)
{
	if (!cards || n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct doc_card *c = &cards[i];
		if (!has(c->child_name) || !has(c->code) || !str_ok(c->child_name) ||
		    !str_ok(c->child_kana) || !str_ok(c->site_name) || !str_ok(c->child_no) ||
		    !str_ok(c->code))
			return false;
	}
	return true;
}

/* Draws the cards on surf's pages and finishes it. Returns ERR_OK, ERR_INVALID (a code too
 * long for a QR code) or ERR_IO. */
static enum err draw_sheets(cairo_surface_t *surf, const struct doc_card *cards, size_t n)
{
	enum err e = ERR_OK;
	cairo_t *cr = NULL;
	const double x0 = (PAGE_W - COLS * CARD_W) / 2;
	const double y0 = (PAGE_H - ROWS * CARD_H) / 2;

	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
		return ERR_IO;
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, "QR cards");
	cr = cairo_create(surf);

	for (size_t i = 0; i < n; i++) {
		size_t slot = i % DOC_CARDS_PER_PAGE;
		if (slot == 0) {
			if (i > 0)
				cairo_show_page(cr);
			draw_crop_marks(cr, x0, y0);
		}
		double cx = x0 + (double)(slot % COLS) * CARD_W;
		double cy = y0 + (double)(slot / COLS) * CARD_H;
		e = draw_card(cr, &cards[i], cx, cy);
		if (e != ERR_OK) {
			if (e == ERR_TOOLARGE)
				e = ERR_INVALID;
			goto out;
		}
	}
	cairo_show_page(cr);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		e = ERR_IO;
		goto out;
	}
	cairo_surface_finish(surf);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
		e = ERR_IO;
out:
	if (cr)
		cairo_destroy(cr);
	return e;
}

/*
 * Writes the card sheets to path; cards stay the caller's. Returns ERR_OK, ERR_INVALID or
 * ERR_IO (and removes a partial file); see cards_pdf.h.
 */
enum err doc_cards_pdf(const char *path, const struct doc_card *cards, size_t n)
{
	if (!path || !cards_ok(cards, n))
		return ERR_INVALID;
	cairo_surface_t *surf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
	enum err e = draw_sheets(surf, cards, n);
	cairo_surface_destroy(surf);
	if (e != ERR_OK)
		unlink(path);
	return e;
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

enum err doc_cards_pdf_buf(const struct doc_card *cards, size_t n, struct buf *out)
{
	struct sink sink = {out, 0};
	if (!cards_ok(cards, n))
		return ERR_INVALID;
	cairo_surface_t *surf =
	    cairo_pdf_surface_create_for_stream(write_cb, &sink, PAGE_W, PAGE_H);
	enum err e = draw_sheets(surf, cards, n);
	cairo_surface_destroy(surf);
	return e == ERR_IO && sink.full ? ERR_TOOLARGE : e;
}
