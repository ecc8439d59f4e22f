/* SPDX-License-Identifier: MIT */
/* fees.c — the monthly usage fee (利用者負担額): the days a child attended in the month times
 * the contract's fee per day, capped by the household's monthly cap (上限月額: 0, 4,600 or
 * 37,200 yen under the national rules); the statements of a month and each one as a PDF
 * letter to the parents (the platform's letter layout). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "centre/centre.h"
#include "doc/letter_pdf.h"
#include "store/store.h"
#include "vault/vault.h"

int64_t centre_fee(int64_t days, int64_t unit_fee, int64_t cap)
{
	if (days < 0 || unit_fee < 0 || cap < 0)
		return 0;
	int64_t fee = days * unit_fee;
	return fee < cap ? fee : cap;
}

/* Writes the first and last day of month (YYYY-MM) into first and last; -1 when bad. */
static int month_range(const char *month, char first[11], char last[11])
{
	int y, m;
	if (!month || strlen(month) != 7 || wareki_parse_month(month, &y, &m) != ERR_OK)
		return -1;
	snprintf(first, 11, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)m % 100u);
	snprintf(last, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)wareki_days_in_month(y, m) % 100u);
	return 0;
}

enum err centre_statements_make(struct store_conn *c, const char *month, int64_t child_id,
				int64_t user_id, int64_t now_ms, int *count)
{
	char first[11], last[11];
	*count = 0;
	if (month_range(month, first, last) != 0)
		return ERR_INVALID;
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.id, k.unit_fee, k.fee_cap, (SELECT count(*) FROM ce_attendance a WHERE "
	       "a.case_id = k.id AND a.state = 'present' AND a.day >= ?1 AND a.day <= ?2 AND a.day "
	       ">= k.contract_from AND a.day <= k.contract_to) FROM "
	       "ce_cases k WHERE k.state <> 'applied' AND k.contract_from <= ?2 AND k.contract_to "
	       ">= ?1 AND (?3 = 0 OR k.id = ?3) ORDER BY k.id");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, first);
	store_bind_text(st, 2, last);
	store_bind_int(st, 3, child_id);
	/* Read first, write after: one statement open at a time on the connection. */
	struct row {
		int64_t id, fee, cap, days;
	} *rows = NULL;
	size_t n = 0, cap_rows = 0;
	enum err e = ERR_OK;
	while (store_step(st) == STORE_ROW) {
		if (n == cap_rows) {
			cap_rows = cap_rows ? cap_rows * 2 : 64;
			rows = xrealloc(rows, cap_rows * sizeof *rows);
		}
		rows[n++] = (struct row){store_col_int(st, 0), store_col_int(st, 1),
					 store_col_int(st, 2), store_col_int(st, 3)};
	}
	store_finish(st);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		st = store_prepare(
		    c,
		    "INSERT INTO ce_statements (case_id, month, days, unit_fee, fee_cap, amount, "
		    "created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT "
		    "(case_id, month) DO UPDATE SET days = excluded.days, unit_fee = "
		    "excluded.unit_fee, fee_cap = excluded.fee_cap, amount = excluded.amount, "
		    "created_by = excluded.created_by, created_ms = excluded.created_ms");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, rows[i].id);
		store_bind_text(st, 2, month);
		store_bind_int(st, 3, rows[i].days);
		store_bind_int(st, 4, rows[i].fee);
		store_bind_int(st, 5, rows[i].cap);
		store_bind_int(st, 6, centre_fee(rows[i].days, rows[i].fee, rows[i].cap));
		if (user_id)
			store_bind_int(st, 7, user_id);
		else
			store_bind_null(st, 7);
		store_bind_int(st, 8, now_ms);
		e = casework_run(st);
		if (e == ERR_OK)
			(*count)++;
	}
	free(rows);
	return e;
}

/* Writes yen with thousands separators and 円 into out ("37,200円"). */
static void yen(int64_t v, char *out, size_t n)
{
	char d[32];
	int len = snprintf(d, sizeof d, "%" PRId64, v < 0 ? 0 : v), k = 0;
	char tmp[48];
	for (int i = 0; i < len; i++) {
		tmp[k++] = d[i];
		if ((len - i - 1) % 3 == 0 && i != len - 1)
			tmp[k++] = ',';
	}
	tmp[k] = '\0';
	snprintf(out, n, "%s円", tmp);
}

enum err centre_statement_pdf(struct store_conn *c, const struct vault *v, int64_t sid,
			      int64_t *child_id, char name[64], struct buf *out)
{
	char month[8], number[16], ym[48], date[48], days[24], fee[64], cap[64], amount[64],
	    title[96], to[128], issued[11];
	int64_t d = 0, f = 0, k = 0, a = 0, made = 0;
	int y, m, dd;
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.case_id, s.month, s.days, s.unit_fee, s.fee_cap, s.amount, s.created_ms, "
	       "k.number FROM ce_statements s JOIN ce_cases k ON k.id = s.case_id WHERE s.id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, sid);
	int r = store_step(st);
	if (r == STORE_ROW) {
		*child_id = store_col_int(st, 0);
		snprintf(month, sizeof month, "%s", store_col_text(st, 1));
		d = store_col_int(st, 2);
		f = store_col_int(st, 3);
		k = store_col_int(st, 4);
		a = store_col_int(st, 5);
		made = store_col_int(st, 6);
		snprintf(number, sizeof number, "%s", store_col_text(st, 7));
	}
	store_finish(st);
	if (r != STORE_ROW)
		return r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	json_t *person = NULL;
	enum err e = centre_person_json(c, v, *child_id, &person);
	if (e != ERR_OK)
		return e;
	const char *cname = json_string_value(json_object_get(person, "name"));
	wareki_parse_month(month, &y, &m);
	wareki_format_month(y, m, ym, sizeof ym);
	clock_jst_date(made, issued, sizeof issued);
	wareki_parse_iso(issued, &y, &m, &dd);
	wareki_format(y, m, dd, date, sizeof date);
	snprintf(days, sizeof days, "%" PRId64 "日", d);
	yen(f, fee, sizeof fee);
	yen(k, cap, sizeof cap);
	yen(a, amount, sizeof amount);
	snprintf(title, sizeof title, "利用者負担額のご請求（%s分）", ym);
	snprintf(to, sizeof to, "%s さんの保護者様", cname ? cname : "");
	char line[400];
	snprintf(line, sizeof line,
		 "%s分の児童発達支援の利用者負担額を、次のとおりご請求します。利用日数に1日の利"
		 "用者負担額をかけた額が上限月額を超えるときは、上限月額までのご請求です。",
		 ym);
	struct doc_letter l = {
	    .recipient = to,
	    .date = date,
	    .sender = "児童発達支援センター",
	    .title = title,
	    .paragraphs = {line, NULL},
	    .fields = {{"受給者（児童）番号", number, 1},
		       {"利用日数", days, 0},
		       {"1日の利用者負担額", fee, 0},
		       {"上限月額", cap, 0},
		       {"ご請求額", amount, 0},
		       {NULL, NULL, 0}},
	    .notes = {"お支払いの方法は、センターからのご案内のとおりです。", NULL},
	};
	e = doc_letter_pdf_buf(&l, 1, out);
	json_decref(person);
	snprintf(name, 64, "centre-statement-%s-%s.pdf", number, month);
	return e;
}

json_t *centre_statements_json(struct store_conn *c, int64_t child_id, const char *month)
{
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.id, s.case_id, k.number, s.month, s.days, s.unit_fee, s.fee_cap, s.amount "
	       "FROM ce_statements s JOIN ce_cases k ON k.id = s.case_id WHERE (?1 > 0 AND "
	       "s.case_id = ?1) OR (?1 = 0 AND s.month = ?2) ORDER BY s.month DESC, k.number "
	       "LIMIT 2000");
	if (!st)
		return arr;
	store_bind_int(st, 1, child_id);
	store_bind_text(st, 2, month ? month : "");
	while (store_step(st) == STORE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:I}",
						     "id", (json_int_t)store_col_int(st, 0),
						     "child_id", (json_int_t)store_col_int(st, 1),
						     "number", store_col_text(st, 2), "month",
						     store_col_text(st, 3), "days",
						     (json_int_t)store_col_int(st, 4), "unit_fee",
						     (json_int_t)store_col_int(st, 5), "cap",
						     (json_int_t)store_col_int(st, 6), "amount",
						     (json_int_t)store_col_int(st, 7)));
	store_finish(st);
	return arr;
}
