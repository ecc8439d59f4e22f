/* SPDX-License-Identifier: MIT */
/* outbox.c — queues mail: one sealed outbox row per recipient, committed with its cause. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "store/store.h"
#include "vault/vault.h"

/* Message-IDs are a random token at a domain we own no mail for. */
#define MESSAGE_ID_DOMAIN "mimamori.invalid"
#define MESSAGE_ID_BYTES 18

/* A subject must fit one header: no control characters (CR, LF, NUL…) except tab. */
static int subject_valid(const char *s)
{
	if (strnlen(s, MAIL_SUBJECT_MAX + 1) > MAIL_SUBJECT_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

enum err mail_outbox_enqueue(struct store_conn *c, const struct vault *v, const char *send_id,
			     const char *kind, const char *to, const char *subject,
			     const char *body)
{
	enum err e = ERR_OK;
	unsigned char *to_enc = NULL, *subj_enc = NULL, *body_enc = NULL;
	size_t to_len = 0, subj_len = 0, body_len = 0;
	char *domain = NULL, *token = NULL, *mid = NULL;
	struct store_stmt *st = NULL;

	if (!send_id || !kind || !to || !subject || !body ||
	    (strcmp(kind, "notice") != 0 && strcmp(kind, "bulk") != 0) || !mail_address_valid(to) ||
	    !subject_valid(subject)) {
		e = ERR_INVALID;
		goto out;
	}
	if (strnlen(body, MAIL_BODY_MAX + 1) > MAIL_BODY_MAX) {
		e = ERR_TOOLARGE;
		goto out;
	}
	vault_seal(v, "outbox.to", to, strlen(to), &to_enc, &to_len);
	vault_seal(v, "outbox.subject", subject, strlen(subject), &subj_enc, &subj_len);
	vault_seal(v, "outbox.body", body, strlen(body), &body_enc, &body_len);
	domain = mail_address_domain(to);
	token = vault_token(MESSAGE_ID_BYTES);
	mid = xasprintf("<%s@%s>", token, MESSAGE_ID_DOMAIN);
	int64_t now = clock_now_ms();

	/* The row is sealed under the key of the service that queued it, and says whose. */
	st = store_prepare(c, "INSERT INTO outbox (send_id, kind, to_enc, domain, subject_enc, "
			      "body_enc, message_id, state, attempts, next_ms, created_ms, service) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_text(st, 1, send_id);
	store_bind_text(st, 2, kind);
	store_bind_blob(st, 3, to_enc, to_len);
	store_bind_text(st, 4, domain);
	store_bind_blob(st, 5, subj_enc, subj_len);
	store_bind_blob(st, 6, body_enc, body_len);
	store_bind_text(st, 7, mid);
	store_bind_int(st, 8, now);
	store_bind_int(st, 9, now);
	store_bind_text(st, 10, vault_name(v));
	e = store_run(st);
out:
	store_finish(st);
	free(to_enc);
	free(subj_enc);
	free(body_enc);
	free(domain);
	free(token);
	free(mid);
	return e;
}

enum err mail_outbox_enqueue_bulk(struct store_conn *c, const struct vault *v,
				  const char *send_id, const char *to, const char *subject,
				  const char *body, enum mail_skip *skip)
{
	int bouncing = 0, unsubscribed = 0;
	enum err e = ERR_INVALID;
	*skip = MAIL_QUEUED;
	/* Every list says whether it may be left: an undeclared one is a mistake of the caller. */
	if (!send_id || !mail_list_of(send_id) || !mail_address_valid(to))
		return e;
	/* Notices (entry, exit, alerts, links) still go to such an address: they are few, and
	 * each may matter that day. Bulk mail waits for a new confirmation or stays stopped. */
	e = mail_bounce_is_bouncing(c, v, to, &bouncing);
	if (e == ERR_OK && bouncing) {
		*skip = MAIL_SKIP_BOUNCING;
		return ERR_OK;
	}
	if (e == ERR_OK)
		e = mail_unsubscribed(c, v, to, send_id, &unsubscribed);
	if (e == ERR_OK && unsubscribed) {
		*skip = MAIL_SKIP_UNSUBSCRIBED;
		return ERR_OK;
	}
	if (e == ERR_OK)
		e = mail_outbox_enqueue(c, v, send_id, "bulk", to, subject, body);
	return e;
}
