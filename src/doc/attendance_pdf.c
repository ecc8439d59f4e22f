/* SPDX-License-Identifier: MIT */
/* attendance_pdf.c — lays out a site's attendance lists on A4 pages with cairo and pango: the
 * daily list (出欠一覧) and the plan list of coming days (出欠予定表). */
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
    {"No.", 8},       {"学年", 10}, {"児童番号", 20}, {"氏名", 36}, {"氏名カナ", 30},
    {"入室", 13},     {"退室", 13}, {"状況", 20},     {"連絡", 30},
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

/* A page's head: title, printed time, site, the date line, and the columns' labels. */
static void page_head(cairo_t *cr, const char *title, const char *printed, const char *site_name,
		      const char *site_code, const char *date_line, const struct col *c, size_t nc)
{
	char line[512];
	text(cr, title, MARGIN, MARGIN, 0, 16, 16);
	snprintf(line, sizeof line, "印刷 %s", printed ? printed : "");
	text(cr, line, MARGIN + 130.0 * MM, MARGIN + 2.0 * MM, 50.0 * MM, 9, 7);
	snprintf(line, sizeof line, "%s（%s）", site_name ? site_name : "",
		 site_code ? site_code : "");
	text(cr, line, MARGIN, MARGIN + 9.0 * MM, 180.0 * MM, 12, 8);
	text(cr, date_line, MARGIN, MARGIN + 16.0 * MM, 180.0 * MM, 12, 8);
	/* Column labels. */
	double x = MARGIN, y = TABLE_TOP - ROW_H;
	for (size_t i = 0; i < nc; i++) {
		text(cr, c[i].label, x + 1.0 * MM, y + 1.2 * MM, c[i].w * MM - 2.0 * MM, 9, 6);
		x += c[i].w * MM;
	}
	hline(cr, y, 0.8);
	hline(cr, TABLE_TOP, 0.5);
}

static void page_header(cairo_t *cr, const struct doc_daily *d)
{
	char line[512];
	snprintf(line, sizeof line, "%s　%s", d->date_wareki ? d->date_wareki : "",
		 d->date_iso ? d->date_iso : "");
	/* The entry and exit columns are headed by the ward's words (入室/退室, 登所/降所 …). */
	struct col c[NCOLS];
	memcpy(c, cols, sizeof c);
	if (d->entry_word && *d->entry_word)
		c[COL_ENTRY].label = d->entry_word;
	if (d->exit_word && *d->exit_word)
		c[COL_EXIT].label = d->exit_word;
	page_head(cr, "出欠一覧（日次）", d->printed, d->site_name, d->site_code, line, c, NCOLS);
}

static void page_footer(cairo_t *cr, size_t page, size_t pages)
{
	char line[64];
	snprintf(line, sizeof line, "%zu / %zu", page, pages);
	text(cr, line, PAGE_W / 2 - 8.0 * MM, PAGE_H - MARGIN, 0, 9, 9);
}

/* Sets one table row's cells at y (the name column, name_col, a little larger). */
static void cells_row(cairo_t *cr, const char *const *cells, const struct col *c, size_t nc,
		      size_t name_col, double y)
{
	double x = MARGIN;
	for (size_t i = 0; i < nc; i++) {
		double size = i == name_col ? 11 : 9;
		text(cr, cells[i], x + 1.0 * MM, y + (i == name_col ? 0.9 : 1.4) * MM,
		     c[i].w * MM - 2.0 * MM, size, 5);
		x += c[i].w * MM;
	}
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	hline(cr, y + ROW_H, 0.25);
	cairo_set_source_rgb(cr, 0, 0, 0);
}

static void draw_row(cairo_t *cr, const struct doc_daily_row *r, size_t no, double y)
{
	char num[24], grade[16];
	snprintf(num, sizeof num, "%zu", no);
	snprintf(grade, sizeof grade, "%d年", r->grade);
	const char *cells[NCOLS] = {num,      grade,     r->child_no, r->name, r->kana,
				    r->in_at, r->out_at, r->status,   r->note};
	cells_row(cr, cells, cols, NCOLS, 3, y);
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
		    !valid(r->out_at) || !valid(r->status) || !valid(r->note))
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

/* ---- the plan list (出欠予定表) ---- */

static const struct col plan_cols[] = {
    {"No.", 8},  {"学年", 10}, {"児童番号", 20}, {"氏名", 36},
    {"予定", 14}, {"帰り", 13}, {"帰り方", 40},   {"連絡・変更", 39},
};
#define PLAN_NCOLS (sizeof plan_cols / sizeof plan_cols[0])

/* A line of the plan list: a day's title (row NULL) or one of its rows. */
struct plan_line {
	size_t day;
	const struct doc_plan_row *row; /* NULL: the day's title, or "nobody" when n == 0 */
	size_t no;
};

static int plan_valid(const struct doc_plan *d)
{
	if (!valid(d->site_name) || !valid(d->site_code) || !valid(d->period) || !valid(d->printed))
		return 0;
	for (size_t i = 0; i < d->ndays; i++) {
		if (!valid(d->days[i].title))
			return 0;
		for (size_t k = 0; k < d->days[i].n; k++) {
			const struct doc_plan_row *r = &d->days[i].rows[k];
			if (!valid(r->child_no) || !valid(r->name) || !valid(r->plan) ||
			    !valid(r->leave) || !valid(r->way_home) || !valid(r->note))
				return 0;
		}
	}
	return 1;
}

/* Sets a day's title across the table at y on a light band; cont: it continues a page. */
static void day_title(cairo_t *cr, const char *title, int cont, double y)
{
	char line[600];
	snprintf(line, sizeof line, "%s%s", title ? title : "", cont ? "（続き）" : "");
	cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
	cairo_rectangle(cr, MARGIN, y, 180.0 * MM, ROW_H);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	text(cr, line, MARGIN + 1.0 * MM, y + 1.0 * MM, 178.0 * MM, 10.5, 7);
	hline(cr, y + ROW_H, 0.5);
}

enum err doc_plan_pdf(const struct doc_plan *d, struct buf *out)
{
	struct sink sink = {out, 0};
	cairo_surface_t *surf = NULL;
	cairo_t *cr = NULL;
	struct plan_line *lines = NULL;
	size_t nlines = 0, total = 0;
	enum err e = ERR_OK;
	if (!plan_valid(d))
		return ERR_INVALID;
	for (size_t i = 0; i < d->ndays; i++)
		total += 1 + (d->days[i].n ? d->days[i].n : 1);
	lines = g_new0(struct plan_line, total ? total : 1);
	for (size_t i = 0; i < d->ndays; i++) {
		lines[nlines++] = (struct plan_line){i, NULL, 0};
		if (!d->days[i].n)
			lines[nlines++] = (struct plan_line){i, NULL, 1};
		for (size_t k = 0; k < d->days[i].n; k++)
			lines[nlines++] = (struct plan_line){i, &d->days[i].rows[k], k + 1};
	}
	size_t pages = nlines ? (nlines + DOC_DAILY_ROWS_PER_PAGE - 1) / DOC_DAILY_ROWS_PER_PAGE : 1;
	surf = cairo_pdf_surface_create_for_stream(write_cb, &sink, PAGE_W, PAGE_H);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		e = ERR_IO;
		goto out;
	}
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, "出欠予定表");
	cr = cairo_create(surf);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (size_t p = 0; p < pages; p++) {
		page_head(cr, "出欠予定表", d->printed, d->site_name, d->site_code, d->period,
			  plan_cols, PLAN_NCOLS);
		size_t first = p * DOC_DAILY_ROWS_PER_PAGE;
		size_t last = first + DOC_DAILY_ROWS_PER_PAGE;
		if (last > nlines)
			last = nlines;
		double y = TABLE_TOP;
		for (size_t i = first; i < last; i++, y += ROW_H) {
			const struct plan_line *l = &lines[i];
			const struct doc_plan_day *day = &d->days[l->day];
			if (!l->row && l->no == 0) {
				day_title(cr, day->title, 0, y);
			} else if (!l->row) {
				text(cr, "予定のある児童はいません", MARGIN + 2.0 * MM, y + 1.4 * MM, 0,
				     9, 9);
			} else {
				/* A day running onto a new page says whose rows these are. */
				if (i == first) {
					day_title(cr, day->title, 1, y);
					y += ROW_H;
				}
				char num[24], grade[16];
				snprintf(num, sizeof num, "%zu", l->no);
				snprintf(grade, sizeof grade, "%d年", l->row->grade);
				const char *cells[PLAN_NCOLS] = {
				    num,	     grade,	      l->row->child_no, l->row->name,
				    l->row->plan, l->row->leave, l->row->way_home, l->row->note};
				cells_row(cr, cells, plan_cols, PLAN_NCOLS, 3, y);
			}
		}
		if (nlines == 0)
			text(cr, "この期間に開所日はありません", MARGIN + 2.0 * MM, y + 2.0 * MM, 0,
			     10, 10);
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
	g_free(lines);
	return e;
}
