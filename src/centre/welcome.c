/* SPDX-License-Identifier: MIT */
/* welcome.c — a parent's one-time link (保護者のパスワード設定): the manager's new parent account
 * gets a mail with a link that lets the parent choose their own password once, within
 * CENTRE_WELCOME_DAYS; nobody else ever sees a password. Only the token's hash is stored; the
 * mail names the login and the link, nothing of the child. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "centre/centre.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define TOKEN_BYTES 32

enum err centre_welcome_issue(struct store_conn *c, const struct vault *v, int64_t user_id,
			      const char *login, const char *email, const char *base_url,
			      int64_t now_ms)
{
	unsigned char h[VAULT_HASH_LEN];
	char *token = vault_token(TOKEN_BYTES);
	if (!token)
		return ERR_IO;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st = store_prepare(c, "INSERT INTO ce_parent_tokens (token_hash, "
						 "user_id, expires_ms) VALUES (?1, ?2, ?3)");
	enum err e = ERR_DB;
	if (st) {
		store_bind_blob(st, 1, h, sizeof h);
		store_bind_int(st, 2, user_id);
		store_bind_int(st, 3, now_ms + (int64_t)CENTRE_WELCOME_DAYS * 86400000);
		e = casework_run(st);
	}
	char body[1024];
	snprintf(body, sizeof body,
		 "児童発達支援センターの保護者のページのアカウントを用意しました。\n"
		 "\nログインID: %s\n\n"
		 "次のリンクを開いて、パスワードを決めてください（%d日間、1回だけ使えます）。\n"
		 "%s/centre/welcome.html#t=%s\n\n"
		 "お心当たりのないときは、このメールを破棄し、センターにお問い合わせください。\n",
		 login, CENTRE_WELCOME_DAYS, base_url ? base_url : "", token);
	if (e == ERR_OK)
		e = mail_outbox_enqueue(c, v, "centre:welcome", "notice", email,
					"【児童発達支援センター】保護者のページのパスワードを設定"
					"してください",
					body);
	vault_wipe(body, sizeof body);
	vault_wipe_free(token);
	return e;
}

enum err centre_welcome_peek(struct store_conn *c, const char *token, int64_t now_ms,
			     int64_t *user_id)
{
	unsigned char h[VAULT_HASH_LEN];
	*user_id = 0;
	if (!token || !*token || strlen(token) > 128)
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st = store_prepare(
	    c, "SELECT t.user_id FROM ce_parent_tokens t JOIN users u ON u.id = t.user_id WHERE "
	       "t.token_hash = ?1 AND t.used_ms IS NULL AND t.expires_ms > ?2 AND u.disabled = 0");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, now_ms);
	int r = store_step(st);
	if (r == STORE_ROW)
		*user_id = store_col_int(st, 0);
	store_finish(st);
	return r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

enum err centre_welcome_use(struct store_conn *c, const char *token, int64_t now_ms)
{
	unsigned char h[VAULT_HASH_LEN];
	if (!token || !*token || strlen(token) > 128)
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st = store_prepare(
	    c, "UPDATE ce_parent_tokens SET used_ms = ?2 WHERE token_hash = ?1 AND used_ms IS NULL "
	       "AND expires_ms > ?2");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, now_ms);
	enum err e = casework_run(st);
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_NOTFOUND;
	return e;
}
