/* SPDX-License-Identifier: MIT */
/* mail.c — the mail course sign-up sends a person (the confirmation, a move up from the waitlist,
 * a cancellation, a session cancelled or changed, the reminder of the day before): queued
 * through the platform's outbox under the service's key, inside the caller's transaction. */
#include "course/course.h"

#include <stdio.h>

#include "mail/mail.h"

enum err course_mail(struct course_ctx *x, const char *kind, const struct course_person *p,
		     const char *subject, const char *body)
{
	char send_id[64];
	snprintf(send_id, sizeof send_id, "course:%s", kind);
	enum err e = mail_outbox_enqueue(x->c, x->v, send_id, "notice", p->email, subject, body);
	if (e == ERR_OK)
		x->mails++;
	return e;
}
