/* SPDX-License-Identifier: MIT */
/* startup.h — what the HTTP server sets up once (internal to src/http/): the open-file limit,
 * the trusted proxies of the configuration, and libmicrohttpd's messages into our log. */
#ifndef MIMAMORI_HTTP_STARTUP_H
#define MIMAMORI_HTTP_STARTUP_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Raises this process's soft limit of open files to the hard one (each connection is a
 * descriptor) and returns how many of want connections fit under it with spare descriptors
 * left for everything else (warning in the log when fewer than want). */
unsigned http_fit_descriptors(unsigned want, unsigned spare);

/* Parses list ("a.b.c.d, e.f.g.h", may be NULL) into at most max IPv4 addresses (network
 * order) in out; warns about anything else. Returns how many. */
size_t http_parse_proxies(const char *list, uint32_t *out, size_t max);

/* libmicrohttpd's external logger: its messages (a client closed its connection, a request too
 * large …) into our log, at most 20 a minute, so that an attack cannot flood stderr (they name
 * no request content). cls is unused. */
void http_library_log(void *cls, const char *fmt, va_list ap);

#endif
