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

/* Inserts the row; list is the bulk message's list (NULL for a notice), o its options; with
 * h, the row is claimed for h's sender and its job added to h (handoff.c). */
static enum err insert(struct store_conn *c, const struct vault *v, const char *send_id,
		       const char *kind, const char *to, const char *subject, const char *body,
		       const char *list, const struct mail_bulk_opts *o, struct mail_handoff *h)
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
			      "body_enc, message_id, state, attempts, next_ms, created_ms, service, "
			      "list, owner_id, read_link, claimed_by) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)");
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
	store_bind_text(st, 8, h ? "sending" : "queued");
	store_bind_int(st, 9, now);
	store_bind_int(st, 10, now);
	store_bind_text(st, 11, vault_name(v));
	store_bind_text(st, 12, list);
	if (o && o->owner_id)
		store_bind_int(st, 13, o->owner_id);
	else
		store_bind_null(st, 13);
	store_bind_int(st, 14, o && o->read_link ? 1 : 0);
	if (h)
		store_bind_text(st, 15, mail_handoff_claimer(h));
	else
		store_bind_null(st, 15);
	e = store_run(st);
	if (e == ERR_OK && h) {
		/* The job takes the sealed blobs and the names: nothing to copy. */
		const struct mail_sealed sealed = {
		    store_last_id(c), kind, vault_name(v), now, {to_enc, subj_enc, body_enc},
		    {to_len, subj_len, body_len}, domain, mid};
		mail_handoff_add(h, &sealed);
		to_enc = subj_enc = body_enc = NULL;
		domain = mid = NULL;
	}
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

enum err mail_outbox_enqueue(struct store_conn *c, const struct vault *v, const char *send_id,
			     const char *kind, const char *to, const char *subject,
			     const char *body)
{
	return insert(c, v, send_id, kind, to, subject, body, NULL, NULL, NULL);
}

enum err mail_outbox_enqueue_handoff(struct store_conn *c, const struct vault *v,
				     const char *send_id, const char *to, const char *subject,
				     const char *body, struct mail_handoff *h)
{
	return insert(c, v, send_id, "notice", to, subject, body, NULL, NULL, h);
}

enum err mail_outbox_blank(struct store_conn *c, const struct vault *v, const char *send_id,
			   const char *text)
{
	unsigned char *subj = NULL, *body = NULL;
	size_t subj_len = 0, body_len = 0;
	vault_seal(v, "outbox.subject", text, strlen(text), &subj, &subj_len);
	vault_seal(v, "outbox.body", text, strlen(text), &body, &body_len);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE outbox SET subject_enc = ?, body_enc = ? WHERE send_id = ? AND service = ?");
	if (st) {
		store_bind_blob(st, 1, subj, subj_len);
		store_bind_blob(st, 2, body, body_len);
		store_bind_text(st, 3, send_id);
		store_bind_text(st, 4, vault_name(v));
		e = store_run(st);
	}
	store_finish(st);
	free(subj);
	free(body);
	return e;
}

enum err mail_outbox_enqueue_bulk(struct store_conn *c, const struct vault *v,
				  const char *send_id, const char *to, const char *subject,
				  const char *body, const struct mail_bulk_opts *o,
				  enum mail_skip *skip)
{
	int bouncing = 0, unsubscribed = 0;
	struct mail_list_info list;
	*skip = MAIL_QUEUED;
	if (!send_id || !mail_address_valid(to))
		return ERR_INVALID;
	/* The message's list: the send's, or the recipient's own (one per school). */
	const char *on = o && o->list ? o->list : send_id;
	/* Every list says whether it may be left, and whose it is: an undeclared one, or another
	 * service's, is a mistake of the caller. */
	enum err e = mail_list_find(c, on, &list);
	if (e == ERR_NOTFOUND || (e == ERR_OK && strcmp(list.service, vault_name(v)) != 0))
		return ERR_INVALID;
	if (e != ERR_OK)
		return e;
	/* Notices (entry, exit, alerts, links) still go to such an address: they are few, and
	 * each may matter that day. Bulk mail waits for a new confirmation or stays stopped. */
	e = mail_bounce_is_bouncing(c, v, to, &bouncing);
	if (e == ERR_OK && bouncing) {
		*skip = MAIL_SKIP_BOUNCING;
		return ERR_OK;
	}
	if (e == ERR_OK)
		e = mail_unsubscribed(c, v, to, on, &unsubscribed);
	if (e == ERR_OK && unsubscribed) {
		*skip = MAIL_SKIP_UNSUBSCRIBED;
		return ERR_OK;
	}
	if (e == ERR_OK)
		e = insert(c, v, send_id, "bulk", to, subject, body, list.name, o, NULL);
	return e;
}
