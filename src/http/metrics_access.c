/* SPDX-License-Identifier: MIT */
/* metrics_access.c — /metrics for loopback (not through a proxy) or a bearer token. */
#include "http/metrics_access.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>

#include "vault/vault.h"

/* 1 when the peer of mc is 127.0.0.0/8 or ::1 (or ::ffff:127.x). */
static int peer_loopback(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return 0;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ci->client_addr;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ci->client_addr;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

enum metrics_access http_metrics_access(struct MHD_Connection *mc, const char *token)
{
	const char *authz = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Authorization");
	if (authz && strncmp(authz, "Bearer ", 7) == 0) {
		const char *got = authz + 7;
		if (token && strlen(got) == strlen(token) && vault_equal_str(got, token))
			return METRICS_ALLOWED;
		return METRICS_BAD_TOKEN;
	}
	if (MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Real-IP") ||
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-For"))
		return METRICS_HIDDEN;
	return peer_loopback(mc) ? METRICS_ALLOWED : METRICS_HIDDEN;
}
