/* SPDX-License-Identifier: MIT */
/* file.c — a file's life: stored sealed under its own key (put), opened with its password by its
 * recipient (get), destroyed by its sender or the ward's administrator (withdraw) or at its
 * expiry (sweep). The two mails to the recipient go through the platform's outbox under the
 * service's key, in the transaction that stores the file. */
#include "exchange/exchange.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"
#include "vault/wrap.h"

#define BODY_AD "ex_files.body"
#define DAY_MS (24LL * 60 * 60 * 1000)
/* What the password mail says once its file is gone. */
#define BLANKED "このメールで送ったパスワードは、ファイルの保存期限が過ぎたため消去しました。"

void exchange_password_new(char out[15])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	int k = 0;
	for (int i = 0; i < 12; i++) {
		if (i > 0 && i % 4 == 0)
			out[k++] = '-';
		out[k++] = alphabet[vault_random_uniform(sizeof alphabet - 1)];
	}
	out[k] = '\0';
}

/* The password as typed, in the form it was made (out, 15 bytes): its letters and digits in
 * lower case (full-width ones too) and a '-' after each four, whatever was typed between them
 * (spaces, another dash, nothing). Returns 0, or -1 when it does not have twelve, so that
 * "HM33 J6SF RBFF" copied from the mail counts as the password and not as a wrong try. */
static int password_as_made(const char *in, char out[15])
{
	char alnum[13];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		unsigned c = *p;
		/* U+FF10..U+FF19, U+FF21..U+FF3A, U+FF41..U+FF5A: full-width digits and letters */
		if (c == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0xBF) {
			c = p[2] - 0x90 + '0';
			p += 3;
		} else if (c == 0xEF && p[1] == 0xBD && p[2] >= 0x81 && p[2] <= 0x9A) {
			c = p[2] - 0x81 + 'a';
			p += 3;
		} else {
			p++;
		}
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			continue;
		if (n == 12)
			return -1;
		alnum[n++] = (char)c;
	}
	if (n != 12)
		return -1;
	snprintf(out, 15, "%.4s-%.4s-%.4s", alnum, alnum + 4, alnum + 8);
	vault_wipe(alnum, sizeof alnum);
	return 0;
}

void exchange_got_free(struct exchange_got *g)
{
	if (g->data) {
		vault_wipe(g->data, g->len);
		free(g->data);
	}
	vault_wipe_free(g->meta);
	memset(g, 0, sizeof *g);
}

/* Appends an event of file id (no name, no content). */
static enum err event(struct store_conn *c, int64_t file_id, const char *action, int64_t user_id,
		      int64_t sender_id, int64_t recipient_id, int64_t size)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ex_events (file_id, action, user_id, sender_id, recipient_id, size, "
	       "at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	if (file_id)
		store_bind_int(st, 1, file_id);
	else
		store_bind_null(st, 1);
	store_bind_text(st, 2, action);
	if (user_id)
		store_bind_int(st, 3, user_id);
	else
		store_bind_null(st, 3);
	store_bind_int(st, 4, sender_id);
	store_bind_int(st, 5, recipient_id);
	store_bind_int(st, 6, size);
	store_bind_int(st, 7, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Appends the platform's audit entry "exchange.<action>" of file id. */
static enum err audit(struct app *a, struct store_conn *c, const char *actor, const char *action,
		      int64_t id, const char *detail)
{
	char act[48], object[48];
	snprintf(act, sizeof act, "exchange.%s", action);
	snprintf(object, sizeof object, "exchange_file:%" PRId64, id);
	return audit_append(c, a->vault, actor, act, object, detail);
}

/* Reads the recipient's mail address into *mail (caller wipes with vault_wipe_free) when
 * recipient_id is an active recipient. ERR_NOTFOUND otherwise. */
static enum err recipient_mail(struct app *a, struct store_conn *c, int64_t recipient_id,
			       char **mail)
{
	enum err e = ERR_NOTFOUND;
	char *data = NULL;
	*mail = NULL;
	struct store_stmt *st =
	    store_prepare(c, "SELECT r.data FROM ex_recipients r JOIN users u ON u.id = r.user_id "
			     "WHERE r.user_id = ? AND r.active = 1 AND u.disabled = 0");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, recipient_id);
	if (store_step(st) == STORE_ROW &&
	    vault_unseal_column(exchange_vault(a), st, 0, "ex_recipients.data", &data) == ERR_OK) {
		json_t *j = json_loads(data, 0, NULL);
		const char *m = json_string_value(json_object_get(j, "mail"));
		if (m) {
			*mail = xasprintf("%s", m);
			e = ERR_OK;
		}
		json_decref(j);
	}
	vault_wipe_free(data);
	store_finish(st);
	return e;
}

/* The sender's login into out (for the link mail: who sent it). */
static void login_of(struct store_conn *c, int64_t id, char *out, size_t n)
{
	struct store_stmt *st = store_prepare(c, "SELECT login FROM users WHERE id = ?");
	snprintf(out, n, "%s", "?");
	if (!st)
		return;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW)
		snprintf(out, n, "%s", store_col_text(st, 0));
	store_finish(st);
}

/* Queues the two mails of file id to mail: the link (who sent it, its size and expiry) and then,
 * apart, the password (no link, no name). */
static enum err mails(struct app *a, struct store_conn *c, int64_t id, const char *mail,
		      const char *sender, size_t size, int64_t expires_ms, const char *password)
{
	char day[16], hm[8], send_id[64];
	clock_jst_date(expires_ms, day, sizeof day);
	clock_jst_hhmm(expires_ms, hm, sizeof hm);
	const char *base = a->cfg.base_url ? a->cfg.base_url : "";
	char *subject = xasprintf("ファイルが届きました（受付番号 %" PRId64 "）", id);
	char *body = xasprintf(
	    "%s さんから、あなた宛てにファイルが1件届きました。\n\n"
	    "受付番号: %" PRId64 "\n大きさ: %zu バイト\n保存期限: %s %s まで（期限が過ぎると消去され、"
	    "取り出せなくなります）\n\n"
	    "受け取り: %s/exchange/inbox.html\n\n"
	    "ファイルを開くパスワードは、別のメールでお送りします。\n"
	    "(You have a file from %s. The password comes in a separate mail.)\n",
	    sender, id, size, day, hm, base, sender);
	snprintf(send_id, sizeof send_id, "exchange:%" PRId64 ":link", id);
	enum err e = mail_outbox_enqueue(c, exchange_vault(a), send_id, "notice", mail, subject,
					 body);
	free(subject);
	free(body);
	if (e != ERR_OK)
		return e;
	subject = xasprintf("受付番号 %" PRId64 " のパスワード", id);
	body = xasprintf("受付番号 %" PRId64 " のファイルを開くパスワードです。\n\n"
			 "    %s\n\n"
			 "受け取りの画面で、このパスワードを入れてください。"
			 "間違いが続くと、そのファイルは開けなくなります。\n"
			 "(The password of file %" PRId64 ".)\n",
			 id, password, id);
	snprintf(send_id, sizeof send_id, "exchange:%" PRId64 ":password", id);
	e = mail_outbox_enqueue(c, exchange_vault(a), send_id, "notice", mail, subject, body);
	free(subject);
	vault_wipe_free(body);
	return e;
}

/* Checks the upload's fields; sets code/why on a refusal. */
static enum err check_upload(const struct exchange_config *cfg, const struct exchange_upload *u,
			     const char **code, const char **why)
{
	if (!u->name || !*u->name || strlen(u->name) > EXCHANGE_NAME_MAX ||
	    text_line_check(u->name, EXCHANGE_NAME_MAX + 1) != TEXT_OK || strchr(u->name, '/') ||
	    strchr(u->name, '\\')) {
		*code = "bad_name";
		*why = "ファイル名が正しくありません（1行、200バイトまで、/ と \\ は使えません）。";
		return ERR_INVALID;
	}
	if (u->len == 0) {
		*code = "empty_file";
		*why = "ファイルが空です。";
		return ERR_INVALID;
	}
	if (u->len > cfg->max_bytes) {
		*code = "file_too_large";
		*why = "ファイルが大きすぎます。上限を超えるファイルは送れません。";
		return ERR_TOOLARGE;
	}
	if (u->days < 1 || u->days > cfg->max_days) {
		static _Thread_local char days_why[96];
		snprintf(days_why, sizeof days_why, "保存期間は1〜%d日で指定してください。",
			 cfg->max_days);
		*code = "bad_days";
		*why = days_why;
		return ERR_INVALID;
	}
	return ERR_OK;
}

/* Records a refused upload (the scan's) with its own transaction. */
static void refused(struct app *a, const struct exchange_upload *u, const char *actor,
		    const char *detail)
{
	struct store_conn *c = store_acquire(a->store);
	if (store_begin(c) == ERR_OK &&
	    event(c, 0, "refused", u->sender_id, u->sender_id, u->recipient_id, (int64_t)u->len) ==
		ERR_OK &&
	    audit(a, c, actor, "refused", 0, detail) == ERR_OK)
		store_commit(c);
	store_rollback(c);
	store_release(c);
}

enum err exchange_put(struct app *a, const struct exchange_upload *u, const char *actor,
		      int64_t *id, const char **code, const char **why)
{
	struct exchange_config cfg;
	unsigned char key[VAULT_OBJ_KEY_LEN];
	char password[15], sender[64];
	unsigned char *body = NULL, *wrapped = NULL, *sealed_key = NULL, *meta = NULL;
	size_t body_len = 0, wrapped_len = 0, sealed_key_len = 0, meta_len = 0;
	char *mail = NULL, *meta_json = NULL;
	struct store_conn *c = NULL;
	const struct vault *v = exchange_vault(a);
	enum err e;

	*code = NULL;
	*why = NULL;
	exchange_config_read(a, &cfg);
	e = check_upload(&cfg, u, code, why);
	if (e != ERR_OK)
		return e;
	int scan = exchange_scan(&cfg, u->data, u->len);
	if (scan != 0) {
		refused(a, u, actor, scan > 0 ? "virus" : "scan_failed");
		*code = scan > 0 ? "virus_found" : "scan_failed";
		*why = scan > 0 ? "ウイルス検査で問題が見つかったため、このファイルは受け付けませんでした。"
				: "ウイルス検査ができなかったため、受け付けませんでした。"
				  "しばらくしてから送り直してください。";
		return scan > 0 ? ERR_INVALID : ERR_TEMP;
	}
	/* The slow parts (the password's key derivation) before the transaction. */
	vault_obj_key_new(key);
	exchange_password_new(password);
	vault_obj_seal(key, BODY_AD, u->data, u->len, &body, &body_len);
	e = vault_key_wrap(password, key, &wrapped, &wrapped_len);
	vault_wipe(key, sizeof key);
	if (e != ERR_OK)
		goto out;
	vault_seal(v, "ex_files.file_key", wrapped, wrapped_len, &sealed_key, &sealed_key_len);
	json_t *m = json_pack("{s:s, s:s}", "name", u->name, "type",
			      u->type && text_line_check(u->type, 128) == TEXT_OK
				  ? u->type
				  : "application/octet-stream");
	meta_json = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	if (!meta_json) {
		e = ERR_INVALID;
		*code = "bad_name";
		*why = "ファイル名が正しくありません。";
		goto out;
	}
	vault_seal(v, "ex_files.meta", meta_json, strlen(meta_json), &meta, &meta_len);

	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	if (recipient_mail(a, c, u->recipient_id, &mail) != ERR_OK) {
		e = ERR_INVALID;
		*code = "no_recipient";
		*why = "宛先が見つかりません。受け取りの登録がある区の職員を選んでください。";
		goto out;
	}
	int64_t now = clock_now_ms(), expires = now + u->days * DAY_MS;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ex_files (sender_id, recipient_id, meta, size, body, file_key, "
	       "created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, u->sender_id);
		store_bind_int(st, 2, u->recipient_id);
		store_bind_blob(st, 3, meta, meta_len);
		store_bind_int(st, 4, (int64_t)u->len);
		store_bind_blob(st, 5, body, body_len);
		store_bind_blob(st, 6, sealed_key, sealed_key_len);
		store_bind_int(st, 7, now);
		store_bind_int(st, 8, expires);
		e = store_run(st);
	}
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	*id = store_last_id(c);
	login_of(c, u->sender_id, sender, sizeof sender);
	e = mails(a, c, *id, mail, sender, u->len, expires, password);
	if (e == ERR_OK)
		e = event(c, *id, "upload", u->sender_id, u->sender_id, u->recipient_id,
			  (int64_t)u->len);
	if (e == ERR_OK)
		e = audit(a, c, actor, "upload", *id, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	vault_wipe(password, sizeof password);
	vault_wipe_free(mail);
	vault_wipe_free(meta_json);
	if (body)
		vault_wipe(body, body_len);
	free(body);
	free(wrapped);
	free(sealed_key);
	free(meta);
	if (e != ERR_OK && !*why)
		*why = err_message_ja(e);
	return e;
}

/* The row of file id of recipient user_id, if not expired: its wrapped key (unsealed), its body
 * and meta (copied), failures, locked, sender, size. */
struct row {
	unsigned char *wrapped; /* vault_unseal_bytes: caller frees */
	size_t wrapped_len;
	unsigned char *body;
	size_t body_len;
	char *meta;
	int64_t sender_id, size;
	int failures, locked;
};

static void row_free(struct row *r)
{
	free(r->wrapped);
	free(r->body);
	vault_wipe_free(r->meta);
	memset(r, 0, sizeof *r);
}

/* Reserves one try of file id for user_id: ERR_NOTFOUND, ERR_TOOMANY (locked), else counts it
 * (locking the file at the last allowed) and reads the row. */
static enum err reserve(struct app *a, int attempts, int64_t id, int64_t user_id, struct row *r,
			int *left)
{
	const struct vault *v = exchange_vault(a);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "SELECT file_key, body, meta, failures, locked, sender_id, size FROM "
			      "ex_files WHERE id = ? AND recipient_id = ? AND expires_ms > ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, user_id);
	store_bind_int(st, 3, clock_now_ms());
	if (store_step(st) != STORE_ROW) {
		e = ERR_NOTFOUND;
		goto out;
	}
	size_t n = 0;
	const void *p = store_col_blob(st, 0, &n);
	e = vault_unseal_bytes(v, "ex_files.file_key", p, n, &r->wrapped, &r->wrapped_len);
	if (e != ERR_OK)
		goto out;
	p = store_col_blob(st, 1, &n);
	r->body = xmalloc(n ? n : 1);
	memcpy(r->body, p, n);
	r->body_len = n;
	e = vault_unseal_column(v, st, 2, "ex_files.meta", &r->meta);
	if (e != ERR_OK)
		goto out;
	r->failures = (int)store_col_int(st, 3);
	r->locked = (int)store_col_int(st, 4);
	r->sender_id = store_col_int(st, 5);
	r->size = store_col_int(st, 6);
	store_finish(st);
	st = NULL;
	if (r->locked || r->failures >= attempts) {
		*left = 0;
		e = ERR_TOOMANY;
		goto out;
	}
	st = store_prepare(c, "UPDATE ex_files SET failures = failures + 1, locked = CASE WHEN "
			      "failures + 1 >= ? THEN 1 ELSE 0 END WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, attempts);
	store_bind_int(st, 2, id);
	e = store_run(st);
	if (e == ERR_OK)
		e = store_commit(c);
	*left = attempts - r->failures - 1;
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err exchange_get(struct app *a, int64_t id, int64_t user_id, const char *password,
		      const char *actor, struct exchange_got *out, int *left, const char **code,
		      const char **why)
{
	struct exchange_config cfg;
	struct row r = {0};
	unsigned char key[VAULT_OBJ_KEY_LEN];
	exchange_config_read(a, &cfg);
	memset(out, 0, sizeof *out);
	*left = 0;
	*code = NULL;
	*why = NULL;
	enum err e = reserve(a, cfg.attempts, id, user_id, &r, left);
	if (e == ERR_NOTFOUND) {
		*code = "not_found";
		*why = "そのファイルはありません（保存期限が過ぎて消去されたか、宛先が違います）。";
		goto out;
	}
	if (e == ERR_TOOMANY) {
		*code = "file_locked";
		*why = "パスワードの間違いが続いたため、このファイルは開けなくなりました。"
		       "送り主に送り直しを頼んでください。";
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	char typed[15];
	int ok = password && password_as_made(password, typed) == 0 &&
		 vault_key_unwrap(typed, r.wrapped, r.wrapped_len, key) == ERR_OK;
	vault_wipe(typed, sizeof typed);
	if (ok && vault_obj_open(key, BODY_AD, r.body, r.body_len, &out->data, &out->len) != ERR_OK)
		ok = 0;
	vault_wipe(key, sizeof key);
	struct store_conn *c = store_acquire(a->store);
	e = store_begin(c);
	if (e == ERR_OK && ok) {
		/* The right password takes its try back. */
		struct store_stmt *st = store_prepare(
		    c, "UPDATE ex_files SET failures = failures - 1, locked = 0, downloads = "
		       "downloads + 1 WHERE id = ?");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, id);
			e = store_run(st);
		}
		store_finish(st);
		if (e == ERR_OK)
			e = event(c, id, "download", user_id, r.sender_id, user_id, r.size);
		if (e == ERR_OK)
			e = audit(a, c, actor, "download", id, "");
	} else if (e == ERR_OK) {
		e = event(c, id, *left > 0 ? "wrong_password" : "locked", user_id, r.sender_id,
			  user_id, r.size);
		if (e == ERR_OK)
			e = audit(a, c, actor, *left > 0 ? "wrong_password" : "locked", id, "");
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		exchange_got_free(out);
		goto out;
	}
	if (!ok) {
		e = *left > 0 ? ERR_FORBIDDEN : ERR_TOOMANY;
		*code = *left > 0 ? "wrong_password" : "file_locked";
		*why = *left > 0 ? "パスワードが違います。パスワードのメールを確かめてください。"
				 : "パスワードの間違いが続いたため、このファイルは開けなくなりました。"
				   "送り主に送り直しを頼んでください。";
		goto out;
	}
	out->meta = r.meta;
	r.meta = NULL;
out:
	row_free(&r);
	if (e != ERR_OK && !*why)
		*why = err_message_ja(e);
	return e;
}

/* Destroys file id on c (in the caller's transaction): the row and the password mail's text;
 * records action ("expired" or "withdrawn") by user_id (0: the sweeper). ERR_NOTFOUND when it
 * is gone already. */
static enum err destroy(struct app *a, struct store_conn *c, int64_t id, const char *action,
			int64_t user_id, const char *actor)
{
	char send_id[64];
	int64_t sender = 0, recipient = 0, size = 0;
	struct store_stmt *st =
	    store_prepare(c, "SELECT sender_id, recipient_id, size FROM ex_files WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int found = store_step(st) == STORE_ROW;
	if (found) {
		sender = store_col_int(st, 0);
		recipient = store_col_int(st, 1);
		size = store_col_int(st, 2);
	}
	store_finish(st);
	if (!found)
		return ERR_NOTFOUND;
	st = store_prepare(c, "DELETE FROM ex_files WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	snprintf(send_id, sizeof send_id, "exchange:%" PRId64 ":password", id);
	if (e == ERR_OK)
		e = mail_outbox_blank(c, exchange_vault(a), send_id, BLANKED);
	if (e == ERR_OK)
		e = event(c, id, action, user_id, sender, recipient, size);
	if (e == ERR_OK)
		e = audit(a, c, actor, action, id, "");
	return e;
}

/* 1 while deletions wait for their scrub (one that could not finish is tried at each sweep). */
static _Atomic int scrub_pending;

/* Scrubs what the deletions left in the database's files: on SQLite the whole database (the
 * blanked password mails too); on PostgreSQL ex_files, rewritten (the outbox, large, is left to
 * autovacuum: its old tuples hold the blanked text sealed under the service's key). */
static enum err scrub(struct app *a)
{
	scrub_pending = 1;
	enum err e = store_scrub(a->store, "ex_files");
	if (e == ERR_OK)
		scrub_pending = 0;
	return e;
}

enum err exchange_withdraw(struct app *a, int64_t id, int64_t user_id, int64_t sender_id,
			   const char *actor)
{
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK && sender_id) {
		struct store_stmt *st =
		    store_prepare(c, "SELECT 1 FROM ex_files WHERE id = ? AND sender_id = ?");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, id);
			store_bind_int(st, 2, sender_id);
			e = store_step(st) == STORE_ROW ? ERR_OK : ERR_NOTFOUND;
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = destroy(a, c, id, "withdrawn", user_id, actor);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e == ERR_OK && scrub(a) != ERR_OK)
		log_warn("exchange: the withdrawn file's bytes are scrubbed at the next sweep");
	return e;
}

enum err exchange_sweep(struct app *a, int64_t now_ms, int scrub_always, int *n)
{
	int64_t ids[256];
	int count = 0;
	enum err e = ERR_OK;
	*n = 0;
	do {
		struct store_conn *c = store_acquire(a->store);
		struct store_stmt *st = store_prepare(
		    c, "SELECT id FROM ex_files WHERE expires_ms <= ? ORDER BY id LIMIT 256");
		count = 0;
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, now_ms);
			while (count < 256 && store_step(st) == STORE_ROW)
				ids[count++] = store_col_int(st, 0);
			e = ERR_OK;
		}
		store_finish(st);
		for (int i = 0; e == ERR_OK && i < count; i++) {
			e = store_begin(c);
			if (e != ERR_OK)
				break;
			e = destroy(a, c, ids[i], "expired", 0, "exchange:sweeper");
			if (e == ERR_NOTFOUND)
				e = ERR_OK; /* withdrawn meanwhile */
			else if (e == ERR_OK)
				(*n)++;
			if (e == ERR_OK)
				e = store_commit(c);
			store_rollback(c);
		}
		store_release(c);
	} while (e == ERR_OK && count == 256);
	/* Also after a sweep that found nothing when a scrub could not finish before. */
	if (e == ERR_OK && (*n > 0 || scrub_pending || scrub_always))
		e = scrub(a);
	return e;
}
