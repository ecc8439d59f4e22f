/* SPDX-License-Identifier: MIT */
/* api_apply.c — the applicant's side (public, no account): the form starts a draft and gives
 * the link's token; receipts are uploaded to it (type checked on the bytes, sealed); sending it
 * mails a confirmation with the link; the link shows the application, and takes a corrected
 * form (returned for correction) or a correct account (after a returned transfer). */
#include "sitter/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "grant/bank_codes.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define MAIL_SUBJECT_PREFIX "【ベビーシッター利用支援】"

enum err api_sitter_bank(struct http_req *rq, struct http_resp *rs)
{
	const char *bn, *bk, *brn, *brk;
	const char *bank = http_query(rq, "bank"), *branch = http_query(rq, "branch");
	if (!bank || !branch || !grant_bank_lookup(bank, branch, &bn, &bk, &brn, &brk))
		return http_error_as(rs, ERR_NOTFOUND, "unknown_bank",
				     "その金融機関コード・支店コードの支店は見つかりません。");
	return http_json(rs, 200,
			 json_pack("{s:s, s:s, s:s, s:s}", "bank_name", bn, "bank_kana", bk,
				   "branch_name", brn, "branch_kana", brk));
}

/* Audits an applicant's action on application id (no personal data). */
static enum err audit_app(struct http_req *rq, struct store_conn *c, const char *action,
			  int64_t id, const char *detail)
{
	char object[48];
	snprintf(object, sizeof object, "sitter_application:%" PRId64, id);
	return audit_append(c, rq->app->vault, rq->actor, action, object, detail);
}

enum err api_sitter_apply(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	struct sitter_settings cfg;
	struct sitter_form f;
	char today[11], why[SITTER_WHY_MAX], number[16], token[65] = "";
	int64_t id = 0, now = clock_now_ms();
	json_t *body = NULL;
	struct store_conn *c = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(now, today, sizeof today);
	e = sitter_form_parse(body, today, 1, &f, why);
	json_decref(body);
	if (e != ERR_OK) {
		sitter_form_clear(&f);
		return http_error_as(rs, ERR_INVALID, "bad_form", why);
	}
	sitter_settings_read(rq->app, &cfg);
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = sitter_app_create(c, v, &cfg.rates, &f, "web", GRANT_DRAFT, 0, now, &id, number);
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.apply", id, "web draft");
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK) {
		json_t *o = NULL;
		sitter_link_token(v, id, token);
		e = sitter_app_object(rq, rs, c, id, 0, &o);
		if (e == ERR_OK)
			e = http_json(rs, 201,
				      json_pack("{s:s, s:s, s:s, s:o}", "number", number, "token", token,
						"state", "draft", "application", o));
	}
	store_release(c);
	sitter_form_clear(&f);
	return e;
}

enum err api_sitter_mine(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = sitter_applicant(rq, rs, c, &id);
	if (e == ERR_OK)
		e = sitter_answer_app(rq, rs, c, id, 0, 200);
	store_release(c);
	return e;
}

/* Reads the state of application id on c. */
static enum err state_of(struct store_conn *c, int64_t id, enum grant_state *s)
{
	enum err e = ERR_NOTFOUND;
	struct store_stmt *st =
	    store_prepare(c, "SELECT state FROM sitter_applications WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		*s = (enum grant_state)grant_state_parse(store_col_text(st, 0));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err api_sitter_mine_update(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	struct sitter_settings cfg;
	struct sitter_form f = {0};
	char today[11], why[SITTER_WHY_MAX];
	int64_t id = 0, now = clock_now_ms();
	enum grant_state s = GRANT_DRAFT;
	json_t *body = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = sitter_applicant(rq, rs, c, &id);
	if (e != ERR_OK)
		goto out;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	clock_jst_date(now, today, sizeof today);
	if (sitter_form_parse(body, today, 1, &f, why) != ERR_OK) {
		e = http_error_as(rs, ERR_INVALID, "bad_form", why);
		goto out;
	}
	sitter_settings_read(rq->app, &cfg);
	e = store_begin(c);
	if (e == ERR_OK)
		e = state_of(c, id, &s);
	if (e == ERR_OK && s != GRANT_DRAFT && s != GRANT_RETURNED) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "not_editable",
				  "受付後の申請は直せません（補正をお願いした申請だけ直せます）。"
				  "コールセンターにお問い合わせください。");
		goto out;
	}
	if (e == ERR_OK)
		e = sitter_app_replace(c, v, &cfg.rates, id, &f, now);
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.correct", id, "form");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = sitter_answer_app(rq, rs, c, id, 0, 200);
out:
	json_decref(body);
	sitter_form_clear(&f);
	store_release(c);
	return e;
}

enum err api_sitter_mine_bank(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	struct sitter_bank b = {0};
	char why[SITTER_WHY_MAX];
	int64_t id = 0, now = clock_now_ms();
	json_t *body = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = sitter_applicant(rq, rs, c, &id);
	if (e != ERR_OK)
		goto out;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	if (sitter_bank_parse(body, &b, why) != ERR_OK) {
		e = http_error_as(rs, ERR_INVALID, "bad_bank", why);
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = sitter_app_replace_bank(c, v, id, &b, now);
	if (e == ERR_OK)
		e = grant_step(c, v, &sitter_tables, id, GRANT_UNPAID, GRANT_NOTIFIED, 0,
			       "口座の訂正", now);
	if (e == ERR_CONFLICT) {
		store_rollback(c);
		e = http_error_as(rs, e, "not_unpaid",
				  "口座を直せるのは、振込ができなかった申請だけです。");
		goto out;
	}
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.correct", id, "bank");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = sitter_answer_app(rq, rs, c, id, 0, 200);
out:
	json_decref(body);
	vault_wipe_free(b.holder);
	vault_wipe_free(b.holder_zengin);
	store_release(c);
	return e;
}

/* The media type the bytes are, whatever the request says: NULL for anything else. */
static const char *sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

/* Stores the request's body as a receipt of application id: by its applicant (staff 0) while
 * a draft or returned, by the contractor (staff 1: a receipt that came on paper) while
 * submitted. The type is read from the bytes and must be the declared one. */
static enum err add_receipt(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			    int64_t id, int staff)
{
	const struct vault *v = sitter_vault(rq->app);
	const char *ct = http_header(rq, "Content-Type"), *media;
	char declared[64] = "";
	int64_t rid = 0, count = 0;
	enum grant_state s = GRANT_DRAFT;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	struct store_stmt *st = NULL;
	enum err e = ERR_OK;
	/* the declared type without its parameters */
	if (ct) {
		size_t k = strcspn(ct, "; ");
		snprintf(declared, sizeof declared, "%.*s", (int)(k < 63 ? k : 63), ct);
	}
	media = sniff((const unsigned char *)rq->body, rq->body_len);
	if (rq->body_len == 0) {
		e = http_error_as(rs, ERR_INVALID, "empty_receipt", "領収書のファイルが空です。");
		goto out;
	}
	if (rq->body_len > SITTER_RECEIPT_BYTES) {
		e = http_error_as(rs, ERR_TOOLARGE, "receipt_too_large",
				  "領収書のファイルが大きすぎます（8MBまで）。");
		goto out;
	}
	if (!media || strcasecmp(declared, media) != 0) {
		e = http_error_as(rs, ERR_INVALID, "receipt_type",
				  "領収書は JPEG・PNG の画像か PDF で送ってください（ファイルの中身"
				  "と種類が合いません）。");
		rs->error_code = "receipt_type";
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = state_of(c, id, &s);
	if (e == ERR_NOTFOUND) {
		store_rollback(c);
		e = http_error_as(rs, e, "no_application", "その申請はありません。");
		goto out;
	}
	if (e == ERR_OK && !staff && s != GRANT_DRAFT && s != GRANT_RETURNED) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "not_editable",
				  "受付後の申請には領収書を足せません。コールセンターにお問い合わせ"
				  "ください。");
		goto out;
	}
	if (e == ERR_OK && staff && s != GRANT_SUBMITTED) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "not_editable",
				  "事業者が領収書を足せるのは、受付（事前審査中）の申請だけです。");
		goto out;
	}
	st = e == ERR_OK ? store_prepare(c, "SELECT count(*) FROM sitter_receipts WHERE "
					    "application_id = ?1")
			 : NULL;
	if (st) {
		store_bind_int(st, 1, id);
		if (store_step(st) == STORE_ROW)
			count = store_col_int(st, 0);
		store_finish(st);
		st = NULL;
	}
	if (e == ERR_OK && count >= SITTER_RECEIPTS_MAX) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "too_many_receipts",
				  "領収書は1つの申請に10ファイルまでです。");
		goto out;
	}
	if (e == ERR_OK) {
		vault_seal(v, "sitter_receipts.data", rq->body, rq->body_len, &sealed, &sealed_len);
		st = store_prepare(c, "INSERT INTO sitter_receipts (application_id, media, bytes, data, "
				      "created_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, id);
			store_bind_text(st, 2, media);
			store_bind_int(st, 3, (int64_t)rq->body_len);
			store_bind_blob(st, 4, sealed, sealed_len);
			store_bind_int(st, 5, clock_now_ms());
			e = store_run(st);
			rid = store_last_id(c);
		}
	}
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.receipt", id, media);
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = http_json(rs, 201,
			      json_pack("{s:{s:I, s:s, s:I}}", "receipt", "id", (json_int_t)rid,
					"media", media, "bytes", (json_int_t)rq->body_len));
out:
	store_finish(st);
	free(sealed);
	return e;
}

enum err api_sitter_receipt_add(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = sitter_applicant(rq, rs, c, &id);
	if (e == ERR_OK)
		e = add_receipt(rq, rs, c, id, 0);
	store_release(c);
	return e;
}

enum err api_sitter_staff_receipt_add(struct http_req *rq, struct http_resp *rs)
{
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = add_receipt(rq, rs, c, http_param_id(rq->params[0]), 1);
	store_release(c);
	return e;
}

enum err api_sitter_receipt_delete(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = 0, rid = http_param_id(rq->params[0]);
	enum grant_state s = GRANT_DRAFT;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = sitter_applicant(rq, rs, c, &id);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = state_of(c, id, &s);
	if (e == ERR_OK && s != GRANT_DRAFT && s != GRANT_RETURNED) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "not_editable",
				  "受付後の申請の領収書は消せません。");
		goto out;
	}
	struct store_stmt *st = e == ERR_OK ? store_prepare(c, "DELETE FROM sitter_receipts WHERE "
							      "id = ?1 AND application_id = ?2")
					    : NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, rid);
		store_bind_int(st, 2, id);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && store_changes(c) != 1) {
			store_rollback(c);
			e = http_error_as(rs, ERR_NOTFOUND, "no_receipt", "その領収書はありません。");
			goto out;
		}
	}
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.receipt_delete", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:b}", "deleted", 1));
out:
	store_release(c);
	return e;
}

enum err api_sitter_submit(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	const struct vault *v = sitter_vault(a);
	struct sitter_settings cfg;
	struct sitter_app p;
	int64_t id = 0, receipts = 0, now = clock_now_ms();
	struct buf mail;
	char subject[160];
	int loaded = 0;
	buf_init(&mail, 16 * 1024);
	struct store_conn *c = store_acquire(a->store);
	enum err e = sitter_applicant(rq, rs, c, &id);
	if (e != ERR_OK)
		goto out;
	sitter_settings_read(a, &cfg);
	e = store_begin(c);
	if (e == ERR_OK) {
		e = sitter_app_load(c, v, id, &p);
		loaded = e == ERR_OK;
	}
	struct store_stmt *st =
	    e == ERR_OK
		? store_prepare(c, "SELECT count(*) FROM sitter_receipts WHERE application_id = ?1")
		: NULL;
	if (st) {
		store_bind_int(st, 1, id);
		if (store_step(st) == STORE_ROW)
			receipts = store_col_int(st, 0);
		store_finish(st);
	}
	if (e == ERR_OK && receipts == 0) {
		store_rollback(c);
		e = http_error_as(rs, ERR_INVALID, "no_receipts",
				  "領収書を1つ以上添付してから申請してください。");
		rs->error_code = "no_receipts";
		goto out;
	}
	if (e == ERR_OK && p.state != GRANT_DRAFT && p.state != GRANT_RETURNED) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "already_submitted", "この申請は受付済みです。");
		goto out;
	}
	if (e == ERR_OK)
		e = grant_step(c, v, &sitter_tables, id, p.state, GRANT_SUBMITTED, 0, NULL, now);
	if (e == ERR_OK) {
		struct store_stmt *u = store_prepare(
		    c, "UPDATE sitter_applications SET submitted_ms = ?1, fix_note = NULL WHERE id = ?2");
		e = ERR_DB;
		if (u) {
			store_bind_int(u, 1, now);
			store_bind_int(u, 2, id);
			e = store_run(u);
			store_finish(u);
		}
	}
	if (e == ERR_OK) {
		char token[65];
		sitter_link_token(v, id, token);
		snprintf(subject, sizeof subject, MAIL_SUBJECT_PREFIX "%s（申請番号 %s）",
			 p.state == GRANT_RETURNED ? "補正後の申請を受け付けました"
						   : "申請を受け付けました",
			 p.number);
		buf_printf(&mail,
			   "%s 様\n\nベビーシッター利用支援事業（一時預かり利用支援）の助成の申請を受け"
			   "付けました。\n\n申請番号: %s\nお支払いになった金額: %lld円\n申請額（上限"
			   "確認前）: %lld円\n\n内容を確認したうえで区が交付を決定し、決定通知書を郵送"
			   "します。申請の状況は次のページで確かめられます（このリンクは申請者だけの"
			   "ものです。ほかの人に知らせないでください）。\n%s/sitter/status.html#t=%s\n\n"
			   "お問い合わせ: %s\n",
			   p.form.name, p.number, (long long)p.paid_yen, (long long)p.claim_yen,
			   a->cfg.base_url, token, cfg.contact);
		e = sitter_mail(a, c, "received", p.form.email, subject, mail.data);
	}
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.submit", id, p.state == GRANT_RETURNED ? "again" : "");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK) {
		if (a->mail)
			mail_sender_wake(a->mail);
		e = sitter_answer_app(rq, rs, c, id, 0, 200);
	}
out:
	if (loaded)
		sitter_app_clear(&p);
	if (mail.data)
		vault_wipe(mail.data, mail.len);
	buf_free(&mail);
	store_release(c);
	return e;
}
