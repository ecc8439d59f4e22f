/* SPDX-License-Identifier: MIT */
/* counts.c — a fiscal year's counts as a workbook (XLSX), for head office: passes issued per
 * counter and 対象区分 (高齢・障害・児童), with reissues, applications, returned mail and
 * exclusions, for the year and for each month (April–March). Counts only, no person; the
 * workbook is still recorded in the handover ledger before it leaves. */
#include "bathpass/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "doc/xlsx.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define MAX_BYTES (8u * 1024u * 1024u)
#define MAX_PLACES 32
#define NCOLS 8 /* 交付 高齢・障害・児童・計, 再交付, 申請, 返戻, 除外 */

static const char *const cols[NCOLS] = {"交付（高齢）", "交付（障害）", "交付（児童）", "交付 計",
					"再交付",	"申請",		"返戻",		"除外"};
static const char *const cats[3] = {"高齢", "障害", "児童"};

struct tally {
	size_t nplaces;
	char code[MAX_PLACES + 1][16]; /* the last row: by mail or head office's records */
	char name[MAX_PLACES + 1][96];
	long by_place[MAX_PLACES + 1][NCOLS];
	long by_month[12][NCOLS]; /* April first */
};

/* The 対象区分 of person id (0 高齢, 1 障害, 2 児童), or -1. */
static int category(struct store_conn *c, const struct vault *v, int64_t id)
{
	struct store_stmt *st = store_prepare(c, "SELECT category FROM bath_people WHERE id = ?");
	int k = -1;
	if (!st)
		return -1;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		size_t len = 0;
		char *plain = NULL;
		const void *blob = store_col_blob(st, 0, &len);
		if (vault_unseal(v, "bath_people.category", blob, len, &plain) == ERR_OK)
			for (int i = 0; i < 3; i++)
				if (strcmp(plain, cats[i]) == 0)
					k = i;
		vault_wipe_free(plain);
	}
	store_finish(st);
	return k;
}

static enum err tally_read(struct app *a, int fy, struct tally *t)
{
	const struct vault *v = bathpass_vault(a);
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT code, name FROM bath_places ORDER BY sort");
	enum err e = ERR_OK;
	int r = -1;
	memset(t, 0, sizeof *t);
	while (st && t->nplaces < MAX_PLACES && (r = store_step(st)) == STORE_ROW) {
		snprintf(t->code[t->nplaces], 16, "%s", store_col_text(st, 0));
		snprintf(t->name[t->nplaces], 96, "%s", store_col_text(st, 1));
		t->nplaces++;
	}
	store_finish(st);
	snprintf(t->name[t->nplaces], 96, "郵送・本庁の記録");
	/* Read the events first, then each issue's person (one statement at a time). */
	st = store_prepare(c, "SELECT kind, on_date, COALESCE(place, ''), person_id FROM "
			      "bath_events WHERE fiscal_year = ? ORDER BY id");
	size_t cap = 1024, n = 0;
	struct ev {
		int col, month;
		size_t place;
		int64_t person;
	} *evs = malloc(cap * sizeof *evs);
	if (!st || !evs) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, fy);
	while ((r = store_step(st)) == STORE_ROW) {
		const char *kind = store_col_text(st, 0), *date = store_col_text(st, 1);
		const char *place = store_col_text(st, 2);
		int col = strcmp(kind, "issue") == 0	  ? 3
			  : strcmp(kind, "reissue") == 0  ? 4
			  : strcmp(kind, "apply") == 0	  ? 5
			  : strcmp(kind, "returned") == 0 ? 6
			  : strcmp(kind, "exclude") == 0  ? 7
							  : -1;
		if (col < 0 || strlen(date) < 7)
			continue;
		if (n == cap) {
			struct ev *more = realloc(evs, 2 * cap * sizeof *evs);
			if (!more) {
				e = ERR_DB;
				break;
			}
			evs = more;
			cap *= 2;
		}
		int m = (date[5] - '0') * 10 + (date[6] - '0');
		size_t p = t->nplaces;
		for (size_t i = 0; i < t->nplaces; i++)
			if (strcmp(place, t->code[i]) == 0)
				p = i;
		evs[n].col = col;
		evs[n].month = (m + 8) % 12; /* April 0 … March 11 */
		evs[n].place = p;
		evs[n].person = store_col_int(st, 3);
		n++;
	}
	store_finish(st);
	st = NULL;
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct ev *x = &evs[i];
		t->by_place[x->place][x->col]++;
		t->by_month[x->month][x->col]++;
		if (x->col == 3) {
			int k = category(c, v, x->person);
			if (k >= 0) {
				t->by_place[x->place][k]++;
				t->by_month[x->month][k]++;
			}
		}
	}
out:
	free(evs);
	store_release(c);
	return e;
}

/* Writes one sheet: a heading row, then rows of labels and counts, then the total. */
static void sheet(struct doc_xlsx *x, const char *title, const char *first,
		  const char *const *labels, long (*rows)[NCOLS], size_t n)
{
	long total[NCOLS] = {0};
	doc_xlsx_str(x, 0, 0, title, DOC_XLSX_TITLE);
	doc_xlsx_str(x, 2, 0, first, DOC_XLSX_BOLD);
	doc_xlsx_width(x, 0, 28);
	for (unsigned k = 0; k < NCOLS; k++) {
		doc_xlsx_str(x, 2, k + 1, cols[k], DOC_XLSX_BOLD);
		doc_xlsx_width(x, k + 1, 12);
	}
	for (size_t i = 0; i < n; i++) {
		doc_xlsx_str(x, (unsigned)(3 + i), 0, labels[i], DOC_XLSX_PLAIN);
		for (unsigned k = 0; k < NCOLS; k++) {
			doc_xlsx_num(x, (unsigned)(3 + i), k + 1, (double)rows[i][k],
				     DOC_XLSX_PLAIN);
			total[k] += rows[i][k];
		}
	}
	doc_xlsx_str(x, (unsigned)(3 + n), 0, "合計", DOC_XLSX_BOLD);
	for (unsigned k = 0; k < NCOLS; k++)
		doc_xlsx_num(x, (unsigned)(3 + n), k + 1, (double)total[k], DOC_XLSX_BOLD);
}

enum err api_bath_counts(struct http_req *rq, struct http_resp *rs)
{
	const char *q = http_query(rq, "fiscal_year");
	char today[11], title[96], content[64], disp[96], count[32];
	bath_today(today);
	int fy = bath_query_year(q);
	if (fy < 0)
		return http_error(rs, ERR_INVALID,
				  BATH_YEAR_WHY);
	if (!fy)
		fy = bath_fiscal_year(today);
	struct tally *t = calloc(1, sizeof *t);
	struct doc_xlsx *x = NULL;
	struct buf data;
	buf_init(&data, MAX_BYTES);
	enum err e = t ? tally_read(rq->app, fy, t) : ERR_DB;
	if (e == ERR_OK)
		e = doc_xlsx_new(rq->app->data_dir, &x);
	if (e != ERR_OK)
		goto out;
	const char *labels[MAX_PLACES + 1];
	for (size_t i = 0; i <= t->nplaces; i++)
		labels[i] = t->name[i];
	snprintf(title, sizeof title, "ふれあい入浴証 %d年度 窓口別・対象区分別の件数", fy);
	e = doc_xlsx_sheet(x, "年度 窓口別");
	if (e == ERR_OK)
		sheet(x, title, "交付場所", labels, t->by_place, t->nplaces + 1);
	static const char *const months[12] = {"4月",  "5月",  "6月",  "7月", "8月", "9月",
					       "10月", "11月", "12月", "1月", "2月", "3月"};
	snprintf(title, sizeof title, "ふれあい入浴証 %d年度 月別の件数", fy);
	if (e == ERR_OK)
		e = doc_xlsx_sheet(x, "月別");
	if (e == ERR_OK)
		sheet(x, title, "月", months, t->by_month, 12);
	if (e == ERR_OK)
		e = doc_xlsx_finish(x, &data);
	else
		doc_xlsx_free(x);
	x = NULL;
	if (e != ERR_OK)
		goto out;
	snprintf(content, sizeof content, "bathpass counts %d xlsx", fy);
	struct ledger_item it = {.service = BATHPASS_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = "bathpass:counts",
				 .records = 0,
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
	snprintf(disp, sizeof disp, "attachment; filename=\"bathpass-counts-%d.xlsx\"", fy);
	http_set_header(rs, "Content-Disposition", disp);
	snprintf(count, sizeof count, "%" PRId64, id);
	http_set_header(rs, "X-Mimamori-Ledger-Id", count);
	rs->status = 200;
	rs->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	buf_free(&rs->body);
	rs->body = data;
	buf_init(&data, MAX_BYTES);
out:
	doc_xlsx_free(x);
	buf_free(&data);
	free(t);
	return e;
}
