/* SPDX-License-Identifier: MIT */
/* emergency.c — emergency mail (緊急時の一斉メール配信): the personal-data check against the
 * roster, the audience (confirmed guardians of the chosen sites, each once), composing,
 * the second person's approval, and queueing one outbox row per recipient. */
#include "attendance/attendance.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

/* The audience: confirmed guardians of active children at the chosen sites ('*': all), each
 * guardian once however many of their children attend those sites. sites is bound twice. */
#define AUDIENCE_FROM                                                                          \
	" FROM guardians g WHERE g.confirmed_ms IS NOT NULL AND EXISTS (SELECT 1 FROM "        \
	"child_guardians cg JOIN children ch ON ch.id = cg.child_id JOIN sites s ON s.id = "   \
	"ch.site_id WHERE cg.guardian_id = g.id AND ch.active = 1 AND (? = '*' OR "           \
	"instr(',' || ? || ',', ',' || s.code || ',') > 0))"

static const char FOOTER[] = "\n\n--\n"
			     "このメールは見守り（放課後児童クラブ）からの一斉配信です。\n"
			     "送信専用のため、返信はできません。\n";

/* Scans the sealed column `field` of every row of sql; sets *found when a value occurs in
 * folded (names: folded; addresses: lower-cased). */
static enum err scan_column(struct app *a, struct store_conn *c, const char *sql,
			    const char *field, int is_address, const char *folded, int *found)
{
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		goto out;
	int rc;
	while (!*found && (rc = store_step(st)) == STORE_ROW) {
		size_t len;
		char *v = NULL;
		const void *b = store_col_blob(st, 0, &len);
		e = vault_unseal(attendance_vault(a), field, b, len, &v);
		if (e != ERR_OK)
			goto out;
		if (is_address) {
			for (char *p = v; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			*found = v[0] && strstr(folded, v) != NULL;
		} else {
			*found = emergency_has_name(folded, v);
		}
		vault_wipe_free(v);
	}
	e = ERR_OK;
	if (!*found && rc != STORE_DONE)
		e = ERR_DB;
out:
	store_finish(st);
	return e;
}

/* Checks subject and body for personal data of the roster. ERR_INVALID with *why naming the
 * kind found (never the value). Decrypts every name and address: about 20k fields for the
 * whole ward; logged with its time. */
static enum err content_check(struct app *a, const char *subject, const char *body,
			      const char **why)
{
	static const struct {
		const char *sql, *field, *why;
		int is_address;
	} cols[] = {
	    {"SELECT name_enc FROM children", "children.name",
	     "登録されている子どもの名前が含まれています。名前を消してから送信してください。", 0},
	    {"SELECT kana_enc FROM children", "children.kana",
	     "登録されている子どもの名前が含まれています。名前を消してから送信してください。", 0},
	    {"SELECT name_enc FROM guardians", "guardians.name",
	     "登録されている保護者の名前が含まれています。名前を消してから送信してください。", 0},
	    {"SELECT email_enc FROM guardians", "guardians.email",
	     "保護者のメールアドレスが含まれています。アドレスを消してから送信してください。", 1},
	};
	if (emergency_has_phone(subject) || emergency_has_phone(body)) {
		*why = "電話番号が含まれています。個人の電話番号は送れません。番号を消してから送信して"
		       "ください。";
		return ERR_INVALID;
	}
	int64_t t0 = clock_now_ms();
	char *folded = xasprintf("%s\n%s", subject, body);
	emergency_fold(folded);
	int found = 0;
	enum err e = ERR_OK;
	struct store_conn *c = store_acquire(a->store);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0] && e == ERR_OK && !found; i++) {
		e = scan_column(a, c, cols[i].sql, cols[i].field, cols[i].is_address, folded,
				&found);
		if (e == ERR_OK && found) {
			*why = cols[i].why;
			e = ERR_INVALID;
		}
	}
	store_release(c);
	vault_wipe_free(folded);
	log_info("emergency: content check %lld ms", (long long)(clock_now_ms() - t0));
	return e;
}

enum err emergency_audience_count(struct store_conn *c, const char *sites, size_t *n)
{
	struct store_stmt *st = store_prepare(c, "SELECT count(*)" AUDIENCE_FROM);
	enum err e = ERR_DB;
	*n = 0;
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, sites);
	store_bind_text(st, 2, sites);
	if (store_step(st) == STORE_ROW) {
		*n = (size_t)store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

const char *emergency_delivery(const char *state, int64_t total, int64_t sent, int64_t failed)
{
	if (!state || strcmp(state, "sent") != 0)
		return NULL;
	if (sent + failed < total)
		return sent + failed == 0 ? "queued" : "sending";
	return failed ? "partly_failed" : "done";
}

/* Queues one bulk mail per audience member of send id on c (inside the caller's
 * transaction) and marks the send 'sent' by approver (0: none, the author's own send). */
static enum err queue_send(struct app *a, struct store_conn *c, int64_t id, const char *sites,
			   const char *subject, const char *body, int64_t approver, size_t *n)
{
	char send_id[48];
	snprintf(send_id, sizeof send_id, "emergency:%lld", (long long)id);
	char *full = xasprintf("%s%s", body, FOOTER);
	enum err e = ERR_DB;
	*n = 0;
	struct store_stmt *st = store_prepare(c, "SELECT g.email_enc" AUDIENCE_FROM " ORDER BY g.id");
	if (!st)
		goto out;
	store_bind_text(st, 1, sites);
	store_bind_text(st, 2, sites);
	e = guardian_mail_each(a, c, st, send_id, "bulk", subject, full, n);
	if (e != ERR_OK)
		goto out;
	store_finish(st);
	st = store_prepare(c, "UPDATE emergency_sends SET state = 'sent', send_id = ?, "
			      "approver_id = ?, approved_ms = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	if (approver)
		store_bind_int(st, 2, approver);
	else
		store_bind_null(st, 2);
	if (approver)
		store_bind_int(st, 3, clock_now_ms());
	else
		store_bind_null(st, 3);
	store_bind_int(st, 4, id);
	e = store_run(st);
out:
	store_finish(st);
	vault_wipe_free(full);
	return e;
}

/* Joins the codes into "A,B,C" after checking each names a site (duplicates dropped).
 * Returns a malloc'd string (caller frees) or NULL with *why set. *nsites counts them. */
static char *sites_join(struct app *a, const char *const *codes, size_t ncodes,
			size_t *nsites, enum err *e, const char **why)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	struct store_conn *c = store_acquire(a->store);
	*nsites = 0;
	*e = ERR_OK;
	for (size_t i = 0; i < ncodes && *e == ERR_OK; i++) {
		struct site s;
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(codes[i], codes[j]) == 0;
		if (dup)
			continue;
		*e = site_find(c, codes[i], &s);
		if (*e == ERR_NOTFOUND) {
			*e = ERR_INVALID;
			*why = "送信先に、登録されていない施設コードがあります。施設を選び直してください。";
		} else if (*e == ERR_OK) {
			buf_printf(&b, "%s%s", *nsites ? "," : "", s.code);
			(*nsites)++;
		}
	}
	store_release(c);
	if (*e != ERR_OK) {
		buf_free(&b);
		return NULL;
	}
	char *out = xstrdup(b.data ? b.data : "");
	buf_free(&b);
	return out;
}

enum err emergency_compose(struct app *a, const struct user *u, const char *actor,
			   const char *const *codes, size_t ncodes, const char *subject,
			   const char *body, struct emergency_result *res, const char **why)
{
	char object[48], detail[96];
	char *sites = NULL;
	size_t nsites = 0;
	struct store_conn *c = NULL;
	enum err e;
	memset(res, 0, sizeof *res);
	*why = emergency_shape_check(subject, body);
	if (*why)
		return ERR_INVALID;
	if (ncodes == 0) {
		sites = xstrdup("*");
	} else {
		sites = sites_join(a, codes, ncodes, &nsites, &e, why);
		if (!sites)
			goto out;
	}
	e = content_check(a, subject, body, why);
	if (e == ERR_INVALID) {
		res->code = "personal_data";
		/* The refusal is audited with the kind of data found, never the value. */
		struct store_conn *ac = store_acquire(a->store);
		audit_append(ac, a->vault, actor, "emergency.refused", "emergency", *why);
		store_release(ac);
	}
	if (e != ERR_OK)
		goto out;
	int immediate = ncodes > 0 && nsites == 1;
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO emergency_sends(created_ms, author_id, sites, subject_enc, body_enc, "
	       "state) VALUES (?, ?, ?, ?, ?, 'awaiting_approval')");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_int(st, 2, u->id);
	store_bind_text(st, 3, sites);
	vault_bind_sealed(attendance_vault(a), st, 4, "emergency.subject", subject);
	vault_bind_sealed(attendance_vault(a), st, 5, "emergency.body", body);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	res->id = store_last_id(c);
	if (immediate) {
		e = queue_send(a, c, res->id, sites, subject, body, 0, &res->recipients);
		snprintf(res->state, sizeof res->state, "sent");
	} else {
		e = emergency_audience_count(c, sites, &res->recipients);
		snprintf(res->state, sizeof res->state, "awaiting_approval");
	}
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "emergency:%lld", (long long)res->id);
	snprintf(detail, sizeof detail, "sites=%s%zu state=%s recipients=%zu",
		 ncodes ? "" : "all/", ncodes ? nsites : (size_t)0, res->state, res->recipients);
	e = audit_append(c, a->vault, actor, "emergency.compose", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && immediate && a->mail)
		mail_sender_wake(a->mail);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	free(sites);
	return e;
}

/* The stored send's fields needed to decide it. */
struct stored_send {
	int64_t author;
	char state[24];
	char *sites, *subject, *body; /* malloc'd; subject/body wiped */
};

static void stored_send_free(struct stored_send *s)
{
	free(s->sites);
	vault_wipe_free(s->subject);
	vault_wipe_free(s->body);
	memset(s, 0, sizeof *s);
}

/* Loads send id on c into *s (caller frees with stored_send_free). */
static enum err stored_send_load(struct app *a, struct store_conn *c, int64_t id,
				 struct stored_send *s)
{
	memset(s, 0, sizeof *s);
	struct store_stmt *st = store_prepare(c, "SELECT author_id, state, sites, subject_enc, "
						 "body_enc FROM emergency_sends WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		size_t len;
		const void *b;
		s->author = store_col_int(st, 0);
		snprintf(s->state, sizeof s->state, "%s", store_col_text(st, 1));
		s->sites = xstrdup(store_col_text(st, 2));
		b = store_col_blob(st, 3, &len);
		e = vault_unseal(attendance_vault(a), "emergency.subject", b, len, &s->subject);
		if (e == ERR_OK) {
			b = store_col_blob(st, 4, &len);
			e = vault_unseal(attendance_vault(a), "emergency.body", b, len, &s->body);
		}
	}
	store_finish(st);
	if (e != ERR_OK)
		stored_send_free(s);
	return e;
}

enum err emergency_decide(struct app *a, const struct user *u, const char *actor, int64_t id,
			  int approve, struct emergency_result *res, const char **why)
{
	struct stored_send s = {0};
	char object[48], detail[64];
	struct store_conn *c = store_acquire(a->store);
	enum err e;
	memset(res, 0, sizeof *res);
	res->id = id;
	*why = NULL;
	snprintf(object, sizeof object, "emergency:%lld", (long long)id);
	e = stored_send_load(a, c, id, &s);
	if (e == ERR_NOTFOUND)
		*why = "この緊急メールの送信は見つかりません。";
	if (e != ERR_OK)
		goto out;
	if (approve && s.author == u->id) {
		*why = "作成者は自分の送信を承認できません。別の担当者（区の管理者・委託事業者）が承認して"
		       "ください。";
		res->code = "second_approver_required";
		audit_append(c, a->vault, actor, "denied", object, "approval by the author");
		e = ERR_FORBIDDEN;
		goto out;
	}
	if (approve && strcmp(s.state, "awaiting_approval") == 0) {
		/* The roster may have changed since composing: check the message again. */
		store_release(c);
		c = NULL;
		e = content_check(a, s.subject, s.body, why);
		if (e == ERR_INVALID)
			res->code = "personal_data";
		c = store_acquire(a->store);
		if (e != ERR_OK)
			goto out;
	}
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	/* Read the state again under the write lock: two approvers at once send once. */
	struct store_stmt *st =
	    store_prepare(c, "SELECT state FROM emergency_sends WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		snprintf(s.state, sizeof s.state, "%s", store_col_text(st, 0));
		e = ERR_OK;
	}
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	if (strcmp(s.state, "awaiting_approval") != 0) {
		*why = "この送信は、すでに承認または却下されています。";
		res->code = "already_decided";
		e = ERR_CONFLICT;
		goto out;
	}
	if (approve) {
		e = queue_send(a, c, id, s.sites, s.subject, s.body, u->id, &res->recipients);
		snprintf(res->state, sizeof res->state, "sent");
	} else {
		st = store_prepare(c, "UPDATE emergency_sends SET state = 'rejected', "
				      "approver_id = ?, approved_ms = ? WHERE id = ?");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, u->id);
		store_bind_int(st, 2, clock_now_ms());
		store_bind_int(st, 3, id);
		e = store_run(st);
		store_finish(st);
		snprintf(res->state, sizeof res->state, "rejected");
	}
	if (e != ERR_OK)
		goto out;
	snprintf(detail, sizeof detail, "recipients=%zu", res->recipients);
	e = audit_append(c, a->vault, actor, approve ? "emergency.approve" : "emergency.reject",
			 object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && approve && a->mail)
		mail_sender_wake(a->mail);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	stored_send_free(&s);
	return e;
}
