/* SPDX-License-Identifier: MIT */
/* qr_png.h — a QR code as a PNG image (cairo), for a page to show (the second factor's
 * enrolment). */
#ifndef MIMAMORI_DOC_QR_PNG_H
#define MIMAMORI_DOC_QR_PNG_H

#include "base/err.h"

struct buf;

/* Appends a PNG of text as a QR code (doc_qr_draw), px pixels square (64 to 2048), to out
 * (the caller's buffer). ERR_INVALID, ERR_TOOLARGE as doc_qr_draw; ERR_IO when cairo fails
 * or out is full. */
enum err doc_qr_png(const char *text, int px, struct buf *out);

#endif
