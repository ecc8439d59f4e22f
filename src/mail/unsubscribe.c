/* SPDX-License-Identifier: MIT */
/* unsubscribe.c — List-Unsubscribe (RFC 8058): the per-message token that names an outbox row
 * with a keyed mac,
 * recording an unsubscribe for the row's address and list, and the check bulk sends make
 * before queueing. Addresses are named only by their blind index. */
#include <string.h>

#include "base/clock.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define MAILTO_PREFIX "unsubscribe+"
#define UNSUB_PURPOSE "unsubscribe"

enum err mail_unsub_token(const struct vault *v, int64_t outbox_id, char *out, size_t n)
{
	return mail_keyed_id_write(v, UNSUB_PURPOSE, outbox_id, MAIL_UNSUB_MAC_LEN, out, n);
}

enum err mail_unsub_parse(const struct vault *v, const char *token, int64_t *outbox_id)
{
	int forged = 0;
	int64_t id = 0;
	*outbox_id = 0;
	const char *end =
	    token ? mail_keyed_id_read(v, UNSUB_PURPOSE, token, MAIL_UNSUB_MAC_LEN, &id, &forged)
		  : NULL;
	if (!end || *end)
		return ERR_NOTFOUND;
	*outbox_id = id;
	return ERR_OK;
}

enum err mail_unsub_mailto(const struct vault *v, int64_t outbox_id, const char *domain, char *out,
			   size_t n)
{
	return mail_keyed_address_write(v, UNSUB_PURPOSE, MAILTO_PREFIX, outbox_id,
					MAIL_UNSUB_MAC_LEN, domain, out, n);
}

enum err mail_unsub_mailto_parse(const struct vault *v, const char *addr, int64_t *outbox_id)
{
	return mail_keyed_address_read(v, UNSUB_PURPOSE, MAILTO_PREFIX, MAIL_UNSUB_MAC_LEN, addr,
				       outbox_id);
}

enum err mail_unsubscribe(struct store_conn *c, struct keyring *k, int64_t outbox_id,
			  const char *via, struct mail_unsub_result *res)
{
	const struct vault *v = NULL;
	enum err e = ERR_DB;
	char *to = NULL;
	unsigned char idx[VAULT_BLIND_LEN];
	/* The row's own list (bulk rows have one; a list per school is not the send_id's). */
	struct store_stmt *st = store_prepare(
	    c, "SELECT COALESCE(list, send_id), kind, to_enc, service FROM outbox WHERE id = ?");
	memset(res, 0, sizeof *res);
	if (!st)
		goto out;
	store_bind_int(st, 1, outbox_id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	/* Only bulk mail carries the link; a notice belongs to no list. */
	if (strcmp(store_col_text(st, 1), "bulk") != 0) {
		e = ERR_NOTFOUND;
		goto out;
	}
	mail_send_list(store_col_text(st, 0), res->list, sizeof res->list);
	int may = 1;
	e = mail_list_may_unsubscribe(c, res->list, &may);
	if (e != ERR_OK)
		goto out;
	if (!may) {
		e = ERR_FORBIDDEN;
		goto out;
	}
	/* The address is the row's service's: sealed and blinded under its key. */
	size_t len = 0;
	const void *b = store_col_blob(st, 2, &len);
	if (len == 0) {
		e = ERR_NOTFOUND; /* its recipient destroyed at the end of its retention period */
		goto out;
	}
	v = keyring_vault(k, store_col_text(st, 3));
	e = v ? vault_unseal(v, "outbox.to", b, len, &to) : ERR_CRYPTO;
	if (e != ERR_OK)
		goto out;
	mail_address_index(v, to, idx);
	store_finish(st);
	st = store_prepare(c, "INSERT INTO unsubscribes (addr_idx, list, at_ms, via, outbox_id) "
			      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (addr_idx, list) DO NOTHING");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_blob(st, 1, idx, sizeof idx);
	store_bind_text(st, 2, res->list);
	store_bind_int(st, 3, clock_now_ms());
	store_bind_text(st, 4, via);
	store_bind_int(st, 5, outbox_id);
	e = store_run(st);
	if (e == ERR_OK)
		res->already = store_changes(c) == 0;
out:
	store_finish(st);
	vault_wipe_free(to);
	vault_wipe(idx, sizeof idx);
	return e;
}

enum err mail_unsubscribed(struct store_conn *c, const struct vault *v, const char *addr,
			   const char *send_id, int *yes)
{
	char list[MAIL_LIST_MAX];
	unsigned char idx[VAULT_BLIND_LEN];
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "SELECT 1 FROM unsubscribes WHERE addr_idx = ? AND list = ?");
	int may = 1;
	*yes = 0;
	if (!st)
		goto out;
	mail_send_list(send_id, list, sizeof list);
	e = mail_list_may_unsubscribe(c, list, &may);
	if (e != ERR_OK || !may)
		goto out;
	e = ERR_DB;
	mail_address_index(v, addr, idx);
	store_bind_blob(st, 1, idx, sizeof idx);
	store_bind_text(st, 2, list);
	int rc = store_step(st);
	*yes = rc == STORE_ROW;
	e = rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	vault_wipe(idx, sizeof idx);
	return e;
}
