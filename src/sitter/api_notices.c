/* SPDX-License-Identifier: MIT */
/* api_notices.c — the decision notices (交付決定通知書 / 不交付決定通知書), batched per day of
 * decision: making a day's batch moves its decisions to notified; its PDF (one 長3
 * window-envelope letter per page, 和暦 dates, the amounts or the reason with the 教示) is made
 * again from the sealed applications at each download and recorded in the handover ledger. */
#include "sitter/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/window_letter_pdf.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define PDF_MAX (256u * 1024 * 1024)

enum err api_sitter_notices(struct http_req *rq, struct http_resp *rs)
{
	json_t *pending = json_array(), *made = json_array();
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		goto fail;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT decided_on, sum(CASE WHEN state = 'approved' THEN 1 ELSE 0 END), sum(CASE "
	       "WHEN state = 'rejected' THEN 1 ELSE 0 END) FROM sitter_applications WHERE state IN "
	       "('approved','rejected') GROUP BY decided_on ORDER BY decided_on");
	while (st && store_step(st) == STORE_ROW)
		json_array_append_new(pending, json_pack("{s:s, s:I, s:I}", "date",
							 store_col_text(st, 0), "approved",
							 (json_int_t)store_col_int(st, 1), "rejected",
							 (json_int_t)store_col_int(st, 2)));
	store_finish(st);
	st = store_prepare(c, "SELECT n.id, n.on_date, n.letters, n.created_ms, u.login FROM "
			      "sitter_notices n LEFT JOIN users u ON u.id = n.created_by ORDER BY "
			      "n.id DESC LIMIT 200");
	while (st && store_step(st) == STORE_ROW) {
		char at[32];
		clock_jst_iso(store_col_int(st, 3), at, sizeof at);
		json_array_append_new(made, json_pack("{s:I, s:s, s:I, s:s, s:s}", "id",
						      (json_int_t)store_col_int(st, 0), "on_date",
						      store_col_text(st, 1), "letters",
						      (json_int_t)store_col_int(st, 2), "created_at", at,
						      "by", store_col_text(st, 4)));
	}
	store_finish(st);
	store_release(c);
	return http_json(rs, 200, json_pack("{s:o, s:o}", "pending", pending, "notices", made));
fail:
	json_decref(pending);
	json_decref(made);
	return e;
}

enum err api_sitter_notice_make(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	json_t *body = NULL;
	int64_t *ids = NULL, notice = 0, now = clock_now_ms();
	size_t n = 0, cap = 0;
	char day[11], detail[64];
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *date = json_string_value(json_object_get(body, "date"));
	if (!date || clock_day_parse(date, NULL, NULL) != 0) {
		e = http_error_as(rs, ERR_INVALID, "bad_date",
				  "決定日を年-月-日（例: 2026-12-01）で選んでください。");
		goto out;
	}
	snprintf(day, sizeof day, "%s", date);
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	st = e == ERR_OK ? store_prepare(c, "SELECT id, state FROM sitter_applications WHERE "
					    "decided_on = ?1 AND state IN ('approved','rejected') "
					    "ORDER BY id")
			 : NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, day);
		while (store_step(st) == STORE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				ids = xrealloc(ids, cap * sizeof *ids);
			}
			ids[n++] = store_col_int(st, 0);
		}
		store_finish(st);
		st = NULL;
	}
	if (e == ERR_OK && n == 0) {
		store_rollback(c);
		e = http_error_as(rs, ERR_CONFLICT, "nothing_to_notify",
				  "その日の決定で、まだ通知していないものはありません。");
		goto out;
	}
	if (e == ERR_OK) {
		st = store_prepare(c, "INSERT INTO sitter_notices (on_date, letters, created_by, "
				      "created_ms) VALUES (?1, ?2, ?3, ?4)");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, day);
			store_bind_int(st, 2, (int64_t)n);
			store_bind_int(st, 3, rq->user.id);
			store_bind_int(st, 4, now);
			e = store_run(st);
			notice = store_last_id(c);
			store_finish(st);
			st = NULL;
		}
	}
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct sitter_app p;
		e = sitter_app_load(c, v, ids[i], &p);
		if (e != ERR_OK)
			break;
		if (!grant_move_allowed(p.state, GRANT_NOTIFIED, rq->role))
			e = ERR_FORBIDDEN;
		else
			e = grant_step(c, v, &sitter_tables, ids[i], p.state, GRANT_NOTIFIED,
				       rq->user.id, NULL, now);
		sitter_app_clear(&p);
		st = e == ERR_OK ? store_prepare(c, "UPDATE sitter_applications SET notice_id = ?1 "
						    "WHERE id = ?2")
				 : NULL;
		if (st) {
			store_bind_int(st, 1, notice);
			store_bind_int(st, 2, ids[i]);
			e = store_run(st);
			store_finish(st);
			st = NULL;
		}
	}
	snprintf(detail, sizeof detail, "%s letters=%zu", day, n);
	if (e == ERR_OK) {
		char object[48];
		snprintf(object, sizeof object, "sitter_notice:%" PRId64, notice);
		e = audit_append(c, rq->app->vault, rq->actor, "sitter.notify", object, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = http_json(rs, 201,
			      json_pack("{s:{s:I, s:s, s:I}}", "notice", "id", (json_int_t)notice,
					"on_date", day, "letters", (json_int_t)n));
out:
	store_release(c);
	free(ids);
	json_decref(body);
	return e;
}

/* Formats yen with thousands separators into out: 12,345円. */
static void yen(int64_t v, char *out, size_t n)
{
	char digits[32], tmp[48];
	size_t k = 0, len;
	snprintf(digits, sizeof digits, "%" PRId64, v < 0 ? -v : v);
	len = strlen(digits);
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			tmp[k++] = ',';
		tmp[k++] = digits[i];
	}
	tmp[k] = '\0';
	snprintf(out, n, "%s%s円", v < 0 ? "-" : "", tmp);
}

/* Adds p's notice of day (ISO) to w. */
static enum err add_letter(struct doc_window_pdf *w, const struct sitter_settings *cfg,
			   const struct sitter_app *p, int minutes, const char *day)
{
	struct doc_window_letter L = {0};
	char ref[48], applied[64], amount[96], paid[96], hours[64], para[512];
	int y, m, d, ay, am, ad;
	wareki_parse_iso(day, &y, &m, &d);
	char sub[11];
	clock_jst_date(p->submitted_ms ? p->submitted_ms : p->created_ms, sub, sizeof sub);
	wareki_parse_iso(sub, &ay, &am, &ad);
	wareki_format(ay, am, ad, applied, sizeof applied);
	snprintf(ref, sizeof ref, "申請番号 %s", p->number);
	yen(p->grant_yen, amount, sizeof amount);
	yen(p->paid_yen, paid, sizeof paid);
	snprintf(hours, sizeof hours, "%d時間%02d分（お子さま%zu人の合計）", minutes / 60,
		 minutes % 60, p->form.nchildren);
	L.postcode = p->form.postcode;
	L.address = p->form.address;
	L.name = p->form.name;
	L.barcode = 1;
	L.sender = cfg->sender;
	L.year = y;
	L.month = m;
	L.day = d;
	L.ref = ref;
	if (p->approved) {
		L.title = "ベビーシッター利用支援事業助成金 交付決定通知書";
		snprintf(para, sizeof para,
			 "%sに申請のあったベビーシッター利用支援事業（一時預かり利用支援）の助成金に"
			 "ついて、次のとおり交付することに決定したので通知します。助成金は、申請のあった"
			 "口座に振り込みます。",
			 applied);
		L.paragraphs[0] = para;
		L.fields[0] = (struct doc_letter_field){"交付決定額", amount, 0};
		L.fields[1] = (struct doc_letter_field){"お支払いになった金額", paid, 0};
		L.fields[2] = (struct doc_letter_field){"助成の対象となる時間", hours, 0};
		L.fields[3] = (struct doc_letter_field){"お問い合わせ", cfg->contact, 0};
	} else {
		L.title = "ベビーシッター利用支援事業助成金 不交付決定通知書";
		snprintf(para, sizeof para,
			 "%sに申請のあったベビーシッター利用支援事業（一時預かり利用支援）の助成金に"
			 "ついて、次の理由により交付しないことに決定したので通知します。",
			 applied);
		L.paragraphs[0] = para;
		L.fields[0] = (struct doc_letter_field){"不交付の理由", p->reason ? p->reason : "", 0};
		L.fields[1] = (struct doc_letter_field){"お問い合わせ", cfg->contact, 0};
		L.notes[0] = "（教示）この決定に不服がある場合は、この決定があったことを知った日の翌日"
			     "から起算して3か月以内に、区長に対して審査請求をすることができます。";
	}
	return doc_window_pdf_add(w, &L);
}

enum err api_sitter_notice_pdf(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	const struct vault *v = sitter_vault(a);
	int64_t notice = http_param_id(rq->params[0]);
	struct sitter_settings cfg;
	struct doc_window_pdf *w = NULL;
	struct buf pdf;
	char day[11] = "", content[96], name[64];
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	sitter_settings_read(a, &cfg);
	buf_init(&pdf, PDF_MAX);
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT on_date FROM sitter_notices WHERE id = ?1");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, notice);
		e = ERR_NOTFOUND;
		if (store_step(st) == STORE_ROW) {
			snprintf(day, sizeof day, "%s", store_col_text(st, 0));
			e = ERR_OK;
		}
		store_finish(st);
	}
	st = e == ERR_OK ? store_prepare(c, "SELECT id FROM sitter_applications WHERE notice_id = "
					    "?1 ORDER BY number")
			 : NULL;
	if (st) {
		store_bind_int(st, 1, notice);
		while (store_step(st) == STORE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				ids = xrealloc(ids, cap * sizeof *ids);
			}
			ids[n++] = store_col_int(st, 0);
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = doc_window_pdf_open_buf(&pdf, "決定通知書", &w);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct sitter_app p;
		e = sitter_app_load(c, v, ids[i], &p);
		if (e == ERR_OK) {
			/* the hours as decided (later approvals do not change them) */
			int minutes = 0;
			st = store_prepare(c, "SELECT coalesce(sum(minutes), 0) FROM "
					      "sitter_child_hours WHERE application_id = ?1");
			if (st) {
				store_bind_int(st, 1, ids[i]);
				if (store_step(st) == STORE_ROW)
					minutes = (int)store_col_int(st, 0);
				store_finish(st);
			}
			e = add_letter(w, &cfg, &p, minutes, day);
			sitter_app_clear(&p);
		}
	}
	if (w) {
		enum err ce = doc_window_pdf_close(w);
		if (e == ERR_OK)
			e = ce;
	}
	store_release(c);
	free(ids);
	if (e == ERR_NOTFOUND) {
		buf_free(&pdf);
		return http_error_as(rs, e, "no_notice", "その通知のまとまりはありません。");
	}
	if (e == ERR_INVALID) {
		buf_free(&pdf);
		return http_error_as(rs, e, "letter_unfit",
				     "宛名が窓に収まらない申請があり、通知書を作れませんでした。住所を"
				     "確かめてください。");
	}
	if (e != ERR_OK) {
		buf_free(&pdf);
		return e;
	}
	snprintf(content, sizeof content, "notices %s letters=%zu", day, n);
	snprintf(name, sizeof name, "sitter-notices-%s.pdf", day);
	struct ledger_item it = {.service = SITTER_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = "sitter:notices",
				 .records = n};
	e = ledger_hand_over(rq, rs, &it, &pdf, "application/pdf", name);
	buf_free(&pdf);
	return e;
}
