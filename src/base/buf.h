/* SPDX-License-Identifier: MIT */
/* buf.h — a growable byte buffer with a hard size cap (like curl's dynbuf). */
#ifndef MIMAMORI_BASE_BUF_H
#define MIMAMORI_BASE_BUF_H
#include <stddef.h>

#include "base/err.h"

struct buf {
	char *data;   /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;   /* appends that would pass this fail with ERR_TOOLARGE */
};

/* Appends s as a JSON string (quoted; '"', '\\' and control characters escaped; UTF-8 kept),
 * or null when s is NULL. */
enum err buf_json_string(struct buf *b, const char *s);
/* Initialises b empty with the given cap; no allocation yet. */
void buf_init(struct buf *b, size_t max);
/* Appends n bytes; ERR_TOOLARGE (and b unchanged) past the cap. */
enum err buf_append(struct buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
enum err buf_puts(struct buf *b, const char *s);
/* Appends formatted text. */
enum err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns b's data, handing ownership to the caller (free()); b is left empty. */
char *buf_steal(struct buf *b);
/* Frees b's data; b may be reused after buf_init. */
void buf_free(struct buf *b);

#endif
