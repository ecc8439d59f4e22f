/* SPDX-License-Identifier: MIT */
/* keyed_id.c — "<id>-<mac>": an outbox row's id with a keyed mac, so that nobody without the
 * data key can name another row (VERP return paths, List-Unsubscribe tokens). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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
