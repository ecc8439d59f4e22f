/* SPDX-License-Identifier: MIT */
/* qr_png.c — a QR code drawn on a cairo image surface and written as PNG into a buffer. */
#include "doc/qr_png.h"

#include <cairo.h>

#include "base/buf.h"
#include "doc/qr.h"

static cairo_status_t write_png(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_append(closure, data, len) == ERR_OK ? CAIRO_STATUS_SUCCESS
							: CAIRO_STATUS_WRITE_ERROR;
}

enum err doc_qr_png(const char *text, int px, struct buf *out)
{
	if (px < 64 || px > 2048)
		return ERR_INVALID;
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, px, px);
	cairo_t *cr = cairo_create(sf);
	enum err e = doc_qr_draw(cr, text, 0, 0, px);
	cairo_destroy(cr);
	if (e == ERR_OK) {
		cairo_surface_flush(sf);
		e = cairo_surface_write_to_png_stream(sf, write_png, out) == CAIRO_STATUS_SUCCESS
			? ERR_OK
			: ERR_IO;
	}
	cairo_surface_destroy(sf);
	return e;
}
