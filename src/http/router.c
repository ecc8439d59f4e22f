/* SPDX-License-Identifier: MIT */
/* router.c — matching a method and path against the static route table. */
#include "http/http.h"

#include <string.h>

/* Matches pattern against path segment by segment; {} takes one non-empty segment. */
static int match(const char *pattern, char *path, const char *params[HTTP_MAX_PARAMS])
{
	int np = 0;
	const char *p = pattern;
	char *q = path;
	while (*p && *q) {
		if (p[0] == '{' && p[1] == '}') {
			char *end = strchr(q, '/');
			size_t len = end ? (size_t)(end - q) : strlen(q);
			if (len == 0 || np >= HTTP_MAX_PARAMS)
				return 0;
			params[np++] = q;
			q += len;
			p += 2;
			if (*q == '/' && *p == '/') {
				*q = '\0'; /* terminate the parameter in the scratch copy */
				q++;
				p++;
			}
			continue;
		}
		if (*p != *q)
			return 0;
		p++;
		q++;
	}
	return *p == '\0' && *q == '\0';
}

const struct http_route *http_route_match(const struct http_route *routes, const char *method,
					  const char *path, char *scratch,
					  const char *params[HTTP_MAX_PARAMS], int *path_known)
{
	size_t n = strlen(path);
	*path_known = 0;
	for (const struct http_route *r = routes; r->method; r++) {
		memcpy(scratch, path, n + 1);
		const char *tmp[HTTP_MAX_PARAMS] = {0};
		if (!match(r->pattern, scratch, tmp))
			continue;
		if (strcmp(r->method, method) != 0) {
			*path_known = 1;
			continue;
		}
		memcpy(params, tmp, sizeof tmp);
		return r;
	}
	return NULL;
}

int64_t http_param_id(const char *s)
{
	int64_t v = 0;
	if (!s || !*s || strlen(s) > 15)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}
