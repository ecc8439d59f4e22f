/* SPDX-License-Identifier: MIT */
/* qr.h — draws a string as a QR code (libqrencode) onto a cairo context. */
#ifndef MIMAMORI_DOC_QR_H
#define MIMAMORI_DOC_QR_H
#include <cairo.h>

#include "base/err.h"

/*
 * Draws text as a QR code (error correction M, 8-bit mode) into the square at (x, y) with
 * side size (user units of cr), including a white quiet zone of 4 modules on each side.
 * The caller keeps ownership of cr and text; cr's path and source are restored.
 * Returns ERR_OK, ERR_INVALID (empty text or size <= 0) or ERR_TOOLARGE (text does not
 * fit in any QR version).
 */
enum err doc_qr_draw(cairo_t *cr, const char *text, double x, double y, double size);

#endif
