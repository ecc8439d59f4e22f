/* SPDX-License-Identifier: MIT */
/* table_pdf.c — lays out sections of table rows on A4 pages with cairo and pango: rows are kept
 * until the end, then laid out twice (once to count the pages, once to draw them). */
#include "doc/table_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define MM (72.0 / 25.4)
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN (15.0 * MM)
#define TEXT_W (180.0 * MM)
#define ROW_H (6.2 * MM)
#define TITLE_H (10.0 * MM)
#define BOTTOM (PAGE_H - MARGIN - 10.0 * MM) /* rows end above the footer */
#define FONT "IPAexGothic, Noto Sans CJK JP"

struct trow {
	char *cells[DOC_TABLE_MAX_COLS];
	int numeric[DOC_TABLE_MAX_COLS];
	size_t n;
	enum doc_table_style style;
};

struct tsection {
	char *name;
	double widths[DOC_TABLE_MAX_COLS];
	size_t nwidths;
	struct trow *rows;
	size_t n, cap;
};

struct doc_table_pdf {
	char *title;
	struct tsection *sections;
	size_t n, cap;
};

struct doc_table_pdf *doc_table_pdf_new(const char *title)
{
	struct doc_table_pdf *p = xcalloc(1, sizeof *p);
	p->title = xstrdup(title ? title : "");
	return p;
}

void doc_table_pdf_section(struct doc_table_pdf *p, const char *name)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->sections = xrealloc(p->sections, p->cap * sizeof *p->sections);
	}
	struct tsection *s = &p->sections[p->n++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name ? name : "");
}

static struct tsection *current(struct doc_table_pdf *p)
{
	if (p->n == 0)
		doc_table_pdf_section(p, "");
	return &p->sections[p->n - 1];
}

void doc_table_pdf_widths(struct doc_table_pdf *p, const double *widths, size_t n)
{
	struct tsection *s = current(p);
	s->nwidths = n < DOC_TABLE_MAX_COLS ? n : DOC_TABLE_MAX_COLS;
	for (size_t i = 0; i < s->nwidths; i++)
		s->widths[i] = widths[i] > 0 ? widths[i] : 1;
}

enum err doc_table_pdf_row(struct doc_table_pdf *p, const char *const *cells, const int *numeric,
			   size_t n, enum doc_table_style style)
{
	if (n > DOC_TABLE_MAX_COLS)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if (cells[i] && !g_utf8_validate(cells[i], -1, NULL))
			return ERR_INVALID;
	struct tsection *s = current(p);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->rows = xrealloc(s->rows, s->cap * sizeof *s->rows);
	}
	struct trow *r = &s->rows[s->n++];
	memset(r, 0, sizeof *r);
	r->n = n;
	r->style = style;
	for (size_t i = 0; i < n; i++) {
		r->cells[i] = xstrdup(cells[i] ? cells[i] : "");
		r->numeric[i] = numeric ? numeric[i] : 0;
	}
	return ERR_OK;
}

void doc_table_pdf_free(struct doc_table_pdf *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct tsection *s = &p->sections[i];
		for (size_t k = 0; k < s->n; k++)
			for (size_t c = 0; c < s->rows[k].n; c++)
				free(s->rows[k].cells[c]);
		free(s->rows);
		free(s->name);
	}
	free(p->sections);
	free(p->title);
	free(p);
}

/* Sets text with its top-left at (x, y) in size pt, shrinking to at least min pt to fit width;
 * clipped to width past that. right: aligned to the right edge of width. */
static void text(cairo_t *cr, const char *s, double x, double y, double width, double size,
		 double min, int right)
{
	if (!s || !*s)
		return;
	PangoLayout *layout = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	int w = 0, h = 0;
	pango_layout_set_text(layout, s, -1);
	for (;;) {
		pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
		pango_layout_set_font_description(layout, fd);
		pango_layout_get_size(layout, &w, &h);
		if ((double)w / PANGO_SCALE <= width || size <= min)
			break;
		size = size * 0.92 < min ? min : size * 0.92;
	}
	double tw = (double)w / PANGO_SCALE;
	cairo_save(cr);
	cairo_rectangle(cr, x, y - 2, width, (double)h / PANGO_SCALE + 4);
	cairo_clip(cr);
	cairo_move_to(cr, right && tw < width ? x + width - tw : x, y);
	pango_cairo_show_layout(cr, layout);
	cairo_restore(cr);
	pango_font_description_free(fd);
	g_object_unref(layout);
}

static void hline(cairo_t *cr, double y, double width, double grey)
{
	cairo_save(cr);
	cairo_set_source_rgb(cr, grey, grey, grey);
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, MARGIN + TEXT_W, y);
	cairo_set_line_width(cr, width);
	cairo_stroke(cr);
	cairo_restore(cr);
}

static double row_height(const struct trow *r)
{
	return r->style == DOC_TABLE_TITLE ? TITLE_H : ROW_H;
}

/* Draws row r at y (cr NULL: nothing). */
static void draw_row(cairo_t *cr, const struct tsection *s, const struct trow *r, double y,
		     const char *suffix)
{
	if (!cr)
		return;
	if (r->style == DOC_TABLE_TITLE || r->n == 1) {
		char line[1024];
		snprintf(line, sizeof line, "%s%s", r->n ? r->cells[0] : "", suffix ? suffix : "");
		text(cr, line, MARGIN, y + 1.0 * MM, TEXT_W, r->style == DOC_TABLE_TITLE ? 14 : 10,
		     7, 0);
		return;
	}
	double total = 0, widths[DOC_TABLE_MAX_COLS];
	size_t ncols = s->nwidths > r->n ? s->nwidths : r->n;
	for (size_t i = 0; i < ncols; i++) {
		widths[i] = i < s->nwidths ? s->widths[i] : 10;
		total += widths[i];
	}
	double x = MARGIN;
	for (size_t i = 0; i < r->n; i++) {
		double w = widths[i] / total * TEXT_W;
		text(cr, r->cells[i], x + 1.0 * MM, y + 1.3 * MM, w - 2.0 * MM, 9, 5, r->numeric[i]);
		x += w;
	}
	if (r->style == DOC_TABLE_BOLD) {
		hline(cr, y, 0.8, 0);
		hline(cr, y + ROW_H, 0.5, 0);
	} else {
		hline(cr, y + ROW_H, 0.25, 0.6);
	}
}

static void footer(cairo_t *cr, const struct doc_table_pdf *p, const struct tsection *s,
		   size_t page, size_t pages)
{
	char line[1200];
	if (!cr)
		return;
	snprintf(line, sizeof line, "%s　%s", p->title, s->name);
	text(cr, line, MARGIN, PAGE_H - MARGIN, 140.0 * MM, 8, 6, 0);
	snprintf(line, sizeof line, "%zu / %zu", page, pages);
	text(cr, line, MARGIN + 150.0 * MM, PAGE_H - MARGIN, 30.0 * MM, 9, 9, 1);
}

/* Lays every section out (each on new pages); draws when cr is not NULL, numbering the pages
 * out of pages. Returns the number of pages. */
static size_t layout(cairo_t *cr, const struct doc_table_pdf *p, size_t pages)
{
	size_t page = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct tsection *s = &p->sections[i];
		const struct trow *title = NULL, *head = NULL;
		double y = MARGIN;
		page++;
		for (size_t k = 0; k < s->n; k++) {
			const struct trow *r = &s->rows[k];
			double h = row_height(r);
			if (y + h > BOTTOM) {
				/* A new page of the same section: its title and heading again. */
				footer(cr, p, s, page, pages);
				if (cr)
					cairo_show_page(cr);
				page++;
				y = MARGIN;
				if (title) {
					draw_row(cr, s, title, y, "（続き）");
					y += row_height(title);
				}
				if (head) {
					draw_row(cr, s, head, y, NULL);
					y += ROW_H;
				}
			}
			draw_row(cr, s, r, y, NULL);
			y += h;
			if (r->style == DOC_TABLE_TITLE && !title)
				title = r;
			if (r->style == DOC_TABLE_BOLD && !head)
				head = r;
		}
		footer(cr, p, s, page, pages);
		if (cr)
			cairo_show_page(cr);
	}
	return page;
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

enum err doc_table_pdf_finish(struct doc_table_pdf *p, struct buf *out)
{
	struct sink sink = {out, 0};
	enum err e = ERR_OK;
	if (p->n == 0)
		doc_table_pdf_section(p, ""); /* an empty document is one blank page */
	size_t pages = layout(NULL, p, 0);
	cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(write_cb, &sink, PAGE_W, PAGE_H);
	cairo_t *cr = NULL;
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		e = ERR_IO;
		goto out;
	}
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, p->title);
	cr = cairo_create(surf);
	cairo_set_source_rgb(cr, 0, 0, 0);
	layout(cr, p, pages);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		e = sink.full ? ERR_TOOLARGE : ERR_IO;
		goto out;
	}
	cairo_surface_finish(surf);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
		e = sink.full ? ERR_TOOLARGE : ERR_IO;
out:
	if (cr)
		cairo_destroy(cr);
	cairo_surface_destroy(surf);
	doc_table_pdf_free(p);
	return e;
}
