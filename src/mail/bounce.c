/* SPDX-License-Identifier: MIT */
/* bounce.c — the bounce state of addresses (by blind index only): bounce events, hard and soft
 * counts, bouncing from the configured limit, and clearing on re-confirmation. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

/* Longest diagnostic kept (as the SMTP replies in outbox.last_reply). */
#define BOUNCE_DIAG_MAX 200

void mail_text_blank_addresses(const char *text, char *out, size_t n)
{
	size_t o = 0;
	const char *p = text ? text : "";
	while (*p && o + 1 < n) {
		size_t w = strcspn(p, " \t");
		if (w == 0) {
			out[o++] = ' ';
			p++;
			continue;
		}
		if (memchr(p, '@', w)) {
			const char *rep = "<address>";
			size_t rl = strlen(rep);
			if (o + rl >= n)
				break;
			memcpy(out + o, rep, rl);
			o += rl;
		} else {
			for (size_t i = 0; i < w && o + 1 < n; i++) {
				unsigned char ch = (unsigned char)p[i];
				out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
			}
		}
		p += w;
	}
	out[o] = '\0';
}

enum err mail_bounce_is_bouncing(struct store_conn *c, const struct vault *v, const char *addr,
				 int *bouncing)
{
	unsigned char idx[VAULT_BLIND_LEN];
	*bouncing = 0;
	mail_address_index(v, addr, idx);
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM bounce_addresses WHERE addr_idx = ? AND bouncing_ms IS NOT NULL");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	int rc = store_step(st);
	store_finish(st);
	if (rc == STORE_ROW)
		*bouncing = 1;
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

enum err mail_bounce_confirmed(struct store_conn *c, const unsigned char *idx)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE bounce_addresses SET hard_count = 0, soft_count = 0, bouncing_ms = NULL, "
	       "cleared_ms = ? WHERE addr_idx = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_blob(st, 2, idx, VAULT_BLIND_LEN);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Reads the address's cleared_ms (0 when never cleared or no row). */
static enum err cleared_at(struct store_conn *c, const unsigned char *idx, int64_t *cleared)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT cleared_ms FROM bounce_addresses WHERE addr_idx = ?");
	*cleared = 0;
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, VAULT_BLIND_LEN);
	int rc = store_step(st);
	if (rc == STORE_ROW && !store_col_is_null(st, 0))
		*cleared = store_col_int(st, 0);
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* Adds the event to the address's counts and last status (hard and soft only). */
static enum err count_event(struct store_conn *c, const struct mail_bounce_event *ev,
			    const char *diag, int hard, int64_t now)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bounce_addresses (addr_idx, hard_count, soft_count, last_ms, "
	       "last_kind, last_status, last_diagnostic) VALUES (?, ?, ?, ?, ?, ?, ?) "
	       "ON CONFLICT (addr_idx) DO UPDATE SET hard_count = bounce_addresses.hard_count + "
	       "excluded.hard_count, soft_count = bounce_addresses.soft_count + "
	       "excluded.soft_count, "
	       "last_ms = excluded.last_ms, last_kind = excluded.last_kind, "
	       "last_status = excluded.last_status, last_diagnostic = excluded.last_diagnostic");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, ev->idx, VAULT_BLIND_LEN);
	store_bind_int(st, 2, hard && ev->counts ? 1 : 0);
	store_bind_int(st, 3, hard ? 0 : 1);
	store_bind_int(st, 4, now);
	store_bind_text(st, 5, ev->kind);
	store_bind_text(st, 6, ev->status);
	store_bind_text(st, 7, diag);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Marks the address bouncing when its hard count reached limit; *became is 1 when this did
 * it, *bouncing the state after. */
static enum err check_limit(struct store_conn *c, const unsigned char *idx, int limit, int64_t now,
			    int *became, int *bouncing)
{
	struct store_stmt *st =
	    store_prepare(c, "UPDATE bounce_addresses SET bouncing_ms = ? WHERE addr_idx = ? AND "
			     "bouncing_ms IS NULL AND hard_count >= ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, now);
	store_bind_blob(st, 2, idx, VAULT_BLIND_LEN);
	store_bind_int(st, 3, limit);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	*became = store_changes(c) > 0;
	st = store_prepare(c, "SELECT bouncing_ms IS NOT NULL FROM bounce_addresses WHERE "
			      "addr_idx = ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, VAULT_BLIND_LEN);
	int rc = store_step(st);
	*bouncing = rc == STORE_ROW && store_col_int(st, 0) != 0;
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* Writes the bounce into a sent row's last_reply ("bounced 5.1.1: …"); the row stays sent. */
static enum err note_on_row(struct store_conn *c, int64_t outbox_id, const char *status,
			    const char *diag)
{
	char reply[BOUNCE_DIAG_MAX + 32];
	snprintf(reply, sizeof reply, "bounced %.15s: %s", status[0] ? status : "5.0.0", diag);
	reply[BOUNCE_DIAG_MAX] = '\0'; /* as long as an SMTP reply kept by the sender */
	struct store_stmt *st =
	    store_prepare(c, "UPDATE outbox SET last_reply = ? WHERE id = ? AND state = 'sent'");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, reply);
	store_bind_int(st, 2, outbox_id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err mail_bounce_record(struct store_conn *c, struct mail_bounce_event *ev, int limit,
			    int *became, int *bouncing)
{
	char diag[BOUNCE_DIAG_MAX + 1];
	int64_t now = clock_now_ms(), cleared = 0;
	int hard = strcmp(ev->kind, "hard") == 0, other = strcmp(ev->kind, "other") == 0;
	*became = 0;
	*bouncing = 0;
	ev->counts = 0;
	mail_text_blank_addresses(ev->diagnostic, diag, sizeof diag);
	enum err e = cleared_at(c, ev->idx, &cleared);
	if (e != ERR_OK)
		return e;
	/* Mail queued before the owner confirmed the address again says nothing about it now. */
	ev->counts = hard && ev->queued_ms > cleared;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bounce_events (outbox_id, addr_idx, at_ms, kind, action, status, "
	       "diagnostic, matched_by, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, ev->outbox_id);
	store_bind_blob(st, 2, ev->idx, VAULT_BLIND_LEN);
	store_bind_int(st, 3, now);
	store_bind_text(st, 4, ev->kind);
	store_bind_text(st, 5, ev->action);
	store_bind_text(st, 6, ev->status);
	store_bind_text(st, 7, diag);
	store_bind_text(st, 8, ev->matched_by);
	store_bind_int(st, 9, ev->counts);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK) /* ERR_CONFLICT: this row's hard bounce is already stored */
		return e;
	if (other)
		return check_limit(c, ev->idx, limit, now, became, bouncing);
	e = count_event(c, ev, diag, hard, now);
	if (e == ERR_OK && hard)
		e = note_on_row(c, ev->outbox_id, ev->status, diag);
	if (e == ERR_OK)
		e = check_limit(c, ev->idx, limit, now, became, bouncing);
	return e;
}
