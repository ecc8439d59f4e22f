/* SPDX-License-Identifier: MIT */
/* resubscribe.c — joining a list again after leaving it: asked for with a message's unsubscribe
 * link, confirmed by a one-time link mailed to the address itself (a forwarded mail's reader
 * cannot put someone back on a list), at most a few asks a day per address and list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define TOKEN_BYTES 32
#define TOKEN_TTL_MS (24LL * 3600 * 1000)
#define ASKS_PER_DAY 3

/* Loads bulk row outbox_id's list (res->list, must be declared and may be left), its service's
 * vault and its recipient (*to: wipe with vault_wipe_free), on c. */
static enum err load_row(struct store_conn *c, struct keyring *k, int64_t outbox_id,
			 struct mail_resubscribe *res, const struct vault **v, char **to)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT COALESCE(list, send_id), kind, to_enc, service FROM outbox WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, outbox_id);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW && strcmp(store_col_text(st, 1), "bulk") == 0) {
		size_t len;
		const void *b = store_col_blob(st, 2, &len);
		mail_send_list(store_col_text(st, 0), res->list, sizeof res->list);
		*v = keyring_vault(k, store_col_text(st, 3));
		/* len 0: its recipient destroyed at the end of its retention period */
		e = len == 0 ? ERR_NOTFOUND
		    : *v     ? vault_unseal(*v, "outbox.to", b, len, to)
			     : ERR_CRYPTO;
	} else if (rc == STORE_ROW) {
		e = ERR_NOTFOUND; /* a notice belongs to no list */
	}
	store_finish(st);
	if (e != ERR_OK)
		return e;
	struct mail_list_info info;
	e = mail_list_find(c, res->list, &info);
	if (e == ERR_OK) {
		snprintf(res->label_ja, sizeof res->label_ja, "%s", info.label_ja);
		if (!info.may_unsubscribe)
			e = ERR_FORBIDDEN;
	} else if (e == ERR_NOTFOUND) {
		snprintf(res->label_ja, sizeof res->label_ja, "一斉メール");
		e = ERR_OK;
	}
	return e;
}

/* Sets *n to the asks for idx and list since since_ms, and *left to 1 when the address is
 * unsubscribed from list, on c. */
static enum err state(struct store_conn *c, const unsigned char *idx, const char *list,
		      int64_t since_ms, int64_t *n, int *left)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT (SELECT count(*) FROM resubscribe_tokens WHERE addr_idx = ? "
	       "AND list = ? AND created_ms >= ?), EXISTS (SELECT 1 FROM unsubscribes "
	       "WHERE addr_idx = ? AND list = ?)");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, VAULT_BLIND_LEN);
	store_bind_text(st, 2, list);
	store_bind_int(st, 3, since_ms);
	store_bind_blob(st, 4, idx, VAULT_BLIND_LEN);
	store_bind_text(st, 5, list);
	enum err e = ERR_DB;
	if (store_step(st) == STORE_ROW) {
		*n = store_col_int(st, 0);
		*left = store_col_int(st, 1) != 0;
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err mail_resubscribe_request(struct store_conn *c, struct keyring *k, int64_t outbox_id,
				  const char *base_url, struct mail_resubscribe *res)
{
	unsigned char idx[VAULT_BLIND_LEN], hash[VAULT_HASH_LEN];
	const struct vault *v = NULL;
	char *to = NULL, *token = NULL, *body = NULL, *subject = NULL;
	int64_t asks = 0, now = clock_now_ms();
	int left = 0;
	memset(res, 0, sizeof *res);
	enum err e = load_row(c, k, outbox_id, res, &v, &to);
	if (e != ERR_OK)
		goto out;
	mail_address_index(v, to, idx);
	e = state(c, idx, res->list, now - TOKEN_TTL_MS, &asks, &left);
	if (e != ERR_OK)
		goto out;
	if (!left) {
		e = ERR_CONFLICT;
		goto out;
	}
	if (asks >= ASKS_PER_DAY) {
		e = ERR_TOOMANY;
		goto out;
	}
	token = vault_token(TOKEN_BYTES);
	vault_hash(token, strlen(token), hash);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO resubscribe_tokens(token_hash, outbox_id, addr_idx, list, created_ms, "
	       "expires_ms) VALUES (?, ?, ?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, hash, sizeof hash);
	store_bind_int(st, 2, outbox_id);
	store_bind_blob(st, 3, idx, sizeof idx);
	store_bind_text(st, 4, res->list);
	store_bind_int(st, 5, now);
	store_bind_int(st, 6, now + TOKEN_TTL_MS);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	/* The confirmation goes to the address itself, sealed under the list's service's key. */
	subject = xasprintf("「%s」の配信再開の確認", res->label_ja);
	body = xasprintf(
	    "「%s」のメールの配信を再開するには、24時間以内に次のリンクを開き、"
	    "「配信を再開する」を押してください。\n%s/unsubscribe/?r=%s\n\n"
	    "お心当たりがない場合は、このメールを破棄してください。配信は停止したままです。\n",
	    res->label_ja, base_url, token);
	e = mail_outbox_enqueue(c, v, "resubscribe", "notice", to, subject, body);
out:
	vault_wipe_free(to);
	vault_wipe_free(token);
	vault_wipe_free(body);
	free(subject);
	vault_wipe(idx, sizeof idx);
	return e;
}

enum err mail_resubscribe_confirm(struct store_conn *c, const char *token,
				  struct mail_resubscribe *res)
{
	unsigned char hash[VAULT_HASH_LEN], idx[VAULT_BLIND_LEN];
	int64_t now = clock_now_ms();
	memset(res, 0, sizeof *res);
	if (!token || strlen(token) < 16 || strlen(token) > 128)
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), hash);
	struct store_stmt *st = store_prepare(
	    c, "SELECT addr_idx, list, outbox_id FROM resubscribe_tokens WHERE token_hash = ? AND "
	       "used_ms IS NULL AND expires_ms > ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, hash, sizeof hash);
	store_bind_int(st, 2, now);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		size_t len = 0;
		const void *b = store_col_blob(st, 0, &len);
		e = len == sizeof idx ? ERR_OK : ERR_DB;
		if (e == ERR_OK)
			memcpy(idx, b, sizeof idx);
		snprintf(res->list, sizeof res->list, "%s", store_col_text(st, 1));
		res->outbox_id = store_col_int(st, 2);
	}
	store_finish(st);
	if (e != ERR_OK)
		return e;
	st = store_prepare(c, "UPDATE resubscribe_tokens SET used_ms = ? WHERE token_hash = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, now);
	store_bind_blob(st, 2, hash, sizeof hash);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	st = store_prepare(c, "DELETE FROM unsubscribes WHERE addr_idx = ? AND list = ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	store_bind_text(st, 2, res->list);
	e = store_run(st);
	store_finish(st);
	struct mail_list_info info;
	if (e == ERR_OK && mail_list_find(c, res->list, &info) == ERR_OK)
		snprintf(res->label_ja, sizeof res->label_ja, "%s", info.label_ja);
	else if (e == ERR_OK)
		snprintf(res->label_ja, sizeof res->label_ja, "一斉メール");
	vault_wipe(idx, sizeof idx);
	return e;
}
