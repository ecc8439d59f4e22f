/* SPDX-License-Identifier: MIT */
/* mailer.c — where this service queues its notices (sign-up replies, confirmations, edit links,
 * alerts; its bulk sends go through src/bulk/ with school_kind), sealed under its own key, and
 * the footer every mail to a registered address carries. */
#include "schoolmail/schoolmail.h"

#include <stdio.h>

#include "base/buf.h"
#include "mail/mail.h"

enum err schoolmail_mail_queue(struct store_conn *c, const struct vault *v, const char *what,
			       const char *to, const char *subject, const char *body)
{
	char send_id[64];
	snprintf(send_id, sizeof send_id, "schoolmail:%s", what);
	return mail_outbox_enqueue(c, v, send_id, "notice", to, subject, body);
}

void schoolmail_footer(struct buf *b, const struct vault *v, const char *base_url,
		       int64_t address_id, int64_t school_id)
{
	char token[128];
	schoolmail_manage_token(v, address_id, school_id, token, sizeof token);
	buf_printf(b,
		   "\n--\n"
		   "登録内容の変更・登録の解除はこちら:\n%s/school/manage/#t=%s\n",
		   base_url, token);
}

enum err schoolmail_footer_line(struct buf *b, const struct vault *v, const char *base_url,
				int64_t address_id, int64_t school_id)
{
	char token[128];
	schoolmail_manage_token(v, address_id, school_id, token, sizeof token);
	return buf_printf(b, "登録内容の変更・登録の解除: %s/school/manage/#t=%s\n", base_url,
			  token);
}
