/* SPDX-License-Identifier: MIT */
/* metrics_access.h — who may read /metrics: loopback callers that no proxy forwarded, and
 * others that bring [http] metrics_token as a bearer token. */
#ifndef MIMAMORI_HTTP_METRICS_ACCESS_H
#define MIMAMORI_HTTP_METRICS_ACCESS_H

struct MHD_Connection;

enum metrics_access {
	METRICS_ALLOWED,
	METRICS_BAD_TOKEN, /* a bearer token that is not the configured one: 401 */
	METRICS_HIDDEN,	   /* anyone else: 404, as if there were no such page */
};

/* Decides for the request on mc; token is the configured metrics token or NULL (then only
 * loopback). A request that came through a proxy (X-Real-IP or X-Forwarded-For) is not
 * loopback's even when the proxy runs on the same host. */
enum metrics_access http_metrics_access(struct MHD_Connection *mc, const char *token);

#endif
