/* SPDX-License-Identifier: MIT */
/* inbound.c — takes one inbound message (mail-in): matches a delivery status notification or
 * VERP-addressed mail to its outbox row and records the bounce, or drops it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define ACTOR "mail-in"

/* Finds the outbox row a VERP address of the message names: the envelope recipient first, then
 * the addresses the message was delivered to or names as the original return path. Sets
 * *forged when a VERP address with a wrong mac was seen. */
static int64_t match_verp(const struct vault *v, const struct mail_dsn *d, const char *rcpt,
			  int *forged)
{
	int64_t id = 0;
	enum err e = mail_verp_parse(v, rcpt, &id);
	if (e == ERR_OK)
		return id;
	*forged |= e == ERR_INVALID;
	for (size_t i = 0; i < d->naddrs; i++) {
		e = mail_verp_parse(v, d->addrs[i], &id);
		if (e == ERR_OK)
			return id;
		*forged |= e == ERR_INVALID;
	}
	return 0;
}

/* The outbox row that was sent with Message-ID mid, or 0. Read outside the write transaction:
 * message_id has no index (see architecture.md), so this scans the outbox, and a scan must not
 * hold the write lock that scans and the sender wait for. */
static enum err match_message_id(struct store *s, const char *mid, int64_t *id)
{
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "SELECT id FROM outbox WHERE message_id = ? ORDER BY id DESC LIMIT 1");
	*id = 0;
	if (st) {
		store_bind_text(st, 1, mid);
		int rc = store_step(st);
		if (rc == STORE_ROW)
			*id = store_col_int(st, 0);
		e = rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	return e;
}

/* Loads row id's recipient (*to, malloc'd: wipe with vault_wipe_free) and queue time, on c.
 * ERR_NOTFOUND when there is no such row. */
static enum err load_row(struct store_conn *c, struct keyring *k, int64_t id, char **to,
			 int64_t *queued_ms, const struct vault **v)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT to_enc, created_ms, service FROM outbox WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		size_t len;
		const void *b = store_col_blob(st, 0, &len);
		*queued_ms = store_col_int(st, 1);
		/* The row's service's key: its address is sealed, and blinded, under it. */
		*v = keyring_vault(k, store_col_text(st, 2));
		/* len 0: its recipient destroyed at the end of its retention period; a bounce
		 * that late is dropped as one for no message of ours */
		e = len == 0 ? ERR_NOTFOUND
		    : *v     ? vault_unseal(*v, "outbox.to", b, len, to)
			     : ERR_CRYPTO;
	}
	store_finish(st);
	return e;
}

/* Records the bounce of row res->outbox_id on c in one transaction (audited). */
static enum err record(struct store_conn *c, struct keyring *k, const struct mail_dsn *d,
		       const char *by, int limit, mail_audit_fn audit,
		       struct mail_inbound_result *res)
{
	const struct vault *v = NULL, *platform = keyring_platform(k);
	char *to = NULL;
	char object[48], detail[96];
	unsigned char idx[VAULT_BLIND_LEN];
	int64_t queued_ms = 0;
	int became = 0;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = load_row(c, k, res->outbox_id, &to, &queued_ms, &v);
	if (e == ERR_NOTFOUND) {
		res->why = "no such outbox row";
		e = ERR_OK;
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	struct mail_bounce_event ev = {.outbox_id = res->outbox_id,
				       .queued_ms = queued_ms,
				       .idx = idx,
				       .kind = "other",
				       .action = "",
				       .status = "",
				       .diagnostic = "",
				       .matched_by = by};
	if (d->is_dsn) {
		size_t which = 0;
		res->kind = mail_dsn_verdict(d, to, &which);
		if (res->kind == MAIL_BOUNCE_NONE) {
			res->why = "the notification reports no failure";
			goto out;
		}
		ev.kind = res->kind == MAIL_BOUNCE_HARD ? "hard" : "soft";
		ev.action = d->rcpt[which].action;
		ev.status = d->rcpt[which].status;
		snprintf(res->status, sizeof res->status, "%s", ev.status);
		ev.diagnostic = d->rcpt[which].diagnostic;
	}
	mail_address_index(v, to, idx);
	e = mail_bounce_record(c, &ev, limit, &became, &res->bouncing);
	if (e == ERR_CONFLICT) {
		res->outcome = MAIL_IN_DUPLICATE;
		res->why = "this message's hard bounce is already recorded";
		e = ERR_OK;
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	res->counted = ev.counts;
	snprintf(object, sizeof object, "outbox:%" PRId64, res->outbox_id);
	snprintf(detail, sizeof detail, "%s %s %s by %s%s", ev.kind, ev.action, ev.status, by,
		 ev.counts ? "" : (strcmp(ev.kind, "hard") == 0 ? " (not counted)" : ""));
	if (audit)
		e = audit(c, platform, ACTOR, "mail.bounce", object, detail);
	if (e == ERR_OK && audit && became)
		e = audit(c, platform, ACTOR, "mail.bouncing", object,
			  "the recipient's address is bouncing: no bulk mail until confirmed");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		res->outcome = MAIL_IN_RECORDED;
out:
	store_rollback(c);
	vault_wipe_free(to);
	vault_wipe(idx, sizeof idx);
	return e;
}

/* The outbox row an unsubscribe address of a message names (the envelope recipient first, then
 * the addresses it was delivered to), or 0. */
static int64_t match_unsubscribe(const struct vault *v, const struct mail_dsn *d,
				 const char *rcpt)
{
	int64_t id = 0;
	if (mail_unsub_mailto_parse(v, rcpt, &id) == ERR_OK)
		return id;
	for (size_t i = 0; i < d->naddrs; i++)
		if (mail_unsub_mailto_parse(v, d->addrs[i], &id) == ERR_OK)
			return id;
	return 0;
}

/* Records the unsubscribe of row res->outbox_id (by mail) on c in one transaction (audited). */
static enum err record_unsubscribe(struct store_conn *c, struct keyring *k,
				   mail_audit_fn audit, struct mail_inbound_result *res)
{
	struct mail_unsub_result u;
	char object[48], detail[96];
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = mail_unsubscribe(c, k, res->outbox_id, "mailto", &u);
	if (e == ERR_NOTFOUND) {
		res->why = "the unsubscribe address names no bulk mail";
		e = ERR_OK;
		goto out;
	}
	if (e == ERR_FORBIDDEN) {
		/* Emergency mail and the like: the list's duty of care outweighs the request. */
		res->why = "the unsubscribe address names mail of a list that cannot be left";
		e = ERR_OK;
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "outbox:%" PRId64, res->outbox_id);
	snprintf(detail, sizeof detail, "list %s by mailto%s", u.list,
		 u.already ? " (already unsubscribed)" : "");
	if (audit)
		e = audit(c, keyring_platform(k), ACTOR, "mail.unsubscribe", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		res->outcome = MAIL_IN_UNSUBSCRIBED;
out:
	store_rollback(c);
	return e;
}

enum err mail_inbound(struct store *s, struct keyring *k, const char *msg, size_t len,
		      const char *rcpt, int bounce_limit, mail_audit_fn audit,
		      struct mail_inbound_result *res)
{
	/* Return paths and unsubscribe addresses are the platform's (keyed_id.c). */
	const struct vault *v = keyring_platform(k);
	struct mail_dsn *d = xcalloc(1, sizeof *d);
	struct store_conn *c = NULL;
	const char *by = "verp";
	int forged = 0;
	enum err e = ERR_OK;
	memset(res, 0, sizeof *res);
	res->outcome = MAIL_IN_DROPPED;
	if (mail_dsn_parse(msg, len, d) != ERR_OK) {
		res->why = "not a mail message";
		goto out;
	}
	/* A mail to unsubscribe+TOKEN@ (List-Unsubscribe's mailto); never a notification, whose
	 * returned headers may carry our own List-Unsubscribe. */
	if (!d->is_dsn && (res->outbox_id = match_unsubscribe(v, d, rcpt)) != 0) {
		c = store_acquire(s);
		e = record_unsubscribe(c, k, audit, res);
		goto out;
	}
	res->outbox_id = match_verp(v, d, rcpt, &forged);
	if (forged && !res->outbox_id)
		log_warn("mail-in: a VERP address with a wrong mac (forged or mangled)");
	if (!res->outbox_id && !d->is_dsn) {
		/* No bounce, no unsubscribe: a service's, perhaps (an empty mail to sign up). */
		res->outcome = MAIL_IN_OTHER;
		res->why = "not a delivery status notification";
		goto out;
	}
	if (!res->outbox_id && d->message_id[0]) {
		by = "message-id";
		e = match_message_id(s, d->message_id, &res->outbox_id);
		if (e != ERR_OK)
			goto out;
	}
	if (!res->outbox_id) {
		res->why = d->message_id[0] ? "no outbox row sent with the returned Message-ID"
					    : "no VERP address and no returned Message-ID";
		goto out;
	}
	c = store_acquire(s);
	e = record(c, k, d, by, bounce_limit, audit, res);
out:
	if (c)
		store_release(c);
	if (e != ERR_OK)
		log_error("mail-in: could not store the message now (%s); the MTA will retry",
			  err_str(e));
	else if (res->outcome == MAIL_IN_RECORDED && res->kind == MAIL_BOUNCE_NONE)
		log_info("mail-in: VERP-addressed mail that is no delivery status notification, "
			 "kept for outbox row %" PRId64 " (not counted)",
			 res->outbox_id);
	else if (res->outcome == MAIL_IN_RECORDED)
		log_info("mail-in: %s bounce %s of outbox row %" PRId64 " (by %s)%s%s",
			 res->kind == MAIL_BOUNCE_HARD ? "hard" : "soft",
			 res->status[0] ? res->status : "(no status)", res->outbox_id, by,
			 res->counted ? ", counted" : "",
			 res->bouncing ? "; the address is bouncing" : "");
	else if (res->outcome == MAIL_IN_UNSUBSCRIBED)
		log_info("mail-in: unsubscribe by mail for outbox row %" PRId64, res->outbox_id);
	else if (res->outcome == MAIL_IN_OTHER)
		log_info("mail-in: no bounce and no unsubscribe: offered to the services");
	else if (res->outcome == MAIL_IN_DUPLICATE)
		log_info("mail-in: the hard bounce of outbox row %" PRId64 " was already recorded",
			 res->outbox_id);
	else if (res->outbox_id)
		log_info("mail-in: dropped (%s), outbox row %" PRId64, res->why, res->outbox_id);
	else
		log_info("mail-in: dropped (%s)", res->why ? res->why : "?");
	mail_dsn_clear(d);
	free(d);
	return e;
}
