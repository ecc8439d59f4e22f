/* SPDX-License-Identifier: MIT */
/* verp.c — VERP return paths (bounces+<outbox id>-<mac>@domain) that name the outbox row a
 * bounce belongs to, with a keyed mac so that nobody can forge one for another row. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/mail.h"
#include "vault/vault.h"

#define VERP_PREFIX "bounces+"
#define VERP_PREFIX_LEN 8
#define VERP_ID_DIGITS_MAX 18 /* < 2^63 */

/* Writes the mac of id (MAIL_VERP_MAC_LEN lower-case hex characters and a NUL) into mac. */
static void verp_mac(const struct vault *v, int64_t id, char mac[MAIL_VERP_MAC_LEN + 1])
{
	char text[32];
	unsigned char h[VAULT_BLIND_LEN];
	char hex[2 * VAULT_BLIND_LEN + 1];
	snprintf(text, sizeof text, "%" PRId64, id);
	vault_blind(v, "verp", text, h);
	vault_hex(h, VAULT_BLIND_LEN, hex);
	memcpy(mac, hex, MAIL_VERP_MAC_LEN);
	mac[MAIL_VERP_MAC_LEN] = '\0';
}

enum err mail_verp_make(const struct vault *v, int64_t outbox_id, const char *domain, char *out,
			size_t n)
{
	char mac[MAIL_VERP_MAC_LEN + 1];
	if (outbox_id <= 0 || !domain || !*domain)
		return ERR_INVALID;
	verp_mac(v, outbox_id, mac);
	int w = snprintf(out, n, VERP_PREFIX "%" PRId64 "-%s@%s", outbox_id, mac, domain);
	if (w < 0 || (size_t)w >= n) {
		if (n)
			out[0] = '\0';
		return ERR_TOOLARGE;
	}
	if (!mail_address_valid(out)) {
		out[0] = '\0';
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err mail_verp_parse(const struct vault *v, const char *addr, int64_t *outbox_id)
{
	char mac[MAIL_VERP_MAC_LEN + 1], got[MAIL_VERP_MAC_LEN + 1];
	const char *p = addr;
	int64_t id = 0;
	size_t digits = 0;
	*outbox_id = 0;
	if (!p)
		return ERR_NOTFOUND;
	while (*p == ' ' || *p == '\t' || *p == '<')
		p++;
	if (strncasecmp(p, VERP_PREFIX, VERP_PREFIX_LEN) != 0)
		return ERR_NOTFOUND;
	p += VERP_PREFIX_LEN;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > VERP_ID_DIGITS_MAX)
			return ERR_NOTFOUND;
		id = id * 10 + (*p - '0');
	}
	if (digits == 0 || id <= 0 || *p != '-')
		return ERR_NOTFOUND;
	p++;
	for (size_t i = 0; i < MAIL_VERP_MAC_LEN; i++, p++) {
		if (!isxdigit((unsigned char)*p))
			return ERR_NOTFOUND;
		got[i] = (char)tolower((unsigned char)*p);
	}
	got[MAIL_VERP_MAC_LEN] = '\0';
	/* Then the domain: at least one character, and nothing after it but a closing '>'. */
	if (*p != '@' || p[1] == '\0' || p[1] == '>')
		return ERR_NOTFOUND;
	verp_mac(v, id, mac);
	if (!vault_equal(mac, got, MAIL_VERP_MAC_LEN))
		return ERR_INVALID;
	*outbox_id = id;
	return ERR_OK;
}
