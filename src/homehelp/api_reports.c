/* SPDX-License-Identifier: MIT */
/* api_reports.c — the month's papers: the monthly report to the ward (実績報告: per household the
 * visits, hours, free hours, fees and what was paid, the follow-ups; per supporter the visits
 * and hours — PDF or CSV) and a household's usage and fee statement (利用明細, PDF). Each file is
 * recorded in the handover ledger before it leaves. */
#include "homehelp/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "doc/csv_write.h"
#include "doc/table_pdf.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define FILE_MAX (64u * 1024 * 1024)

static const char *const kind_labels[][2] = {
    {"meal", "食事提供"},	   {"cleaning", "清掃"},	  {"laundry", "洗濯"},
    {"childcare", "子どもの世話の介助"}, {"hospital", "通院介助"}, {"other", "その他"},
};

/* Writes the Japanese names of comma-joined kinds into out. */
static void kinds_ja(const char *kinds, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < sizeof kind_labels / sizeof kind_labels[0]; i++)
		if (strstr(kinds, kind_labels[i][0]))
			snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "・" : "",
				 kind_labels[i][1]);
}

/* Checks month "YYYY-MM" into the first and last day. 0 or -1. */
static int month_range(const char *month, char first[11], char last[11])
{
	int y, m;
	char tmp[32];
	if (!month || wareki_parse_month(month, &y, &m) != ERR_OK)
		return -1;
	snprintf(tmp, sizeof tmp, "%04d-%02d-01", y, m);
	memcpy(first, tmp, 11);
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, wareki_days_in_month(y, m));
	memcpy(last, tmp, 11);
	return 0;
}

/* Formats minutes as "h:mm". */
static void hm(int minutes, char *out, size_t n)
{
	snprintf(out, n, "%d:%02d", minutes / 60, minutes % 60);
}

enum err api_hh_monthly(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = homehelp_vault(rq->app);
	const char *month = http_query(rq, "month"), *format = http_query(rq, "format");
	char first[11], last[11], content[96], name[64];
	int csv = format && strcmp(format, "csv") == 0;
	struct doc_csv_out w = {0};
	struct doc_table_pdf *pdf = NULL;
	struct buf out;
	size_t records = 0;
	int64_t tv = 0, tmin = 0, tfree = 0, tfee = 0, tpaid = 0, tfollow = 0;
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	if (month_range(month, first, last) != 0)
		return http_error_as(rs, ERR_INVALID, "bad_month", "月を年-月（例: 2026-11）で選んでください。");
	if (format && !csv && strcmp(format, "pdf") != 0)
		return http_error_as(rs, ERR_INVALID, "bad_format", "形式は pdf か csv です。");
	buf_init(&out, FILE_MAX);
	if (csv) {
		e = doc_csv_out_init(&w, DOC_CSV_UTF8_BOM, FILE_MAX);
		const char *head[] = {"区分", "利用者番号・サポーター番号", "氏名", "支援の回数",
				      "時間", "無償の時間", "利用料金（円）", "支払済み（円）",
				      "保健師への情報提供"};
		if (e == ERR_OK)
			e = doc_csv_out_row(&w, head, 9, NULL);
	} else {
		char title[160], ym[64];
		int y, m;
		wareki_parse_month(month, &y, &m);
		wareki_format_month(y, m, ym, sizeof ym);
		snprintf(title, sizeof title, "家事・育児支援事業 実績報告（%s）", ym);
		pdf = doc_table_pdf_new(title);
		doc_table_pdf_section(pdf, "世帯別");
		const char *t[] = {title};
		doc_table_pdf_row(pdf, t, NULL, 1, DOC_TABLE_TITLE);
		const double wd[] = {2, 3, 1, 1.2, 1.2, 1.5, 1.5, 1};
		doc_table_pdf_widths(pdf, wd, 8);
		const char *head[] = {"利用者番号", "保護者の氏名", "回数", "時間",
				      "無償", "利用料金", "支払済み", "情報提供"};
		doc_table_pdf_row(pdf, head, NULL, 8, DOC_TABLE_BOLD);
	}
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = e == ERR_OK ? store_prepare(
	    c, "SELECT h.number, h.form, count(*), sum(x.minutes), sum(x.free_min), sum(x.fee_yen), "
	       "sum(CASE WHEN x.paid = 1 THEN x.fee_yen ELSE 0 END), sum(x.follow_up) FROM "
	       "hh_visits x JOIN hh_households h ON h.id = x.household_id WHERE x.state = 'done' "
	       "AND x.on_date >= ?1 AND x.on_date <= ?2 GROUP BY h.id, h.number, h.form ORDER BY "
	       "h.number") : NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, first);
		store_bind_text(st, 2, last);
		while (e == ERR_OK && store_step(st) == STORE_ROW) {
			size_t n = 0;
			char *form = NULL;
			const void *b = store_col_blob(st, 1, &n);
			if (vault_unseal(v, "hh_households.form", b, n, &form) != ERR_OK) {
				e = ERR_CRYPTO;
				break;
			}
			json_t *f = json_loads(form, 0, NULL);
			vault_wipe_free(form);
			char cnt[16], hrs[16], fr[16], fee[24], paid[24], fol[16];
			int64_t k = store_col_int(st, 2), mins = store_col_int(st, 3),
				frees = store_col_int(st, 4), yen = store_col_int(st, 5),
				py = store_col_int(st, 6), fo = store_col_int(st, 7);
			snprintf(cnt, sizeof cnt, "%" PRId64, k);
			hm((int)mins, hrs, sizeof hrs);
			hm((int)frees, fr, sizeof fr);
			snprintf(fee, sizeof fee, "%" PRId64, yen);
			snprintf(paid, sizeof paid, "%" PRId64, py);
			snprintf(fol, sizeof fol, "%" PRId64, fo);
			const char *guardian = json_string_value(json_object_get(f, "guardian"));
			if (csv) {
				const char *row[] = {"世帯", store_col_text(st, 0), guardian, cnt, hrs,
						     fr, fee, paid, fol};
				e = doc_csv_out_row(&w, row, 9, NULL);
			} else {
				const char *row[] = {store_col_text(st, 0), guardian, cnt, hrs,
						     fr, fee, paid, fol};
				const int num[] = {0, 0, 1, 1, 1, 1, 1, 1};
				e = doc_table_pdf_row(pdf, row, num, 8, DOC_TABLE_PLAIN);
			}
			json_decref(f);
			records++;
			tv += k;
			tmin += mins;
			tfree += frees;
			tfee += yen;
			tpaid += py;
			tfollow += fo;
		}
		store_finish(st);
	}
	/* the totals, then the supporters' visits and hours (their remuneration) */
	if (e == ERR_OK) {
		char cnt[16], hrs[16], fr[16], fee[24], paid[24], fol[16];
		snprintf(cnt, sizeof cnt, "%" PRId64, tv);
		hm((int)tmin, hrs, sizeof hrs);
		hm((int)tfree, fr, sizeof fr);
		snprintf(fee, sizeof fee, "%" PRId64, tfee);
		snprintf(paid, sizeof paid, "%" PRId64, tpaid);
		snprintf(fol, sizeof fol, "%" PRId64, tfollow);
		if (csv) {
			const char *row[] = {"合計", "", "", cnt, hrs, fr, fee, paid, fol};
			e = doc_csv_out_row(&w, row, 9, NULL);
		} else {
			const char *row[] = {"合計", "", cnt, hrs, fr, fee, paid, fol};
			const int num[] = {0, 0, 1, 1, 1, 1, 1, 1};
			e = doc_table_pdf_row(pdf, row, num, 8, DOC_TABLE_BOLD);
			doc_table_pdf_section(pdf, "サポーター別");
			const double wd[] = {2, 3, 1, 1.2};
			doc_table_pdf_widths(pdf, wd, 4);
			const char *head[] = {"サポーター番号", "氏名", "回数", "時間"};
			doc_table_pdf_row(pdf, head, NULL, 4, DOC_TABLE_BOLD);
		}
	}
	st = e == ERR_OK ? store_prepare(c, "SELECT s.code, s.data, count(*), sum(x.minutes) FROM "
					    "hh_visits x JOIN hh_supporters s ON s.id = "
					    "x.supporter_id WHERE x.state = 'done' AND x.on_date >= "
					    "?1 AND x.on_date <= ?2 GROUP BY s.id, s.code, s.data "
					    "ORDER BY s.code")
			 : NULL;
	if (st) {
		store_bind_text(st, 1, first);
		store_bind_text(st, 2, last);
		while (e == ERR_OK && store_step(st) == STORE_ROW) {
			size_t n = 0;
			char *data = NULL, cnt[16], hrs[16];
			const void *b = store_col_blob(st, 1, &n);
			if (vault_unseal(v, "hh_supporters.data", b, n, &data) != ERR_OK) {
				e = ERR_CRYPTO;
				break;
			}
			json_t *d = json_loads(data, 0, NULL);
			vault_wipe_free(data);
			snprintf(cnt, sizeof cnt, "%" PRId64, store_col_int(st, 2));
			hm((int)store_col_int(st, 3), hrs, sizeof hrs);
			const char *nm = json_string_value(json_object_get(d, "name"));
			if (csv) {
				const char *row[] = {"サポーター", store_col_text(st, 0), nm, cnt, hrs,
						     "", "", "", ""};
				e = doc_csv_out_row(&w, row, 9, NULL);
			} else {
				const char *row[] = {store_col_text(st, 0), nm, cnt, hrs};
				const int num[] = {0, 0, 1, 1};
				e = doc_table_pdf_row(pdf, row, num, 4, DOC_TABLE_PLAIN);
			}
			json_decref(d);
		}
		store_finish(st);
	}
	store_release(c);
	if (e == ERR_OK && csv) {
		e = buf_append(&out, w.out.data, w.out.len);
	} else if (e == ERR_OK) {
		e = doc_table_pdf_finish(pdf, &out);
		pdf = NULL;
	}
	doc_table_pdf_free(pdf);
	if (w.out.data)
		vault_wipe(w.out.data, w.out.len);
	doc_csv_out_free(&w);
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "monthly %s %s households=%zu", month,
			 csv ? "csv" : "pdf", records);
		snprintf(name, sizeof name, "homehelp-monthly-%s.%s", month, csv ? "csv" : "pdf");
		struct ledger_item it = {.service = HOMEHELP_SERVICE,
					 .actor = rq->actor,
					 .content = content,
					 .object = "homehelp:monthly",
					 .records = records};
		e = ledger_hand_over(rq, rs, &it, &out,
				     csv ? "text/csv; charset=utf-8" : "application/pdf", name);
	}
	if (out.data)
		vault_wipe(out.data, out.len);
	buf_free(&out);
	return e;
}

enum err api_hh_statement(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = homehelp_vault(rq->app);
	int64_t id = http_param_id(rq->params[0]);
	const char *month = http_query(rq, "month");
	char first[11], last[11], content[96], name[64], title[160], ym[64];
	struct hh_household h;
	struct homehelp_settings cfg;
	struct buf out;
	size_t records = 0;
	int64_t total = 0, paid = 0;
	int y, m;
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	if (month_range(month, first, last) != 0)
		return http_error_as(rs, ERR_INVALID, "bad_month", "月を年-月（例: 2026-11）で選んでください。");
	homehelp_settings_read(rq->app, &cfg);
	buf_init(&out, FILE_MAX);
	struct store_conn *c = store_acquire(rq->app->store);
	e = homehelp_household_load(c, v, id, &h);
	if (e == ERR_NOTFOUND) {
		store_release(c);
		buf_free(&out);
		return http_error_as(rs, e, "no_household", "その世帯はありません。");
	}
	if (e != ERR_OK) {
		store_release(c);
		buf_free(&out);
		return e;
	}
	wareki_parse_month(month, &y, &m);
	wareki_format_month(y, m, ym, sizeof ym);
	snprintf(title, sizeof title, "家事・育児支援 利用明細（%s）%s 様 利用者番号 %s", ym,
		 h.form.guardian, h.number);
	struct doc_table_pdf *pdf = doc_table_pdf_new("家事・育児支援 利用明細");
	doc_table_pdf_section(pdf, "利用明細");
	const char *t[] = {title};
	doc_table_pdf_row(pdf, t, NULL, 1, DOC_TABLE_TITLE);
	const double wd[] = {1.6, 1.6, 3.2, 1, 1, 1.3, 1};
	doc_table_pdf_widths(pdf, wd, 7);
	const char *head[] = {"利用日", "時間帯", "支援の内容", "時間", "無償", "利用料金",
			      "支払"};
	doc_table_pdf_row(pdf, head, NULL, 7, DOC_TABLE_BOLD);
	struct store_stmt *st = store_prepare(
	    c, "SELECT on_date, start_min, end_min, kinds, minutes, free_min, fee_yen, paid FROM "
	       "hh_visits WHERE household_id = ?1 AND state = 'done' AND on_date >= ?2 AND on_date "
	       "<= ?3 ORDER BY on_date, start_min");
	e = st ? ERR_OK : ERR_DB;
	if (st) {
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, first);
		store_bind_text(st, 3, last);
		while (e == ERR_OK && store_step(st) == STORE_ROW) {
			char span[32], ks[160], hrs[16], fr[16], fee[24];
			int sm = (int)store_col_int(st, 1), em = (int)store_col_int(st, 2);
			snprintf(span, sizeof span, "%02d:%02d〜%02d:%02d", sm / 60, sm % 60, em / 60,
				 em % 60);
			kinds_ja(store_col_text(st, 3), ks, sizeof ks);
			hm((int)store_col_int(st, 4), hrs, sizeof hrs);
			hm((int)store_col_int(st, 5), fr, sizeof fr);
			snprintf(fee, sizeof fee, "%" PRId64 "円", store_col_int(st, 6));
			const char *row[] = {store_col_text(st, 0), span, ks, hrs, fr, fee,
					     store_col_int(st, 7) ? "済" : "未"};
			const int num[] = {0, 0, 0, 1, 1, 1, 0};
			e = doc_table_pdf_row(pdf, row, num, 7, DOC_TABLE_PLAIN);
			total += store_col_int(st, 6);
			paid += store_col_int(st, 7) ? store_col_int(st, 6) : 0;
			records++;
		}
		store_finish(st);
	}
	if (e == ERR_OK) {
		char tt[48], pp[48], due[48];
		snprintf(tt, sizeof tt, "%" PRId64 "円", total);
		snprintf(pp, sizeof pp, "支払済み %" PRId64 "円", paid);
		snprintf(due, sizeof due, "未払い %" PRId64 "円", total - paid);
		const char *row[] = {"合計", pp, due, "", "", tt, ""};
		const int num[] = {0, 0, 0, 0, 0, 1, 0};
		e = doc_table_pdf_row(pdf, row, num, 7, DOC_TABLE_BOLD);
		const char *note[] = {cfg.contact};
		if (e == ERR_OK)
			e = doc_table_pdf_row(pdf, note, NULL, 1, DOC_TABLE_PLAIN);
	}
	if (e == ERR_OK)
		e = doc_table_pdf_finish(pdf, &out);
	else
		doc_table_pdf_free(pdf);
	homehelp_household_clear(&h);
	store_release(c);
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "statement %s visits=%zu", month, records);
		snprintf(name, sizeof name, "homehelp-statement-%s.pdf", month);
		char object[48];
		snprintf(object, sizeof object, "hh_household:%" PRId64, id);
		struct ledger_item it = {.service = HOMEHELP_SERVICE,
					 .actor = rq->actor,
					 .content = content,
					 .object = object,
					 .records = 1};
		e = ledger_hand_over(rq, rs, &it, &out, "application/pdf", name);
	}
	if (out.data)
		vault_wipe(out.data, out.len);
	buf_free(&out);
	return e;
}
