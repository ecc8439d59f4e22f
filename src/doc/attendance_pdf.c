/* SPDX-License-Identifier: MIT */
/* attendance_pdf.c — lays out the daily attendance list on A4 pages with cairo and pango. */
#include "doc/attendance_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#define MM (72.0 / 25.4)
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN (15.0 * MM)
#define ROW_H (6.2 * MM)
#define TABLE_TOP (MARGIN + 30.0 * MM)
#define FONT "IPAexGothic, Noto Sans CJK JP"

/* Columns: label, width in mm. Their widths add up to the text width (180). The entry and
 * exit columns are headed by the ward's words (struct doc_daily) when given. */
static const struct col {
	const char *label;
	double w;
} cols[] = {
    {"No.", 10},      {"学年", 12}, {"児童番号", 22}, {"氏名", 46},
    {"氏名カナ", 42}, {"入室", 15}, {"退室", 15},     {"状況", 18},
};
#define NCOLS (sizeof cols / sizeof cols[0])
#define COL_ENTRY 5
#define COL_EXIT 6

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

/* Sets text with its top-left at (x, y) in size pt, shrinking to at least min pt to fit
 * width (0: no limit); clipped to width past that. Returns the width used. */
static double text(cairo_t *cr, const char *s, double x, double y, double width, double size,
		   double min)
{
	if (!s || !*s)
		return 0;
	PangoLayout *layout = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	int w = 0, h = 0;
	pango_layout_set_text(layout, s, -1);
	for (;;) {
		pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
		pango_layout_set_font_description(layout, fd);
		pango_layout_get_size(layout, &w, &h);
		if (width <= 0 || (double)w / PANGO_SCALE <= width || size <= min)
			break;
		size = size * 0.92 < min ? min : size * 0.92;
	}
	cairo_save(cr);
	if (width > 0) {
		cairo_rectangle(cr, x, y - 2, width, (double)h / PANGO_SCALE + 4);
		cairo_clip(cr);
	}
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	cairo_restore(cr);
	pango_font_description_free(fd);
	g_object_unref(layout);
	return (double)w / PANGO_SCALE;
}

static void hline(cairo_t *cr, double y, double width)
{
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, MARGIN + 180.0 * MM, y);
	cairo_set_line_width(cr, width);
	cairo_stroke(cr);
}

static void page_header(cairo_t *cr, const struct doc_daily *d)
{
	char line[512];
	text(cr, "出欠一覧（日次）", MARGIN, MARGIN, 0, 16, 16);
	snprintf(line, sizeof line, "印刷 %s", d->printed ? d->printed : "");
	text(cr, line, MARGIN + 130.0 * MM, MARGIN + 2.0 * MM, 50.0 * MM, 9, 7);
	snprintf(line, sizeof line, "%s（%s）", d->site_name ? d->site_name : "",
		 d->site_code ? d->site_code : "");
	text(cr, line, MARGIN, MARGIN + 9.0 * MM, 180.0 * MM, 12, 8);
	snprintf(line, sizeof line, "%s　%s", d->date_wareki ? d->date_wareki : "",
		 d->date_iso ? d->date_iso : "");
	text(cr, line, MARGIN, MARGIN + 16.0 * MM, 180.0 * MM, 12, 8);
	/* Column labels. */
	double x = MARGIN, y = TABLE_TOP - ROW_H;
	for (size_t i = 0; i < NCOLS; i++) {
		const char *label = cols[i].label;
		if (i == COL_ENTRY && d->entry_word && *d->entry_word)
			label = d->entry_word;
		else if (i == COL_EXIT && d->exit_word && *d->exit_word)
			label = d->exit_word;
		text(cr, label, x + 1.0 * MM, y + 1.2 * MM, cols[i].w * MM - 2.0 * MM, 9, 6);
		x += cols[i].w * MM;
	}
	hline(cr, y, 0.8);
	hline(cr, TABLE_TOP, 0.5);
}

static void page_footer(cairo_t *cr, size_t page, size_t pages)
{
	char line[64];
	snprintf(line, sizeof line, "%zu / %zu", page, pages);
	text(cr, line, PAGE_W / 2 - 8.0 * MM, PAGE_H - MARGIN, 0, 9, 9);
}

static void draw_row(cairo_t *cr, const struct doc_daily_row *r, size_t no, double y)
{
	char num[24], grade[16];
	snprintf(num, sizeof num, "%zu", no);
	snprintf(grade, sizeof grade, "%d年", r->grade);
	const char *cells[NCOLS] = {num,     grade,    r->child_no, r->name,
				    r->kana, r->in_at, r->out_at,   r->status};
	double x = MARGIN;
	for (size_t i = 0; i < NCOLS; i++) {
		double size = i == 3 ? 11 : 9;
		text(cr, cells[i], x + 1.0 * MM, y + (i == 3 ? 0.9 : 1.4) * MM,
		     cols[i].w * MM - 2.0 * MM, size, 5);
		x += cols[i].w * MM;
	}
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	hline(cr, y + ROW_H, 0.25);
	cairo_set_source_rgb(cr, 0, 0, 0);
}

static int valid(const char *s)
{
	return !s || g_utf8_validate(s, -1, NULL);
}

enum err doc_daily_pdf(const struct doc_daily *d, struct buf *out)
{
	struct sink sink = {out, 0};
	cairo_surface_t *surf = NULL;
	cairo_t *cr = NULL;
	enum err e = ERR_OK;
	if (!valid(d->site_name) || !valid(d->site_code) || !valid(d->date_wareki) ||
	    !valid(d->date_iso) || !valid(d->printed) || !valid(d->summary))
		return ERR_INVALID;
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_daily_row *r = &d->rows[i];
		if (!valid(r->child_no) || !valid(r->name) || !valid(r->kana) || !valid(r->in_at) ||
		    !valid(r->out_at) || !valid(r->status))
			return ERR_INVALID;
	}
	size_t pages = d->n ? (d->n + DOC_DAILY_ROWS_PER_PAGE - 1) / DOC_DAILY_ROWS_PER_PAGE : 1;
	surf = cairo_pdf_surface_create_for_stream(write_cb, &sink, PAGE_W, PAGE_H);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		e = ERR_IO;
		goto out;
	}
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, "出欠一覧");
	cr = cairo_create(surf);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (size_t p = 0; p < pages; p++) {
		page_header(cr, d);
		size_t first = p * DOC_DAILY_ROWS_PER_PAGE;
		size_t last = first + DOC_DAILY_ROWS_PER_PAGE;
		if (last > d->n)
			last = d->n;
		double y = TABLE_TOP;
		for (size_t i = first; i < last; i++, y += ROW_H)
			draw_row(cr, &d->rows[i], i + 1, y);
		if (d->n == 0) {
			text(cr, "該当する児童はいません", MARGIN + 2.0 * MM, y + 2.0 * MM, 0, 10,
			     10);
			y += ROW_H;
		}
		if (p + 1 == pages && d->summary)
			text(cr, d->summary, MARGIN, y + 3.0 * MM, 180.0 * MM, 10, 7);
		page_footer(cr, p + 1, pages);
		cairo_show_page(cr);
	}
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
	if (surf)
		cairo_surface_destroy(surf);
	return e;
}
