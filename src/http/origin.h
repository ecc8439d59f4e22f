/* SPDX-License-Identifier: MIT */
/* origin.h — where a state-changing request comes from (internal to src/http/): the Origin or
 * Referer of a browser's request against the server's public origin and the request's Host. */
#ifndef MIMAMORI_HTTP_ORIGIN_H
#define MIMAMORI_HTTP_ORIGIN_H
#include <stddef.h>

#define HTTP_ORIGIN_MAX 256

/* Writes the origin of url ("scheme://host[:port]", scheme and host lower-cased, the scheme's
 * default port dropped) into out (n bytes). Returns 0, or -1 when url is not an http(s) URL
 * with a host (or out is too small). */
int http_origin_of(const char *url, char *out, size_t n);

/* Returns 1 when a request may change state: it carries neither origin nor referer (not a
 * browser's cross-site form: curl, scripts, mail clients), or the origin they name — Origin
 * first, Referer only when Origin is absent — is public_origin, or has the host[:port] of the
 * request's own Host header (a page of this very server, whatever name it was opened by).
 * Else 0 ("null" and unparsable values included). Any argument but public_origin may be NULL. */
int http_origin_allowed(const char *public_origin, const char *host, const char *origin,
			const char *referer);

#endif
