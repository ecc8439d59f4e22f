/* SPDX-License-Identifier: MIT */
/* headers.h — the security headers every answer carries (internal to src/http/). */
#ifndef MIMAMORI_HTTP_HEADERS_H
#define MIMAMORI_HTTP_HEADERS_H
#include <microhttpd.h>

/* Adds Content-Security-Policy, X-Content-Type-Options, X-Frame-Options and Referrer-Policy
 * to r: every answer (files, API, errors, redirects, 404s) carries them. */
void http_security_headers(struct MHD_Response *r);

/* Queues a plain-text answer of status with the static (Japanese) text msg and the security
 * headers; extra_name/extra_value (both NULL or both static) add one more header. */
enum MHD_Result http_plain(struct MHD_Connection *c, unsigned status, const char *msg,
			   const char *extra_name, const char *extra_value);

#endif
