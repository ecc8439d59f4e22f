/* SPDX-License-Identifier: MIT */
/* daily.c — 日別処理状況リスト: one day's applications, issues, reissues, returned mail,
 * exclusions and send-to changes, per counter, as a PDF (a count per counter and kind, then
 * every event) or a CSV (UTF-8 with BOM or CP932, its lossy rows named), for head office. The
 * file is recorded in the platform's handover ledger (and audited) before it is handed over. */
#include "bathpass/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/csv_write.h"
#include "doc/table_pdf.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define MAX_BYTES (32u * 1024u * 1024u)
#define LOSSY_LIST_MAX 50
#define NKINDS 6

static const char *const kinds[NKINDS] = {"apply",    "issue",	 "reissue",
					  "returned", "exclude", "sendto"};
static const char *const kind_ja[NKINDS] = {"申請", "交付", "再交付", "返戻", "除外", "送付先変更"};

/* One event of the day, its person unsealed. */
struct day_event {
	int kind; /* index in kinds */
	char time[8];
	char place[16];
	char place_name[96];
	char method[8];
	char number[24];
	char *resident, *name, *kana; /* malloc'd, wiped when freed */
};

static void events_free(struct day_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vault_wipe_free(v[i].resident);
		vault_wipe_free(v[i].name);
		vault_wipe_free(v[i].kana);
	}
	free(v);
}

/* Reads the day's events, oldest first, with their people unsealed. */
static enum err day_read(struct app *a, const char *day, struct day_event **out, size_t *n)
{
	const struct vault *v = bathpass_vault(a);
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT e.kind, e.created_ms, COALESCE(e.place, ''), COALESCE(p.name, ''), "
	       "COALESCE(e.method, ''), COALESCE(e.number, ''), e.person_id FROM bath_events e "
	       "LEFT JOIN bath_places p ON p.code = e.place WHERE e.on_date = ? ORDER BY "
	       "COALESCE(p.sort, 99), e.id");
	size_t cap = 64, k = 0;
	struct day_event *ev = xcalloc(cap, sizeof *ev);
	int64_t *who = xmalloc(cap * sizeof *who);
	enum err e = ERR_OK;
	int r = -1;
	if (st) {
		store_bind_text(st, 1, day);
		while ((r = store_step(st)) == STORE_ROW) {
			if (k == cap) {
				cap *= 2;
				ev = xrealloc(ev, cap * sizeof *ev);
				who = xrealloc(who, cap * sizeof *who);
			}
			memset(&ev[k], 0, sizeof ev[k]);
			for (int i = 0; i < NKINDS; i++)
				if (strcmp(store_col_text(st, 0), kinds[i]) == 0)
					ev[k].kind = i;
			clock_jst_hhmm(store_col_int(st, 1), ev[k].time, sizeof ev[k].time);
			snprintf(ev[k].place, sizeof ev[k].place, "%s", store_col_text(st, 2));
			snprintf(ev[k].place_name, sizeof ev[k].place_name, "%s",
				 store_col_text(st, 3));
			snprintf(ev[k].method, sizeof ev[k].method, "%s", store_col_text(st, 4));
			snprintf(ev[k].number, sizeof ev[k].number, "%s", store_col_text(st, 5));
			who[k] = store_col_int(st, 6);
			k++;
		}
	}
	store_finish(st);
	if (r < 0)
		e = ERR_DB;
	for (size_t i = 0; i < k && e == ERR_OK; i++) {
		struct bath_person p;
		e = bath_person_load(c, v, who[i], &p);
		if (e != ERR_OK)
			break;
		ev[i].resident = p.f[BF_RESIDENT];
		ev[i].name = p.f[BF_NAME];
		ev[i].kana = p.f[BF_KANA];
		p.f[BF_RESIDENT] = p.f[BF_NAME] = p.f[BF_KANA] = NULL;
		bath_person_clear(&p);
	}
	store_release(c);
	free(who);
	if (e != ERR_OK) {
		events_free(ev, k);
		return e;
	}
	*out = ev;
	*n = k;
	return ERR_OK;
}

static const char *method_ja(const char *m)
{
	return strcmp(m, "counter") == 0 ? "窓口" : strcmp(m, "mail") == 0 ? "郵送" : "";
}

static enum err day_csv(const char *day, int cp932, const struct day_event *ev, size_t n,
			struct buf *out, size_t *lossy, struct buf *lossy_list)
{
	static const char *const header[] = {"処理日",	 "時刻",     "種類", "交付場所", "交付方法",
					     "整理番号", "宛名番号", "氏名", "ふりがな"};
	struct doc_csv_out w;
	enum err e = doc_csv_out_init(&w, cp932 ? DOC_CSV_CP932 : DOC_CSV_UTF8_BOM, MAX_BYTES);
	if (e != ERR_OK)
		goto out;
	e = doc_csv_out_row(&w, header, sizeof header / sizeof header[0], NULL);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		int lost = 0;
		const char *f[] = {day,
				   ev[i].time,
				   kind_ja[ev[i].kind],
				   ev[i].place_name,
				   method_ja(ev[i].method),
				   ev[i].number,
				   ev[i].resident,
				   ev[i].name,
				   ev[i].kana};
		e = doc_csv_out_row(&w, f, sizeof f / sizeof f[0], &lost);
		if (e == ERR_OK && lost) {
			if (*lossy < LOSSY_LIST_MAX)
				buf_printf(lossy_list, "%sline %zu", *lossy ? ", " : "", w.rows);
			(*lossy)++;
		}
	}
	if (e == ERR_OK) {
		*out = w.out;
		buf_init(&w.out, MAX_BYTES);
	}
out:
	doc_csv_out_free(&w);
	return e;
}

static enum err day_pdf(const char *day, const struct day_event *ev, size_t n, struct buf *out)
{
	char wareki[64], title[160];
	int y, m, d;
	wareki_parse_iso(day, &y, &m, &d);
	wareki_format(y, m, d, wareki, sizeof wareki);
	snprintf(title, sizeof title, "ふれあい入浴証 日別処理状況リスト %s", wareki);
	struct doc_table_pdf *p = doc_table_pdf_new(title);
	enum err e = ERR_OK;
	/* The counts: a row per counter (head office first), a column per kind. */
	doc_table_pdf_section(p, "件数");
	const char *t[] = {title};
	doc_table_pdf_row(p, t, NULL, 1, DOC_TABLE_TITLE);
	const char *head[NKINDS + 1] = {"交付場所"};
	int num[NKINDS + 1] = {0};
	for (int i = 0; i < NKINDS; i++) {
		head[i + 1] = kind_ja[i];
		num[i + 1] = 1;
	}
	e = doc_table_pdf_row(p, head, NULL, NKINDS + 1, DOC_TABLE_BOLD);
	size_t i = 0;
	long total[NKINDS] = {0};
	while (i < n && e == ERR_OK) {
		long count[NKINDS] = {0};
		size_t j = i;
		for (; j < n && strcmp(ev[j].place, ev[i].place) == 0; j++)
			count[ev[j].kind]++;
		char cells[NKINDS][16];
		const char *row[NKINDS + 1] = {ev[i].place[0] ? ev[i].place_name
							      : "郵送・本庁の記録"};
		for (int k = 0; k < NKINDS; k++) {
			snprintf(cells[k], sizeof cells[k], "%ld", count[k]);
			row[k + 1] = cells[k];
			total[k] += count[k];
		}
		e = doc_table_pdf_row(p, row, num, NKINDS + 1, DOC_TABLE_PLAIN);
		i = j;
	}
	char cells[NKINDS][16];
	const char *row[NKINDS + 1] = {"合計"};
	for (int k = 0; k < NKINDS; k++) {
		snprintf(cells[k], sizeof cells[k], "%ld", total[k]);
		row[k + 1] = cells[k];
	}
	if (e == ERR_OK)
		e = doc_table_pdf_row(p, row, num, NKINDS + 1, DOC_TABLE_BOLD);
	/* Every event. */
	doc_table_pdf_section(p, "明細");
	static const double widths[] = {0.7, 0.8, 1.6, 0.7, 1.2, 1.2, 2.0, 2.0};
	doc_table_pdf_widths(p, widths, sizeof widths / sizeof widths[0]);
	const char *h2[] = {"時刻",	"種類",	    "交付場所", "方法",
			    "整理番号", "宛名番号", "氏名",	"ふりがな"};
	if (e == ERR_OK)
		e = doc_table_pdf_row(p, h2, NULL, 8, DOC_TABLE_BOLD);
	for (size_t k = 0; k < n && e == ERR_OK; k++) {
		const char *r2[] = {
		    ev[k].time,	  kind_ja[ev[k].kind], ev[k].place_name, method_ja(ev[k].method),
		    ev[k].number, ev[k].resident,      ev[k].name,	 ev[k].kana};
		e = doc_table_pdf_row(p, r2, NULL, 8, DOC_TABLE_PLAIN);
	}
	if (e == ERR_OK && !n) {
		const char *none[] = {"この日の処理はありません。"};
		e = doc_table_pdf_row(p, none, NULL, 1, DOC_TABLE_PLAIN);
	}
	if (e != ERR_OK) {
		doc_table_pdf_free(p);
		return e;
	}
	return doc_table_pdf_finish(p, out);
}

enum err api_bath_daily(struct http_req *rq, struct http_resp *rs)
{
	const char *day = http_query(rq, "date"), *format = http_query(rq, "format");
	const char *encoding = http_query(rq, "encoding");
	char today[11], iso[11], content[96], disp[128], count[32];
	int y, m, d;
	struct day_event *ev = NULL;
	size_t n = 0, lossy = 0;
	struct buf data, lossy_list;
	buf_init(&data, MAX_BYTES);
	buf_init(&lossy_list, 4096);
	bath_today(today);
	if (!day || !*day)
		day = today;
	if (wareki_parse_date(day, &y, &m, &d) != ERR_OK)
		return http_error(rs, ERR_INVALID,
				  "日付が読めません（2026-04-01 や R8.4.1 の形で、"
				  "date）。");
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	int pdf = !format || !*format || strcmp(format, "pdf") == 0;
	if (!pdf && strcmp(format, "csv") != 0)
		return http_error(rs, ERR_INVALID, "形式は pdf か csv です（format）。");
	int cp932 = encoding && strcmp(encoding, "cp932") == 0;
	if (encoding && *encoding && !cp932 && strcmp(encoding, "utf-8") != 0)
		return http_error(rs, ERR_INVALID,
				  "文字コードは utf-8 か cp932 です（encoding）。");
	enum err e = day_read(rq->app, iso, &ev, &n);
	if (e == ERR_OK)
		e = pdf ? day_pdf(iso, ev, n, &data)
			: day_csv(iso, cp932, ev, n, &data, &lossy, &lossy_list);
	if (e != ERR_OK)
		goto out;
	snprintf(content, sizeof content, "bathpass daily %s %s%s", iso, pdf ? "pdf" : "csv",
		 pdf ? "" : (cp932 ? " cp932" : " utf-8"));
	struct ledger_item it = {.service = BATHPASS_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = "bathpass:daily",
				 .records = n,
				 .lossy = lossy,
				 .data = data.data,
				 .len = data.len};
	int64_t id = 0;
	e = ledger_record(rq->app, &it, &id);
	if (e != ERR_OK) {
		e = http_error(rs, e,
			       "出力を受け渡し台帳に記録できなかったため、出力しませんでした。"
			       "もう一度お試しください。");
		goto out;
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"bathpass-daily-%s.%s\"", iso,
		 pdf ? "pdf" : "csv");
	http_set_header(rs, "Content-Disposition", disp);
	snprintf(count, sizeof count, "%" PRId64, id);
	http_set_header(rs, "X-Mimamori-Ledger-Id", count);
	if (lossy) {
		snprintf(count, sizeof count, "%zu", lossy);
		http_set_header(rs, "X-Mimamori-Lossy-Rows", count);
		http_set_header(rs, "X-Mimamori-Lossy", lossy_list.data ? lossy_list.data : "");
	}
	rs->status = 200;
	rs->content_type =
	    pdf ? "application/pdf"
		: (cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=UTF-8");
	buf_free(&rs->body);
	rs->body = data;
	buf_init(&data, MAX_BYTES); /* the response owns the bytes now */
out:
	events_free(ev, n);
	if (data.data)
		vault_wipe(data.data, data.len); /* it holds names */
	buf_free(&data);
	buf_free(&lossy_list);
	return e;
}
