/* SPDX-License-Identifier: MIT */
/* guardian_login.c — guardians sign in by a one-time link mailed to their confirmed address
 * (no passwords), and reach only their own children. */
#include "attendance/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "http/http.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

/* The confirmed guardian with address email on c: *gid and the address as confirmed
 * (*stored, malloc'd, wipe with vault_wipe_free), or *gid 0 when there is none. */
static enum err find_confirmed(struct app *a, struct store_conn *c, const char *email,
			       int64_t *gid, char **stored)
{
	unsigned char idx[VAULT_BLIND_LEN];
	enum err e = ERR_OK;
	mail_address_index(attendance_vault(a), email, idx);
	*gid = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, email_enc FROM guardians WHERE email_idx = ? AND "
	       "confirmed_ms IS NOT NULL");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t len;
		const void *b = store_col_blob(st, 1, &len);
		*gid = store_col_int(st, 0);
		e = vault_unseal(attendance_vault(a), "guardians.email", b, len, stored);
	} else if (rc != STORE_DONE) {
		e = ERR_DB;
	}
	store_finish(st);
	return e;
}

/* The number of links sent to gid since since_ms, on c. */
static enum err links_since(struct store_conn *c, int64_t gid, int64_t since_ms, int64_t *n)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT COUNT(*) FROM guardian_login_tokens WHERE guardian_id = ? AND created_ms > ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, gid);
	store_bind_int(st, 2, since_ms);
	int rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : ERR_DB;
}

enum err guardian_login_request(struct app *a, const char *email)
{
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms(), gid = 0, recent = 0;
	char *token = NULL, *body = NULL, *stored = NULL;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = ERR_OK;
	if (!email || !mail_address_valid(email))
		goto out; /* answered like an unknown address */
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = find_confirmed(a, c, email, &gid, &stored);
	if (e != ERR_OK || gid == 0)
		goto out;
	e = links_since(c, gid, now - LOGIN_LINK_MS, &recent);
	if (e != ERR_OK || recent >= LOGIN_LINKS_PER_WINDOW)
		goto out; /* no mail bombing through this form; the answer is the same */
	token = vault_token(32);
	vault_hash(token, strlen(token), h);
	st = store_prepare(c, "INSERT INTO guardian_login_tokens(token_hash, guardian_id, "
			      "created_ms, expires_ms) VALUES (?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, gid);
	store_bind_int(st, 3, now);
	store_bind_int(st, 4, now + LOGIN_LINK_MS);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	/* The token rides in the fragment: it never reaches a server log or a Referer. */
	body = xasprintf("見守り（学童クラブ・ひろばプラス）の保護者ページへのログイン用リンクです。\n"
			 "\n"
			 "%s/parent/#login=%s\n"
			 "\n"
			 "開いたページで「ログインする」を押してください。\n"
			 "このリンクは15分間、1回だけ使えます。\n"
			 "お心当たりのない場合は、このメールを破棄してください。\n"
			 "このメールは送信専用です。\n",
			 a->cfg.base_url, token);
	/* To the address as it was confirmed, not as it was typed into the form. */
	e = mail_outbox_enqueue(c, attendance_vault(a), "login", "notice", stored,
				"【見守り】保護者ページへのログイン", body);
	if (e != ERR_OK)
		goto out;
	char object[48];
	snprintf(object, sizeof object, "guardian:%lld", (long long)gid);
	e = audit_append(c, a->vault, "anon", "guardian.login_link", object, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && a->mail)
		mail_sender_wake(a->mail);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	vault_wipe_free(token);
	vault_wipe_free(body);
	vault_wipe_free(stored);
	return e;
}

/* A sign-in link request waiting for its answer to be sent. */
struct login_job {
	struct app *a;
	char *email;
};

static void login_job_run(void *arg)
{
	struct login_job *j = arg;
	if (guardian_login_request(j->a, j->email) != ERR_OK)
		log_warn("a guardian sign-in link request failed (storage)");
	vault_wipe_free(j->email);
	free(j);
}

void guardian_login_request_later(struct app *a, struct http_resp *rs, const char *email)
{
	struct login_job *j = xcalloc(1, sizeof *j);
	j->a = a;
	j->email = xstrdup(email);
	http_after(rs, login_job_run, j);
}

enum err guardian_login_redeem(struct app *a, const char *token, int64_t *guardian_id)
{
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms(), gid = 0;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	vault_hash(token, strlen(token), h);
	/* Only a still-confirmed guardian's link works. */
	st = store_prepare(c, "SELECT t.guardian_id FROM guardian_login_tokens t JOIN guardians g "
			      "ON g.id = t.guardian_id WHERE t.token_hash = ? AND t.used_ms IS NULL "
			      "AND t.expires_ms > ? AND g.confirmed_ms IS NOT NULL");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, now);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	gid = store_col_int(st, 0);
	store_finish(st);
	st = store_prepare(c, "UPDATE guardian_login_tokens SET used_ms = ? WHERE token_hash = ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, now);
	store_bind_blob(st, 2, h, sizeof h);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	char actor[48];
	snprintf(actor, sizeof actor, "guardian:%lld", (long long)gid);
	e = audit_append(c, a->vault, actor, "guardian.sign_in", actor, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		*guardian_id = gid;
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err guardian_name(struct app *a, int64_t guardian_id, char **name)
{
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, "SELECT name_enc FROM guardians WHERE id = ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, guardian_id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	size_t len;
	const void *b = store_col_blob(st, 0, &len);
	e = vault_unseal(attendance_vault(a), "guardians.name", b, len, name);
out:
	store_finish(st);
	store_release(c);
	return e;
}

enum err guardian_child(struct store_conn *c, int64_t guardian_id, const char *child_no,
			int64_t *child_id, int64_t *site_id)
{
	/* One query joins through child_guardians: another family's child is simply not found. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT ch.id, ch.site_id FROM children ch JOIN child_guardians cg ON "
	       "cg.child_id = ch.id WHERE ch.child_no = ? AND cg.guardian_id = ? AND ch.active = 1");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, child_no);
	store_bind_int(st, 2, guardian_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*child_id = store_col_int(st, 0);
		*site_id = store_col_int(st, 1);
	}
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}
