/* SPDX-License-Identifier: MIT */
/* verp.c — VERP return paths (bounces+<outbox id>-<mac>@domain) that name the outbox row a
 * bounce belongs to, with a keyed mac so that nobody can forge one for another row. */
#include "mail/mail.h"
#include "mail/mail_internal.h"

#define VERP_PREFIX "bounces+"
#define VERP_PURPOSE "verp"

enum err mail_verp_make(const struct vault *v, int64_t outbox_id, const char *domain, char *out,
			size_t n)
{
	return mail_keyed_address_write(v, VERP_PURPOSE, VERP_PREFIX, outbox_id, MAIL_VERP_MAC_LEN,
					domain, out, n);
}

enum err mail_verp_parse(const struct vault *v, const char *addr, int64_t *outbox_id)
{
	return mail_keyed_address_read(v, VERP_PURPOSE, VERP_PREFIX, MAIL_VERP_MAC_LEN, addr,
				       outbox_id);
}
