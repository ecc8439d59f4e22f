/* SPDX-License-Identifier: MIT */
/* pdf_text.c — pango layouts reused per style across pages, and the boxed table of fields. */
#include "doc/pdf_text.h"

#include "base/xalloc.h"

#define PEN_SLOTS 16

struct pen_slot {
	int size10; /* size in tenths of a point; 0: free */
	int bold;
	int mono;
	PangoLayout *layout;
};

struct doc_pen {
	cairo_t *cr;
	struct pen_slot slot[PEN_SLOTS];
	size_t next; /* the slot replaced when all are taken */
};

struct doc_pen *doc_pen_new(cairo_t *cr)
{
	struct doc_pen *p = xcalloc(1, sizeof *p);
	p->cr = cr;
	return p;
}

void doc_pen_free(struct doc_pen *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < PEN_SLOTS; i++)
		if (p->slot[i].layout)
			g_object_unref(p->slot[i].layout);
	free(p);
}

PangoLayout *doc_pen_new_layout(struct doc_pen *p, double size, int bold, int mono)
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_from_string(mono ? DOC_MONO : DOC_FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_spacing(l, (int)(size * 0.35 * PANGO_SCALE));
	return l;
}

static PangoLayout *layout_for(struct doc_pen *p, double size, int bold, int mono)
{
	int size10 = (int)(size * 10.0 + 0.5);
	for (size_t i = 0; i < PEN_SLOTS; i++) {
		struct pen_slot *s = &p->slot[i];
		if (s->layout && s->size10 == size10 && s->bold == bold && s->mono == mono)
			return s->layout;
	}
	struct pen_slot *s = NULL;
	for (size_t i = 0; i < PEN_SLOTS && !s; i++)
		if (!p->slot[i].layout)
			s = &p->slot[i];
	if (!s) {
		s = &p->slot[p->next];
		p->next = (p->next + 1) % PEN_SLOTS;
		g_object_unref(s->layout);
	}
	PangoLayout *l = doc_pen_new_layout(p, size, bold, mono);
	*s = (struct pen_slot){size10, bold, mono, l};
	return l;
}

double doc_pen_text(struct doc_pen *p, const char *s, double x, double y, double w, double size,
		    PangoAlignment align, int bold, int mono)
{
	PangoLayout *l = layout_for(p, size, bold, mono);
	int tw = 0, th = 0;
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, s, -1);
	pango_layout_get_size(l, &tw, &th);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
	return (double)th / PANGO_SCALE;
}

double doc_pen_height(struct doc_pen *p, const char *s, double w, double size, int bold, int mono)
{
	PangoLayout *l = layout_for(p, size, bold, mono);
	int tw = 0, th = 0;
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_text(l, s, -1);
	pango_layout_get_size(l, &tw, &th);
	return (double)th / PANGO_SCALE;
}

double doc_pen_fields(struct doc_pen *p, const struct doc_letter_field *f, size_t nf, double x,
		      double y, double w)
{
	const double label_w = 42.0 * DOC_MM;
	double top = y;
	cairo_set_line_width(p->cr, 0.8);
	for (size_t i = 0; i < nf; i++) {
		double size = f[i].mono ? 15 : 11;
		double vh = doc_pen_text(p, f[i].value, x + label_w + 4.0 * DOC_MM,
					 y + 3.0 * DOC_MM, w - label_w - 8.0 * DOC_MM, size,
					 PANGO_ALIGN_LEFT, f[i].mono, f[i].mono);
		double row_h = vh + 6.0 * DOC_MM;
		doc_pen_text(p, f[i].label, x + 3.0 * DOC_MM, y + (row_h - 11) / 2 - 1,
			     label_w - 4.0 * DOC_MM, 10, PANGO_ALIGN_LEFT, 1, 0);
		cairo_rectangle(p->cr, x, y, w, row_h);
		cairo_move_to(p->cr, x + label_w, y);
		cairo_line_to(p->cr, x + label_w, y + row_h);
		cairo_stroke(p->cr);
		y += row_h;
	}
	return y - top;
}
