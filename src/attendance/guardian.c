/* SPDX-License-Identifier: MIT */
/* guardian.c — confirming guardians' mail addresses by one-time link before any notice, and
 * mailing each confirmed address (bulk mail skips addresses that bounce). */
#include "attendance/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define CONFIRM_TTL_MS (14LL * 24 * 3600 * 1000)

enum err guardian_confirm_request(struct app *a, struct store_conn *c, int64_t guardian_id,
				  const char *email)
{
	unsigned char h[VAULT_HASH_LEN];
	char *token = vault_token(32);
	char *body = NULL;
	enum err e = ERR_DB;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO confirm_tokens(token_hash, guardian_id, expires_ms) VALUES (?, ?, ?)");
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, guardian_id);
	store_bind_int(st, 3, clock_now_ms() + CONFIRM_TTL_MS);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	/* The ward's words (入室・退室 by default, 登所・降所 …) name the notices. */
	body = xasprintf(
	    "学童クラブ・ひろばプラスの%s・%sのお知らせに、このメールアドレスが登録されました。\n"
	    "\n"
	    "次のページを開き、「メールアドレスを確認する」ボタンを押してください。\n"
	    "確認が済むまで、%s・%sのお知らせは届きません。\n"
	    "\n"
	    "%s/confirm/?t=%s\n"
	    "\n"
	    "このリンクの有効期限は14日間です。お心当たりのない場合は、このメールを破棄してください。\n"
	    "このメールは送信専用です。\n",
	    a->cfg.entry_word, a->cfg.exit_word, a->cfg.entry_word, a->cfg.exit_word,
	    a->cfg.base_url, token);
	e = mail_outbox_enqueue(c, attendance_vault(a), "confirm", "notice", email,
				"【見守り】メールアドレスの確認のお願い", body);
out:
	store_finish(st);
	vault_wipe_free(token);
	vault_wipe_free(body);
	return e;
}

enum err guardian_confirm_direct(struct store_conn *c, int64_t guardian_id)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE guardians SET confirmed_ms = ? WHERE id = ? AND confirmed_ms IS NULL");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_int(st, 2, guardian_id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* A confirmation (first or again) proves the address takes mail: its bounce state is cleared,
 * on c inside the caller's transaction. */
static enum err clear_bounces(struct store_conn *c, int64_t guardian_id)
{
	unsigned char idx[VAULT_BLIND_LEN];
	struct store_stmt *st = store_prepare(c, "SELECT email_idx FROM guardians WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, guardian_id);
	int rc = store_step(st);
	size_t len = 0;
	const void *b = rc == STORE_ROW ? store_col_blob(st, 0, &len) : NULL;
	int ok = b && len == sizeof idx;
	if (ok)
		memcpy(idx, b, sizeof idx);
	store_finish(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return ERR_DB;
	return ok ? mail_bounce_confirmed(c, idx) : ERR_OK;
}

enum err guardian_confirm(struct app *a, const char *token)
{
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms(), gid = 0;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	vault_hash(token, strlen(token), h);
	st = store_prepare(c, "SELECT guardian_id FROM confirm_tokens WHERE token_hash = ? AND "
			      "used_ms IS NULL AND expires_ms > ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, now);
	if (store_step(st) != STORE_ROW) {
		e = ERR_NOTFOUND;
		goto out;
	}
	gid = store_col_int(st, 0);
	store_finish(st);
	st = store_prepare(c, "UPDATE confirm_tokens SET used_ms = ? WHERE token_hash = ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, now);
	store_bind_blob(st, 2, h, sizeof h);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	e = guardian_confirm_direct(c, gid);
	if (e == ERR_OK)
		e = clear_bounces(c, gid);
	if (e != ERR_OK)
		goto out;
	char object[48];
	snprintf(object, sizeof object, "guardian:%lld", (long long)gid);
	e = audit_append(c, a->vault, object, "guardian.confirm", object, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err guardian_mail_each(struct app *a, struct store_conn *c, struct store_stmt *st,
			    const char *send_id, const char *subject, const char *body,
			    struct mail_handoff *h, size_t *count)
{
	enum err e = ERR_OK;
	int rc;
	*count = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		size_t len;
		char *addr = NULL;
		const void *b = store_col_blob(st, 0, &len);
		e = vault_unseal(attendance_vault(a), "guardians.email", b, len, &addr);
		if (e != ERR_OK)
			return e;
		e = mail_outbox_enqueue_handoff(c, attendance_vault(a), send_id, addr, subject, body,
						h);
		vault_wipe_free(addr);
		if (e != ERR_OK)
			return e;
		(*count)++;
	}
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}
