/* SPDX-License-Identifier: MIT */
/* xalloc.h — allocators that never return NULL (they abort on out-of-memory). */
#ifndef MIMAMORI_BASE_XALLOC_H
#define MIMAMORI_BASE_XALLOC_H
#include <stddef.h>

/* Each returns memory the caller frees with free(); none returns NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a malloc'd copy of s (s may be NULL → NULL). */
char *xstrdup(const char *s);
/* Returns a malloc'd NUL-terminated copy of the first n bytes of s. */
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string (like asprintf, aborting on OOM). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
