/* SPDX-License-Identifier: MIT */
/* verp.c — VERP return paths (bounces+<outbox id>-<mac>@domain) that name the outbox row a
 * bounce belongs to, with a keyed mac so that nobody can forge one for another row. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/mail.h"
#include "mail/mail_internal.h"

#define VERP_PREFIX "bounces+"
#define VERP_PREFIX_LEN 8
#define VERP_PURPOSE "verp"

enum err mail_verp_make(const struct vault *v, int64_t outbox_id, const char *domain, char *out,
			size_t n)
{
	char id[64];
	if (!domain || !*domain)
		return ERR_INVALID;
	enum err e =
	    mail_keyed_id_write(v, VERP_PURPOSE, outbox_id, MAIL_VERP_MAC_LEN, id, sizeof id);
	if (e != ERR_OK)
		return e;
	int w = snprintf(out, n, VERP_PREFIX "%s@%s", id, domain);
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
	const char *p = addr;
	int64_t id = 0;
	int forged = 0;
	*outbox_id = 0;
	if (!p)
		return ERR_NOTFOUND;
	while (*p == ' ' || *p == '\t' || *p == '<')
		p++;
	if (strncasecmp(p, VERP_PREFIX, VERP_PREFIX_LEN) != 0)
		return ERR_NOTFOUND;
	/* The shape first — digits, '-', exactly MAIL_VERP_MAC_LEN hex characters, '@' and a
	 * domain (at least one character, nothing after it but a closing '>') — so that only an
	 * address of our shape with a wrong mac counts as forged. */
	const char *q = p + VERP_PREFIX_LEN;
	const char *h = q + strspn(q, "0123456789");
	if (*h != '-' || strspn(h + 1, "0123456789abcdefABCDEF") != MAIL_VERP_MAC_LEN)
		return ERR_NOTFOUND;
	const char *at = h + 1 + MAIL_VERP_MAC_LEN;
	if (*at != '@' || at[1] == '\0' || at[1] == '>')
		return ERR_NOTFOUND;
	if (!mail_keyed_id_read(v, VERP_PURPOSE, q, MAIL_VERP_MAC_LEN, &id, &forged))
		return forged ? ERR_INVALID : ERR_NOTFOUND;
	*outbox_id = id;
	return ERR_OK;
}
