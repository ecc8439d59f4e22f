/* SPDX-License-Identifier: MIT */
/* keyed_id.c — "<id>-<mac>": an outbox row's id with a keyed mac, so that nobody without the
 * data key can name another row (VERP return paths, List-Unsubscribe tokens), alone or as
 * the local part "<prefix><id>-<mac>@domain" of an address. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

#define ID_DIGITS_MAX 18 /* < 2^63 */

/* Writes the mac of id for purpose (mac_len lower-case hex characters and a NUL) into mac. */
static void keyed_mac(const struct vault *v, const char *purpose, int64_t id, size_t mac_len,
		      char *mac)
{
	char text[32];
	unsigned char h[VAULT_BLIND_LEN];
	char hex[2 * VAULT_BLIND_LEN + 1];
	snprintf(text, sizeof text, "%" PRId64, id);
	vault_blind(v, purpose, text, h);
	vault_hex(h, VAULT_BLIND_LEN, hex);
	memcpy(mac, hex, mac_len);
	mac[mac_len] = '\0';
}

enum err mail_keyed_id_write(const struct vault *v, const char *purpose, int64_t id, size_t mac_len,
			     char *out, size_t n)
{
	char mac[2 * VAULT_BLIND_LEN + 1];
	if (id <= 0 || mac_len > 2 * VAULT_BLIND_LEN)
		return ERR_INVALID;
	keyed_mac(v, purpose, id, mac_len, mac);
	int w = snprintf(out, n, "%" PRId64 "-%s", id, mac);
	if (w < 0 || (size_t)w >= n) {
		if (n)
			out[0] = '\0';
		return ERR_TOOLARGE;
	}
	return ERR_OK;
}

const char *mail_keyed_id_read(const struct vault *v, const char *purpose, const char *p,
			       size_t mac_len, int64_t *id, int *forged)
{
	char mac[2 * VAULT_BLIND_LEN + 1], got[2 * VAULT_BLIND_LEN + 1];
	int64_t n = 0;
	size_t digits = 0;
	*id = 0;
	if (mac_len > 2 * VAULT_BLIND_LEN)
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > ID_DIGITS_MAX)
			return NULL;
		n = n * 10 + (*p - '0');
	}
	if (digits == 0 || n <= 0 || *p != '-')
		return NULL;
	p++;
	for (size_t i = 0; i < mac_len; i++, p++) {
		if (!isxdigit((unsigned char)*p))
			return NULL;
		got[i] = (char)tolower((unsigned char)*p);
	}
	got[mac_len] = '\0';
	keyed_mac(v, purpose, n, mac_len, mac);
	if (!vault_equal(mac, got, mac_len)) {
		*forged = 1;
		return NULL;
	}
	*id = n;
	return p;
}

enum err mail_keyed_address_write(const struct vault *v, const char *purpose, const char *prefix,
				  int64_t id, size_t mac_len, const char *domain, char *out,
				  size_t n)
{
	char kid[96];
	if (!domain || !*domain)
		return ERR_INVALID;
	enum err e = mail_keyed_id_write(v, purpose, id, mac_len, kid, sizeof kid);
	if (e != ERR_OK)
		return e;
	int w = snprintf(out, n, "%s%s@%s", prefix, kid, domain);
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

enum err mail_keyed_address_read(const struct vault *v, const char *purpose, const char *prefix,
				 size_t mac_len, const char *addr, int64_t *id)
{
	const char *p = addr;
	size_t plen = strlen(prefix);
	int forged = 0;
	*id = 0;
	if (!p)
		return ERR_NOTFOUND;
	while (*p == ' ' || *p == '\t' || *p == '<')
		p++;
	if (strncasecmp(p, prefix, plen) != 0)
		return ERR_NOTFOUND;
	/* The shape first — digits, '-', exactly mac_len hex characters, '@' and a domain (at
	 * least one character, nothing after it but a closing '>') — so that only an address of
	 * our shape with a wrong mac counts as forged. */
	const char *q = p + plen;
	const char *h = q + strspn(q, "0123456789");
	if (*h != '-' || strspn(h + 1, "0123456789abcdefABCDEF") != mac_len)
		return ERR_NOTFOUND;
	const char *at = h + 1 + mac_len;
	if (*at != '@' || at[1] == '\0' || at[1] == '>')
		return ERR_NOTFOUND;
	if (!mail_keyed_id_read(v, purpose, q, mac_len, id, &forged))
		return forged ? ERR_INVALID : ERR_NOTFOUND;
	return ERR_OK;
}
