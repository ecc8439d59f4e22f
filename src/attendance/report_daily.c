/* SPDX-License-Identifier: MIT */
/* report_daily.c — the daily attendance list of one site (出欠一覧): first entry, last exit,
 * status and the family's notice of every active child on a date, as an A4 PDF or a CSV. The
 * status is the board's (day_status_decide): an absence notice is 欠席, no plan is 予定なし. */
#include "attendance/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/attendance_pdf.h"
#include "doc/attendance_xlsx.h"
#include "doc/csv_write.h"
#include "store/store.h"
#include "vault/vault.h"

struct day_row {
	char *child_no;
	char *name; /* plaintext: wiped when freed */
	char *kana;
	int grade;
	char in_at[8], out_at[8];
	enum day_status status;
	char *note; /* the family's notice for the day ("欠席の連絡：…"), malloc'd and wiped; or NULL */
};

static void free_rows(struct day_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].child_no);
		vault_wipe_free(rows[i].name);
		vault_wipe_free(rows[i].kana);
		vault_wipe_free(rows[i].note);
	}
	free(rows);
}

/* Loads site's active children with their scans, plan and alert of day, by grade then child
 * number. *rows is a malloc'd array of *n (free_rows). */
static enum err load_rows(struct app *a, const struct site *site, const char *day,
			  const char *today, struct day_row **rows, size_t *n)
{
	struct day_row *v = NULL;
	size_t len = 0, cap = 0;
	int wd = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	clock_day_parse(day, NULL, &wd);
	struct store_stmt *st = store_prepare(
	    c, "SELECT ch.child_no, ch.name_enc, ch.kana_enc, ch.grade, "
	       "(SELECT MIN(at_ms) FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 AND "
	       " s.direction = 'in'), "
	       "(SELECT MAX(at_ms) FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 AND "
	       " s.direction = 'out'), "
	       "(SELECT direction FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 "
	       " ORDER BY at_ms DESC, id DESC LIMIT 1), "
	       "pd.status, pd.reason_enc, pw.child_id IS NOT NULL, "
	       "EXISTS (SELECT 1 FROM alerts al WHERE al.child_id = ch.id AND al.day = ?2 AND "
	       " al.kind = 'not_arrived' AND al.cleared_ms IS NULL) "
	       "FROM children ch "
	       "LEFT JOIN plan_days pd ON pd.child_id = ch.id AND pd.day = ?2 "
	       "LEFT JOIN plan_weekly pw ON pw.child_id = ch.id AND pw.weekday = ?3 "
	       "WHERE ch.site_id = ?1 AND ch.active = 1 ORDER BY ch.grade, ch.child_no");
	if (!st)
		goto out;
	store_bind_int(st, 1, site->id);
	store_bind_text(st, 2, day);
	store_bind_int(st, 3, wd);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		struct day_row *r = &v[len];
		memset(r, 0, sizeof *r);
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 1, &l1), *b2 = store_col_blob(st, 2, &l2);
		if (vault_unseal(attendance_vault(a), "children.name", b1, l1, &r->name) != ERR_OK ||
		    vault_unseal(attendance_vault(a), "children.kana", b2, l2, &r->kana) != ERR_OK) {
			vault_wipe_free(r->name);
			e = ERR_CRYPTO;
			goto out;
		}
		r->child_no = xstrdup(store_col_text(st, 0));
		r->grade = (int)store_col_int(st, 3);
		len++;
		if (!store_col_is_null(st, 4))
			clock_jst_hhmm(store_col_int(st, 4), r->in_at, sizeof r->in_at);
		if (!store_col_is_null(st, 5))
			clock_jst_hhmm(store_col_int(st, 5), r->out_at, sizeof r->out_at);
		/* The day's plan: its exception, else the weekly pattern (the board's rule). */
		const char *plan = store_col_text(st, 7);
		int ps = plan_status_parse(plan ? plan : store_col_int(st, 9) ? "attend" : "off");
		enum plan_status day_plan = ps < 0 ? PLAN_OFF : (enum plan_status)ps;
		r->status = day_status_decide(store_col_text(st, 6), day_plan,
					      (int)store_col_int(st, 10), strcmp(day, today) < 0);
		if (day_plan == PLAN_ABSENT) {
			char *reason = NULL;
			if (!store_col_is_null(st, 8)) {
				size_t rl;
				const void *rb = store_col_blob(st, 8, &rl);
				if (vault_unseal(attendance_vault(a), "plan_days.reason", rb, rl, &reason) !=
				    ERR_OK) {
					e = ERR_CRYPTO;
					goto out;
				}
			}
			r->note = xasprintf("欠席の連絡：%s", reason ? reason : "（理由なし）");
			vault_wipe_free(reason);
		} else if (plan && day_plan == PLAN_OFF) {
			r->note = xstrdup("お休みの連絡");
		}
	}
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		free_rows(v, len);
		return e;
	}
	*rows = v;
	*n = len;
	return ERR_OK;
}

/* The status column in the ward's words, as the board shows it: left is the exit word (降所),
 * no exit recorded "<exit>未記録" (no_exit: its buffer, filled here); the rest as they are. */
static const char *status_words(const struct app *a, enum day_status s, char no_exit[48])
{
	if (s == DAY_LEFT)
		return a->cfg.exit_word;
	if (s == DAY_NO_EXIT) {
		snprintf(no_exit, 48, "%s未記録", a->cfg.exit_word);
		return no_exit;
	}
	return day_status_label(s);
}

/* The printed list: a PDF, or a workbook when xlsx_tmpdir (its scratch directory) is set. */
static enum err daily_pdf(const struct app *a, const struct site *site, const char *day,
			  const char *wareki, const struct day_row *rows, size_t n, struct buf *out,
			  const char *xlsx_tmpdir)
{
	char printed[32], hhmm[8], summary[256];
	int64_t now = clock_now_ms();
	size_t by[DAY_STATUS_COUNT] = {0};
	clock_jst_date(now, printed, sizeof printed);
	clock_jst_hhmm(now, hhmm, sizeof hhmm);
	size_t plen = strlen(printed);
	snprintf(printed + plen, sizeof printed - plen, " %s", hhmm);
	char no_exit[48];
	struct doc_daily_row *dr = xcalloc(n ? n : 1, sizeof *dr);
	for (size_t i = 0; i < n; i++) {
		dr[i] = (struct doc_daily_row){rows[i].child_no,
					       rows[i].name,
					       rows[i].kana,
					       rows[i].grade,
					       rows[i].in_at,
					       rows[i].out_at,
					       status_words(a, rows[i].status, no_exit),
					       rows[i].note};
		by[rows[i].status]++;
	}
	size_t sl = (size_t)snprintf(
	    summary, sizeof summary, "在籍 %zu名　出席 %zu名　欠席 %zu名　未到着 %zu名　予定なし %zu名",
	    n, by[DAY_PRESENT] + by[DAY_LEFT] + by[DAY_NO_EXIT], by[DAY_ABSENT], by[DAY_NOT_ARRIVED],
	    by[DAY_OFF]);
	if (by[DAY_EXPECTED] && sl < sizeof summary)
		snprintf(summary + sl, sizeof summary - sl, "　来所予定 %zu名", by[DAY_EXPECTED]);
	struct doc_daily d = {site->name, site->code, wareki, day, printed, summary, dr, n,
			      a->cfg.entry_word, a->cfg.exit_word};
	enum err e = xlsx_tmpdir ? doc_daily_xlsx(xlsx_tmpdir, &d, out) : doc_daily_pdf(&d, out);
	free(dr);
	return e;
}

static enum err daily_csv(const struct app *a, const struct site *site, const char *day,
			  int cp932, const struct day_row *rows, size_t n, struct report_out *out)
{
	/* The entry and exit columns are headed by the ward's words (入室/退室, 登所/降所 …). */
	const char *const header[] = {"日付",	      "施設コード",	"児童番号",
				      "児童氏名",     "児童氏名カナ",	"学年",
				      a->cfg.entry_word, a->cfg.exit_word, "状況",
				      "連絡"};
	struct doc_csv_out w;
	enum err e =
	    doc_csv_out_init(&w, cp932 ? DOC_CSV_CP932 : DOC_CSV_UTF8_BOM, REPORT_MAX_BYTES);
	if (e != ERR_OK)
		goto out;
	e = doc_csv_out_row(&w, header, sizeof header / sizeof header[0], NULL);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		char grade[8], no_exit[48];
		int lost = 0;
		snprintf(grade, sizeof grade, "%d", rows[i].grade);
		const char *f[] = {day,
				   site->code,
				   rows[i].child_no,
				   rows[i].name,
				   rows[i].kana,
				   grade,
				   rows[i].in_at,
				   rows[i].out_at,
				   status_words(a, rows[i].status, no_exit),
				   rows[i].note ? rows[i].note : ""};
		e = doc_csv_out_row(&w, f, sizeof f / sizeof f[0], &lost);
		if (e == ERR_OK && lost && out->lossy < REPORT_LOSSY_LIST_MAX)
			buf_printf(&out->lossy_list, "%sline %zu (%s)", out->lossy ? ", " : "",
				   w.rows, rows[i].child_no);
		if (e == ERR_OK && lost)
			out->lossy++;
	}
	if (e != ERR_OK)
		goto out;
	out->data = w.out;
	buf_init(&w.out, REPORT_MAX_BYTES); /* handed over to out */
out:
	doc_csv_out_free(&w);
	return e;
}

enum err report_daily(struct app *a, const struct site *site, const char *day, const char *format,
		      const char *encoding, struct report_out *out, const char **why)
{
	char today[16], wareki[64];
	static const char *const wdays[] = {"日", "月", "火", "水", "木", "金", "土"};
	struct day_row *rows = NULL;
	size_t n = 0;
	int y, m, d;
	memset(out, 0, sizeof *out);
	buf_init(&out->data, REPORT_MAX_BYTES);
	buf_init(&out->lossy_list, 4096);
	clock_jst_date(clock_now_ms(), today, sizeof today);
	if (!day || !*day)
		day = today;
	if (wareki_parse_iso(day, &y, &m, &d) != ERR_OK) {
		*why = "日付は YYYY-MM-DD の形（例 2026-11-25）で、実在する日を指定してください（date）。";
		return ERR_INVALID;
	}
	if (wareki_format(y, m, d, wareki, sizeof wareki - 8) != ERR_OK) {
		*why = "日付は1868年1月25日（明治元年）以降を指定してください（date）。";
		return ERR_INVALID;
	}
	size_t wl = strlen(wareki);
	snprintf(wareki + wl, sizeof wareki - wl, "(%s)", wdays[wareki_weekday(y, m, d)]);
	int pdf = format && strcmp(format, "pdf") == 0;
	int csv = format && strcmp(format, "csv") == 0;
	int xlsx = format && strcmp(format, "xlsx") == 0;
	int cp932 = encoding && strcmp(encoding, "cp932") == 0;
	if (!pdf && !csv && !xlsx) {
		*why = "形式（format）は pdf、xlsx か csv を指定してください。";
		return ERR_INVALID;
	}
	if (encoding && !cp932 && strcmp(encoding, "utf8") != 0) {
		*why = "文字コード（encoding）は utf8 か cp932 を指定してください。";
		return ERR_INVALID;
	}
	if ((pdf || xlsx) && cp932) {
		*why = "文字コード（encoding）は csv のときだけ指定できます。";
		return ERR_INVALID;
	}
	enum err e = load_rows(a, site, day, today, &rows, &n);
	if (e != ERR_OK)
		return e;
	if (pdf || xlsx) {
		e = daily_pdf(a, site, day, wareki, rows, n, &out->data, xlsx ? a->data_dir : NULL);
		out->content_type =
		    xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			 : "application/pdf";
	} else {
		e = daily_csv(a, site, day, cp932, rows, n, out);
		out->content_type =
		    cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8";
	}
	out->records = n;
	snprintf(out->filename, sizeof out->filename, "daily-%s-%s%s.%s", site->code, day,
		 cp932 ? "-cp932" : "", pdf ? "pdf" : xlsx ? "xlsx" : "csv");
	snprintf(out->content, sizeof out->content, "daily %s %s %s%s", site->code, day,
		 pdf ? "pdf" : xlsx ? "xlsx" : "csv", cp932 ? " cp932" : "");
	snprintf(out->object, sizeof out->object, "site:%s", site->code);
	free_rows(rows, n);
	return e;
}
