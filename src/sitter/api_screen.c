/* SPDX-License-Identifier: MIT */
/* api_screen.c — the staff's side of an application: the lists and the search, a paper
 * application keyed in, one application with its receipts; the contractor's pre-screen (items
 * checked, returned for correction with a mail, screened) and the ward's decision (approved
 * within the yearly cap, or rejected with a reason). Every move goes through the platform's
 * path (grant/path.h), which refuses a skipped state, and is audited. */
#include "sitter/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "grant/checks.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define LIST_MAX 500

/* Audits the caller's action on application id (no personal data). */
static enum err audit_app(struct http_req *rq, struct store_conn *c, const char *action,
			  int64_t id, const char *detail)
{
	char object[48];
	snprintf(object, sizeof object, "sitter_application:%" PRId64, id);
	return audit_append(c, rq->app->vault, rq->actor, action, object, detail);
}

/* The search terms a query q may be: a name, a ふりがな, a phone number or a mail address. */
static void terms_of(const struct vault *v, const char *q, unsigned char terms[4][32])
{
	const char *kinds[4] = {"name", "kana", "phone", "mail"};
	for (int i = 0; i < 4; i++)
		sitter_term(v, kinds[i], q, terms[i]);
}

enum err api_sitter_list(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	const char *state = http_query(rq, "state"), *q = http_query(rq, "q");
	unsigned char terms[4][32] = {{0}};
	json_t *list = json_array();
	struct store_stmt *st;
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	if (state && *state && grant_state_parse(state) < 0) {
		json_decref(list);
		return http_error_as(rs, ERR_INVALID, "bad_state", "状態の指定が正しくありません。");
	}
	if (q && text_line_check(q, 100) != TEXT_OK)
		q = NULL;
	if (q)
		terms_of(v, q, terms);
	struct store_conn *c = store_acquire(rq->app->store);
	st = store_prepare(
	    c, "SELECT a.id, a.number, a.state, a.decision, a.channel, a.form, a.submitted_ms, "
	       "a.claim_yen, a.grant_yen, a.checks FROM sitter_applications a WHERE a.state <> "
	       "'draft' AND (?1 = '' OR a.state = ?1) AND (?2 = 0 OR a.number = ?3 OR a.id IN "
	       "(SELECT application_id FROM sitter_terms WHERE term IN (?4, ?5, ?6, ?7))) ORDER BY "
	       "CASE WHEN ?1 = '' THEN -a.submitted_ms ELSE a.submitted_ms END, a.id LIMIT ?8");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, state ? state : "");
	store_bind_int(st, 2, q ? 1 : 0);
	store_bind_text(st, 3, q ? q : "");
	for (int i = 0; i < 4; i++)
		store_bind_blob(st, 4 + i, terms[i], q ? 32 : 0);
	store_bind_int(st, 8, LIST_MAX);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		size_t n = 0;
		const void *b = store_col_blob(st, 5, &n);
		char *form = NULL, at[32] = "";
		json_t *fj = NULL;
		if (vault_unseal(v, "sitter_applications.form", b, n, &form) != ERR_OK) {
			e = ERR_CRYPTO;
			goto out;
		}
		fj = json_loads(form, 0, NULL);
		vault_wipe_free(form);
		int approved = !store_col_is_null(st, 3) &&
			       strcmp(store_col_text(st, 3), "approved") == 0;
		int s = grant_state_parse(store_col_text(st, 2));
		size_t checked = 0;
		for (const char *x = store_col_text(st, 9); *x; x++)
			checked += *x == ',';
		if (*store_col_text(st, 9))
			checked++;
		if (!store_col_is_null(st, 6))
			clock_jst_iso(store_col_int(st, 6), at, sizeof at);
		json_array_append_new(
		    list,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:O?, s:s, s:I, s:I, s:I, s:i, s:i}", "id",
			      (json_int_t)store_col_int(st, 0), "number", store_col_text(st, 1),
			      "state", store_col_text(st, 2), "state_label",
			      grant_state_label((enum grant_state)s, approved), "channel",
			      store_col_text(st, 4), "name",
			      json_object_get(json_object_get(fj, "guardian"), "name"),
			      "submitted_at", at, "children",
			      (json_int_t)json_array_size(json_object_get(fj, "children")),
			      "claim_yen", (json_int_t)store_col_int(st, 7), "grant_yen",
			      (json_int_t)store_col_int(st, 8), "checked", (int)checked, "checks",
			      SITTER_CHECKS));
		json_decref(fj);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "sitter.list", "sitter",
				 state ? state : (q ? "search" : ""));
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "applications", list));
}

enum err api_sitter_paper(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	struct sitter_settings cfg;
	struct sitter_form f = {0};
	char today[11], why[SITTER_WHY_MAX], number[16];
	int64_t id = 0, now = clock_now_ms();
	json_t *body = NULL;
	struct store_conn *c = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(now, today, sizeof today);
	e = sitter_form_parse(body, today, 0, &f, why);
	json_decref(body);
	if (e != ERR_OK) {
		sitter_form_clear(&f);
		return http_error_as(rs, ERR_INVALID, "bad_form", why);
	}
	sitter_settings_read(rq->app, &cfg);
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = sitter_app_create(c, v, &cfg.rates, &f, "paper", GRANT_SUBMITTED, rq->user.id,
				      now, &id, number);
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.paper", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		e = sitter_answer_app(rq, rs, c, id, 1, 201);
	store_release(c);
	sitter_form_clear(&f);
	return e;
}

enum err api_sitter_get(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	/* a draft is its applicant's until sent: the staff see received applications only */
	struct store_stmt *st =
	    store_prepare(c, "SELECT state FROM sitter_applications WHERE id = ?1");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, id);
		e = store_step(st) == STORE_ROW && strcmp(store_col_text(st, 0), "draft") != 0
			? ERR_OK
			: ERR_NOTFOUND;
		store_finish(st);
	}
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_application", "その申請はありません。");
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.read", id, "");
	if (e == ERR_OK)
		e = sitter_answer_app(rq, rs, c, id, 1, 200);
	store_release(c);
	return e;
}

enum err api_sitter_receipt(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]), rid = http_param_id(rq->params[1]);
	unsigned char *data = NULL;
	size_t len = 0;
	char media[32] = "";
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT media, data FROM sitter_receipts WHERE id = ?1 AND application_id = ?2");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, rid);
		store_bind_int(st, 2, id);
		e = ERR_NOTFOUND;
		if (store_step(st) == STORE_ROW) {
			size_t n = 0;
			const void *b = store_col_blob(st, 1, &n);
			snprintf(media, sizeof media, "%s", store_col_text(st, 0));
			e = vault_unseal_bytes(sitter_vault(rq->app), "sitter_receipts.data", b, n,
					       &data, &len);
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = audit_app(rq, c, "sitter.receipt_read", id, "");
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_receipt", "その領収書はありません。");
	if (e != ERR_OK) {
		free(data);
		return e;
	}
	buf_free(&rs->body);
	buf_init(&rs->body, len + 1);
	e = buf_append(&rs->body, data, len);
	vault_wipe(data, len);
	free(data);
	rs->status = 200;
	rs->content_type = strcmp(media, "image/png") == 0	 ? "image/png"
			   : strcmp(media, "image/jpeg") == 0 ? "image/jpeg"
							      : "application/pdf";
	return e;
}

/* Loads application id for a move; answers 404 for none. */
static enum err load(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
		     int64_t id, struct sitter_app *p)
{
	enum err e = sitter_app_load(c, sitter_vault(rq->app), id, p);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_application", "その申請はありません。");
	return e;
}

/* The answer when a move is not possible from p's state. */
static enum err wrong_state(struct http_resp *rs, const struct sitter_app *p)
{
	char msg[256];
	snprintf(msg, sizeof msg, "この申請は「%s」なので、その操作はできません。",
		 grant_state_label(p->state, p->approved));
	return http_error_as(rs, ERR_CONFLICT, "wrong_state", msg);
}

enum err api_sitter_check(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	json_t *body = NULL;
	struct sitter_app p;
	int loaded = 0;
	struct store_conn *c = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *item = json_string_value(json_object_get(body, "item"));
	int on = json_is_true(json_object_get(body, "checked"));
	int k = grant_check_index(sitter_check_items, item);
	if (k < 0) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_item", "確認する項目が正しくありません。");
	}
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK) {
		e = load(rq, rs, c, id, &p);
		loaded = e == ERR_OK;
	}
	if (e == ERR_OK && p.state != GRANT_SUBMITTED) {
		e = wrong_state(rs, &p);
		goto out;
	}
	if (e == ERR_OK) {
		/* the checked items, in their order */
		char list[128];
		grant_checks_set(p.checks, sitter_check_items, k, on, list, sizeof list);
		struct store_stmt *st = store_prepare(
		    c, "UPDATE sitter_applications SET checks = ?1, updated_ms = ?2 WHERE id = ?3");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, list);
			store_bind_int(st, 2, clock_now_ms());
			store_bind_int(st, 3, id);
			e = store_run(st);
			store_finish(st);
		}
	}
	if (e == ERR_OK)
		e = audit_app(rq, c, on ? "sitter.check" : "sitter.uncheck", id, item);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (store_in_tx(c))
		store_rollback(c);
	if (loaded)
		sitter_app_clear(&p);
	if (e == ERR_OK)
		e = sitter_answer_app(rq, rs, c, id, 1, 200);
	json_decref(body);
	store_release(c);
	return e;
}

/* Moves application id from its state to `to` for the caller, with a note (sealed in the step)
 * and, when given, fn run inside the same transaction. */
static enum err move(struct http_req *rq, struct http_resp *rs, int64_t id, enum grant_state to,
		     const char *note, const char *action,
		     enum err (*fn)(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
				    struct sitter_app *p, const char *note))
{
	struct sitter_app p;
	int loaded = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = store_begin(c);
	if (e == ERR_OK) {
		e = load(rq, rs, c, id, &p);
		loaded = e == ERR_OK;
	}
	if (e == ERR_OK && !grant_move_allowed(p.state, to, rq->role)) {
		e = wrong_state(rs, &p);
		goto out;
	}
	if (e == ERR_OK && fn)
		e = fn(rq, rs, c, &p, note);
	if (e == ERR_OK)
		e = grant_step(c, sitter_vault(rq->app), &sitter_tables, id, p.state, to,
			       rq->user.id, note, clock_now_ms());
	if (e == ERR_CONFLICT && !rs->error)
		e = http_error_as(rs, e, "moved", "ほかの人が先にこの申請を進めました。画面を読み"
						  "込み直してください。");
	if (e == ERR_OK)
		e = audit_app(rq, c, action, id, grant_state_name(to));
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (store_in_tx(c))
		store_rollback(c);
	if (loaded)
		sitter_app_clear(&p);
	if (e == ERR_OK) {
		if (rq->app->mail)
			mail_sender_wake(rq->app->mail);
		e = sitter_answer_app(rq, rs, c, id, 1, 200);
	}
	store_release(c);
	return e;
}

/* The note of body (one or more lines, at most max characters), or NULL. */
static const char *note_of(json_t *body, const char *key)
{
	const char *s = json_string_value(json_object_get(body, key));
	return text_note_ok(s, 2000) ? s : NULL;
}

/* Return for correction: the note sealed on the application, a mail to the applicant. */
static enum err returned(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			 struct sitter_app *p, const char *note)
{
	struct app *a = rq->app;
	const struct vault *v = sitter_vault(a);
	struct sitter_settings cfg;
	struct buf mail;
	char token[65], subject[160];
	(void)rs;
	sitter_settings_read(a, &cfg);
	struct store_stmt *st =
	    store_prepare(c, "UPDATE sitter_applications SET fix_note = ?1 WHERE id = ?2");
	if (!st)
		return ERR_DB;
	vault_bind_sealed(v, st, 1, "sitter_applications.fix_note", note);
	store_bind_int(st, 2, p->id);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	sitter_link_token(v, p->id, token);
	buf_init(&mail, 16 * 1024);
	snprintf(subject, sizeof subject, "【ベビーシッター利用支援】申請内容の補正のお願い（申請番号 %s）",
		 p->number);
	buf_printf(&mail,
		   "%s 様\n\n申請番号 %s の申請について、次の点を確かめて直してください。\n\n%s\n\n"
		   "次のページで申請を直し、もう一度「申請する」を押してください（このリンクは申請者"
		   "だけのものです）。\n%s/sitter/status.html#t=%s\n\nお問い合わせ: %s\n",
		   p->form.name, p->number, note, a->cfg.base_url, token, cfg.contact);
	e = sitter_mail(a, c, "correction", p->form.email, subject, mail.data);
	vault_wipe(mail.data, mail.len);
	buf_free(&mail);
	return e;
}

enum err api_sitter_return(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *note = note_of(body, "note");
	if (!note)
		e = http_error_as(rs, ERR_INVALID, "no_note",
				  "申請者に直してほしいことを書いてください（2000文字まで）。");
	else
		e = move(rq, rs, http_param_id(rq->params[0]), GRANT_RETURNED, note, "sitter.return",
			 returned);
	json_decref(body);
	return e;
}

/* The pre-screen is closed only with every item checked. */
static enum err all_checked(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			    struct sitter_app *p, const char *note)
{
	char msg[200];
	int i = grant_checks_missing(p->checks, sitter_check_items);
	(void)rq;
	(void)c;
	(void)note;
	if (i < 0)
		return ERR_OK;
	snprintf(msg, sizeof msg,
		 "「%s」がまだ確認済みではありません。すべての項目を確かめてから事前審査を終えて"
		 "ください。",
		 sitter_check_labels[i]);
	return http_error_as(rs, ERR_CONFLICT, "unchecked", msg);
}

enum err api_sitter_screen(struct http_req *rq, struct http_resp *rs)
{
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	return move(rq, rs, http_param_id(rq->params[0]), GRANT_SCREENED, NULL, "sitter.screen",
		    all_checked);
}

static enum err approve_fn(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   struct sitter_app *p, const char *note)
{
	struct sitter_settings cfg;
	(void)rs;
	sitter_settings_read(rq->app, &cfg);
	return sitter_app_decide(c, sitter_vault(rq->app), &cfg.rates, p, 1, note, rq->user.id,
				 clock_now_ms());
}

static enum err reject_fn(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  struct sitter_app *p, const char *note)
{
	struct sitter_settings cfg;
	(void)rs;
	sitter_settings_read(rq->app, &cfg);
	return sitter_app_decide(c, sitter_vault(rq->app), &cfg.rates, p, 0, note, rq->user.id,
				 clock_now_ms());
}

enum err api_sitter_decide(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *d = json_string_value(json_object_get(body, "decision"));
	const char *reason = note_of(body, "reason");
	int64_t id = http_param_id(rq->params[0]);
	if (d && strcmp(d, "approve") == 0)
		e = move(rq, rs, id, GRANT_APPROVED, reason, "sitter.approve", approve_fn);
	else if (d && strcmp(d, "reject") == 0 && reason)
		e = move(rq, rs, id, GRANT_REJECTED, reason, "sitter.reject", reject_fn);
	else if (d && strcmp(d, "reject") == 0)
		e = http_error_as(rs, ERR_INVALID, "no_reason",
				  "不交付の理由を書いてください（通知書に載ります）。");
	else
		e = http_error_as(rs, ERR_INVALID, "bad_decision",
				  "決定は「交付（approve）」か「不交付（reject）」を選んでください。");
	json_decref(body);
	return e;
}

enum err api_sitter_send_back(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *note = note_of(body, "note");
	if (!note)
		e = http_error_as(rs, ERR_INVALID, "no_note",
				  "事業者に確かめてほしいことを書いてください。");
	else
		e = move(rq, rs, http_param_id(rq->params[0]), GRANT_SUBMITTED, note,
			 "sitter.send_back", NULL);
	json_decref(body);
	return e;
}
