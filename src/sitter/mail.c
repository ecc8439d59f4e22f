/* SPDX-License-Identifier: MIT */
/* mail.c — the mail the babysitter subsidy sends its applicants (a confirmation, a request for
 * correction, a request for a correct account): queued through the platform's outbox under the
 * service's key, inside the caller's transaction. */
#include "sitter/sitter.h"

#include <stdio.h>

#include "app.h"
#include "mail/mail.h"

enum err sitter_mail(struct app *a, struct store_conn *c, const char *kind, const char *to,
		     const char *subject, const char *body)
{
	char send_id[64];
	snprintf(send_id, sizeof send_id, "sitter:%s", kind);
	return mail_outbox_enqueue(c, sitter_vault(a), send_id, "notice", to, subject, body);
}
