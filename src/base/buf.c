/* SPDX-License-Identifier: MIT */
/* buf.c — capped growable buffer. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

enum err buf_append(struct buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return ERR_TOOLARGE;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum err buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_INVALID;
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	char *tmp = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	va_end(ap);
	enum err e = buf_append(b, tmp, (size_t)n);
	free(tmp);
	return e;
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;
	if (!p)
		p = xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

enum err buf_json_string(struct buf *b, const char *s)
{
	if (!s)
		return buf_puts(b, "null");
	enum err e = buf_puts(b, "\"");
	const char *run = s;
	for (const char *p = s; e == ERR_OK; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		e = buf_append(b, run, (size_t)(p - run));
		if (e != ERR_OK || ch == 0)
			break;
		if (ch == '"' || ch == '\\')
			e = buf_printf(b, "\\%c", ch);
		else
			e = buf_printf(b, "\\u%04x", ch);
		run = p + 1;
	}
	return e == ERR_OK ? buf_puts(b, "\"") : e;
}
