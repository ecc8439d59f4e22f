/* SPDX-License-Identifier: MIT */
/* qr.c — QR code rendering with libqrencode onto cairo. */
#include "doc/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#define QR_QUIET 4 /* modules of quiet zone each side, as ISO/IEC 18004 asks */

/* Draws text as a QR code on cr (caller-owned); returns ERR_OK or why not (see qr.h). */
enum err doc_qr_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
	if (!text || !*text || !(size > 0))
		return ERR_INVALID;
	/* encodeData always uses 8-bit mode; version 0 = smallest that fits. */
	QRcode *qr =
	    QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (!qr)
		return errno == ERANGE ? ERR_TOOLARGE : ERR_INVALID;

	int w = qr->width;
	double mod = size / (double)(w + 2 * QR_QUIET);

	cairo_save(cr);
	cairo_new_path(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < w; r++) {
		int c = 0;
		while (c < w) {
			if (!(qr->data[r * w + c] & 1)) {
				c++;
				continue;
			}
			/* One rectangle per horizontal run keeps the PDF small and gap-free. */
			int start = c;
			while (c < w && (qr->data[r * w + c] & 1))
				c++;
			cairo_rectangle(cr, x + (start + QR_QUIET) * mod, y + (r + QR_QUIET) * mod,
					(c - start) * mod, mod);
		}
	}
	cairo_fill(cr);
	cairo_restore(cr);
	QRcode_free(qr);
	return ERR_OK;
}
