/* SPDX-License-Identifier: MIT */
/* origin.c — parsing origins and the Origin/Referer check against login CSRF: a cross-site
 * form can send a sign-in (which needs no CSRF token) and set the victim's cookie; its
 * browser always names the foreign page in Origin (or, failing that, Referer). */
#include "http/origin.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

int http_origin_of(const char *url, char *out, size_t n)
{
	const char *scheme_end = url ? strstr(url, "://") : NULL;
	if (!scheme_end)
		return -1;
	size_t slen = (size_t)(scheme_end - url);
	int https;
	if (slen == 4 && strncasecmp(url, "http", 4) == 0)
		https = 0;
	else if (slen == 5 && strncasecmp(url, "https", 5) == 0)
		https = 1;
	else
		return -1;
	const char *host = scheme_end + 3;
	size_t hlen = strcspn(host, "/?#");
	if (hlen == 0 || memchr(host, '@', hlen))
		return -1;
	/* Drop the scheme's default port, as browsers do in Origin. The port follows the last
	 * ':' after an IPv6 literal's ']'. */
	const char *after = host;
	if (host[0] == '[') {
		const char *rb = memchr(host, ']', hlen);
		if (!rb)
			return -1;
		after = rb;
	}
	const char *colon = NULL;
	for (const char *q = after; q < host + hlen; q++)
		if (*q == ':')
			colon = q;
	if (colon && strncmp(colon, https ? ":443" : ":80", https ? 4 : 3) == 0 &&
	    (size_t)(host + hlen - colon) == (size_t)(https ? 4 : 3))
		hlen = (size_t)(colon - host);
	size_t need = (size_t)(https ? 8 : 7) + hlen + 1;
	if (need > n)
		return -1;
	memcpy(out, https ? "https://" : "http://", https ? 8 : 7);
	char *p = out + (https ? 8 : 7);
	for (size_t i = 0; i < hlen; i++) {
		unsigned char ch = (unsigned char)host[i];
		if (ch <= ' ' || ch == 0x7f)
			return -1;
		*p++ = (char)tolower(ch);
	}
	*p = '\0';
	return 0;
}

/* 1 when origin (normalised) is public_origin or names the host[:port] of Host. */
static int same(const char *public_origin, const char *host, const char *origin)
{
	if (strcmp(origin, public_origin) == 0)
		return 1;
	if (!host || !host[0])
		return 0;
	const char *h = strstr(origin, "://") + 3;
	/* Host carries the port only when it is not the default one, like the origin. */
	size_t hl = strlen(host);
	if (hl > 3 && strcmp(host + hl - 3, ":80") == 0 && strncmp(origin, "http:", 5) == 0)
		hl -= 3;
	else if (hl > 4 && strcmp(host + hl - 4, ":443") == 0 && strncmp(origin, "https:", 6) == 0)
		hl -= 4;
	return strlen(h) == hl && strncasecmp(h, host, hl) == 0;
}

int http_origin_allowed(const char *public_origin, const char *host, const char *origin,
			const char *referer)
{
	char o[HTTP_ORIGIN_MAX];
	const char *named = origin ? origin : referer;
	if (!named)
		return 1;
	if (http_origin_of(named, o, sizeof o) != 0)
		return 0;
	return same(public_origin, host, o);
}
