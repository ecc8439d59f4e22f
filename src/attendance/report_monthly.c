/* SPDX-License-Identifier: MIT */
/* report_monthly.c — the ward's monthly usage (月次利用実績): per site, each child's days
 * attended and hours, the site's totals, and a ward summary; as XLSX (one sheet per site) or
 * CSV (one section per site). */
#include "attendance/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/csv_write.h"
#include "doc/table_pdf.h"
#include "doc/xlsx.h"
#include "store/store.h"
#include "vault/vault.h"

#define MAX_COLS 10

struct child_use {
	int64_t id;
	char *child_no;
	char *name; /* plaintext: wiped when freed */
	char *kana;
	int grade;
	int64_t days;
	int64_t ms; /* time between entries and exits */
};

struct site_use {
	int64_t id;
	char code[16];
	char name[256];
	char type[16];
	struct child_use *children;
	size_t n;
	int64_t open_days; /* days with any scan at the site */
};

/* One cell of the layout; text, or a number when is_num. */
struct cell {
	const char *s;
	double v;
	int is_num;
	int hours;
};

/* Writes the same layout to a workbook (sheets) or a CSV (sections). */
struct emitter {
	struct doc_xlsx *x;    /* XLSX, or NULL */
	struct doc_csv_out *w; /* CSV, or NULL */
	struct doc_table_pdf *p; /* PDF (the sheets as pages), or NULL */
	unsigned row;	       /* next row of the current sheet */
	enum err e;
};

static struct cell txt(const char *s)
{
	return (struct cell){s, 0, 0, 0};
}

static struct cell num(double v)
{
	return (struct cell){NULL, v, 1, 0};
}

static struct cell hours(int64_t ms)
{
	return (struct cell){NULL, (double)ms / 3600000.0, 1, 1};
}

static void section(struct emitter *em, const char *sheet)
{
	if (em->e != ERR_OK)
		return;
	if (em->x) {
		em->e = doc_xlsx_sheet(em->x, sheet);
		em->row = 0;
	} else if (em->p) {
		doc_table_pdf_section(em->p, sheet);
	} else if (em->w->rows > 0) {
		em->e = doc_csv_out_row(em->w, NULL, 0, NULL); /* a blank line between sections */
	}
}

static void row(struct emitter *em, const struct cell *cells, size_t n, enum doc_xlsx_style st)
{
	if (em->e != ERR_OK)
		return;
	if (em->x) {
		for (size_t i = 0; i < n; i++) {
			if (cells[i].is_num)
				doc_xlsx_num(em->x, em->row, (unsigned)i, cells[i].v,
					     cells[i].hours ? DOC_XLSX_HOURS : st);
			else
				doc_xlsx_str(em->x, em->row, (unsigned)i, cells[i].s, st);
		}
		em->row++;
		return;
	}
	char nums[MAX_COLS][32];
	const char *f[MAX_COLS];
	int numeric[MAX_COLS];
	for (size_t i = 0; i < n && i < MAX_COLS; i++) {
		f[i] = cells[i].s;
		numeric[i] = cells[i].is_num;
		if (cells[i].is_num) {
			snprintf(nums[i], sizeof nums[i], cells[i].hours ? "%.2f" : "%.0f",
				 cells[i].v);
			f[i] = nums[i];
		}
	}
	if (em->p) {
		em->e = doc_table_pdf_row(em->p, f, numeric, n < MAX_COLS ? n : MAX_COLS,
					  st == DOC_XLSX_TITLE  ? DOC_TABLE_TITLE
					  : st == DOC_XLSX_BOLD ? DOC_TABLE_BOLD
								: DOC_TABLE_PLAIN);
		return;
	}
	em->e = doc_csv_out_row(em->w, f, n < MAX_COLS ? n : MAX_COLS, NULL);
}

static void widths(struct emitter *em, const double *w, size_t n)
{
	for (size_t i = 0; em->x && i < n; i++)
		doc_xlsx_width(em->x, (unsigned)i, w[i]);
	if (em->p)
		doc_table_pdf_widths(em->p, w, n);
}

static void free_sites(struct site_use *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < s[i].n; k++) {
			free(s[i].children[k].child_no);
			vault_wipe_free(s[i].children[k].name);
			vault_wipe_free(s[i].children[k].kana);
		}
		free(s[i].children);
	}
	free(s);
}

static int cmp_child_id(const void *x, const void *y)
{
	const struct child_use *const *a = x, *const *b = y;
	return ((*a)->id > (*b)->id) - ((*a)->id < (*b)->id);
}

/* Adds up the month of every child of s in one pass over the site's scans of the month (by
 * site and day: the month's rows, whatever the history): days with an entry, and the time
 * between each entry and the next exit on the same day (an entry never closed that day counts
 * as a day but adds no time). */
static enum err site_month(struct store_conn *c, struct site_use *s, const char *first,
			   const char *last)
{
	struct child_use **by_id = xcalloc(s->n + 1, sizeof *by_id);
	for (size_t i = 0; i < s->n; i++)
		by_id[i] = &s->children[i];
	qsort(by_id, s->n, sizeof *by_id, cmp_child_id);
	struct store_stmt *st = store_prepare(
	    c, "SELECT child_id, day, direction, at_ms FROM scans WHERE site_id = ? AND "
	       "day BETWEEN ? AND ? ORDER BY child_id, day, at_ms, id");
	struct child_use *ch = NULL;
	char day[16] = "";
	int64_t cur = 0, open = 0;
	int counted = 0, rc = STORE_DONE;
	enum err e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, s->id);
	store_bind_text(st, 2, first);
	store_bind_text(st, 3, last);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int(st, 0);
		const char *d = store_col_text(st, 1);
		int in = strcmp(store_col_text(st, 2), "in") == 0;
		int64_t at = store_col_int(st, 3);
		if (id != cur || !ch) {
			struct child_use key = {.id = id}, *kp = &key, **hit;
			hit = bsearch(&kp, by_id, s->n, sizeof *by_id, cmp_child_id);
			ch = hit ? *hit : NULL;
			cur = id;
			day[0] = '\0';
		}
		if (!ch)
			continue; /* a child of another site now, not listed here */
		if (strcmp(d, day) != 0) {
			snprintf(day, sizeof day, "%s", d);
			open = 0;
			counted = 0;
		}
		if (in) {
			if (!counted)
				ch->days++;
			counted = 1;
			if (!open)
				open = at;
		} else if (open) {
			ch->ms += at - open;
			open = 0;
		}
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	free(by_id);
	return e;
}

static enum err load_site(struct app *a, struct store_conn *c, struct site_use *s,
			  const char *first, const char *last)
{
	size_t cap = 0;
	enum err e = ERR_DB;
	/* The site's active children, and any who left but attended in the month. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT ch.id, ch.child_no, ch.name_enc, ch.kana_enc, ch.grade FROM children ch "
	       "WHERE ch.site_id = ?1 AND (ch.active = 1 OR ch.id IN (SELECT s.child_id FROM scans "
	       "s WHERE s.site_id = ?1 AND s.day BETWEEN ?2 AND ?3)) "
	       "ORDER BY ch.grade, ch.child_no");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, s->id);
	store_bind_text(st, 2, first);
	store_bind_text(st, 3, last);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (s->n == cap) {
			cap = cap ? cap * 2 : 64;
			s->children = xrealloc(s->children, cap * sizeof *s->children);
		}
		struct child_use *ch = &s->children[s->n];
		memset(ch, 0, sizeof *ch);
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 2, &l1), *b2 = store_col_blob(st, 3, &l2);
		if (vault_unseal(attendance_vault(a), "children.name", b1, l1, &ch->name) != ERR_OK ||
		    vault_unseal(attendance_vault(a), "children.kana", b2, l2, &ch->kana) != ERR_OK) {
			vault_wipe_free(ch->name);
			e = ERR_CRYPTO;
			goto out;
		}
		ch->id = store_col_int(st, 0);
		ch->child_no = xstrdup(store_col_text(st, 1));
		ch->grade = (int)store_col_int(st, 4);
		s->n++;
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	st = NULL;
	e = site_month(c, s, first, last);
	if (e != ERR_OK)
		goto out;
	e = ERR_DB;
	st = store_prepare(c, "SELECT COUNT(DISTINCT day) FROM scans WHERE site_id = ? AND "
			      "day BETWEEN ? AND ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, s->id);
	store_bind_text(st, 2, first);
	store_bind_text(st, 3, last);
	if (store_step(st) != STORE_ROW)
		goto out;
	s->open_days = store_col_int(st, 0);
	e = ERR_OK;
out:
	store_finish(st);
	return e;
}

static enum err load(struct app *a, const char *first, const char *last, struct site_use **sites,
		     size_t *nsites)
{
	struct site_use *v = NULL;
	size_t n = 0, cap = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, code, name, type FROM sites ORDER BY code");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		struct site_use *s = &v[n++];
		memset(s, 0, sizeof *s);
		s->id = store_col_int(st, 0);
		snprintf(s->code, sizeof s->code, "%s", store_col_text(st, 1));
		snprintf(s->name, sizeof s->name, "%s", store_col_text(st, 2));
		snprintf(s->type, sizeof s->type, "%s", store_col_text(st, 3));
	}
	store_finish(st);
	st = NULL;
	if (rc != STORE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++) {
		e = load_site(a, c, &v[i], first, last);
		if (e != ERR_OK)
			goto out;
	}
	e = ERR_OK;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		free_sites(v, n);
		return e;
	}
	*sites = v;
	*nsites = n;
	return ERR_OK;
}

struct totals {
	int64_t used, child_days, ms;
};

static struct totals site_totals(const struct site_use *s)
{
	struct totals t = {0, 0, 0};
	for (size_t k = 0; k < s->n; k++) {
		t.used += s->children[k].days > 0;
		t.child_days += s->children[k].days;
		t.ms += s->children[k].ms;
	}
	return t;
}

static void emit(struct emitter *em, const char *month, const char *wareki,
		 const struct site_use *sites, size_t n)
{
	char title[512], made[48], hhmm[8];
	int64_t now = clock_now_ms();
	clock_jst_date(now, made, sizeof made);
	clock_jst_hhmm(now, hhmm, sizeof hhmm);
	size_t ml = strlen(made);
	snprintf(made + ml, sizeof made - ml, " %s", hhmm);

	/* The ward summary: one row per site. */
	static const double sw[] = {10, 28, 14, 12, 12, 12, 14, 12, 16};
	section(em, "区集計");
	widths(em, sw, sizeof sw / sizeof sw[0]);
	snprintf(title, sizeof title, "月次利用実績 %s（%s）", wareki, month);
	struct cell t1[] = {txt(title)};
	row(em, t1, 1, DOC_XLSX_TITLE);
	struct cell t2[] = {txt("作成"), txt(made)};
	row(em, t2, 2, DOC_XLSX_PLAIN);
	struct cell h[] = {txt("施設コード"),	txt("施設名"),	   txt("種別"),
			   txt("登録児童数"),	txt("利用児童数"), txt("開所日数"),
			   txt("延べ利用日数"), txt("合計時間"),   txt("1日平均利用児童数")};
	row(em, h, sizeof h / sizeof h[0], DOC_XLSX_BOLD);
	struct totals ward = {0, 0, 0};
	int64_t ward_children = 0;
	for (size_t i = 0; i < n; i++) {
		struct totals t = site_totals(&sites[i]);
		double avg =
		    sites[i].open_days ? (double)t.child_days / (double)sites[i].open_days : 0;
		const char *type =
		    strcmp(sites[i].type, "gakudo") == 0 ? "学童クラブ" : "ひろばプラス";
		struct cell r[] = {
		    txt(sites[i].code),	       txt(sites[i].name),  txt(type),
		    num((double)sites[i].n),   num((double)t.used), num((double)sites[i].open_days),
		    num((double)t.child_days), hours(t.ms),	    {NULL, avg, 1, 1}};
		row(em, r, sizeof r / sizeof r[0], DOC_XLSX_PLAIN);
		ward.used += t.used;
		ward.child_days += t.child_days;
		ward.ms += t.ms;
		ward_children += (int64_t)sites[i].n;
	}
	struct cell wt[] = {txt("区合計"),
			    txt(""),
			    txt(""),
			    num((double)ward_children),
			    num((double)ward.used),
			    txt(""),
			    num((double)ward.child_days),
			    hours(ward.ms)};
	row(em, wt, sizeof wt / sizeof wt[0], DOC_XLSX_BOLD);

	/* One sheet (section) per site with its children. */
	static const double cw[] = {12, 24, 24, 8, 12, 12};
	for (size_t i = 0; i < n; i++) {
		const struct site_use *s = &sites[i];
		section(em, s->code);
		widths(em, cw, sizeof cw / sizeof cw[0]);
		snprintf(title, sizeof title, "%s %s　%s（%s）", s->code, s->name, wareki, month);
		struct cell st1[] = {txt(title)};
		row(em, st1, 1, DOC_XLSX_TITLE);
		struct cell ch[] = {txt("児童番号"), txt("児童氏名"), txt("児童氏名カナ"),
				    txt("学年"),     txt("出席日数"), txt("合計時間")};
		row(em, ch, sizeof ch / sizeof ch[0], DOC_XLSX_BOLD);
		for (size_t k = 0; k < s->n; k++) {
			const struct child_use *c = &s->children[k];
			struct cell r[] = {txt(c->child_no), txt(c->name),	   txt(c->kana),
					   num(c->grade),    num((double)c->days), hours(c->ms)};
			row(em, r, sizeof r / sizeof r[0], DOC_XLSX_PLAIN);
		}
		struct totals t = site_totals(s);
		struct cell sum[] = {
		    txt("施設計"), txt(""), txt(""), txt(""), num((double)t.child_days),
		    hours(t.ms)};
		row(em, sum, sizeof sum / sizeof sum[0], DOC_XLSX_BOLD);
		char line[128];
		snprintf(line, sizeof line, "登録 %zu名　利用 %lld名　開所 %lld日", s->n,
			 (long long)t.used, (long long)s->open_days);
		struct cell note[] = {txt(line)};
		row(em, note, 1, DOC_XLSX_PLAIN);
	}
}

enum err report_monthly(struct app *a, const char *month, const char *format,
			struct report_out *out, const char **why)
{
	char first[16], last[16], wareki[48];
	struct site_use *sites = NULL;
	size_t n = 0;
	struct doc_csv_out w;
	struct emitter em = {0};
	int y, m;
	enum err e;
	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	buf_init(&out->data, REPORT_MAX_BYTES);
	buf_init(&out->lossy_list, 4096);
	if (wareki_parse_month(month, &y, &m) != ERR_OK ||
	    wareki_format_month(y, m, wareki, sizeof wareki) != ERR_OK) {
		*why = "月は YYYY-MM の形（例 2026-11）で指定してください（month）。";
		return ERR_INVALID;
	}
	int xlsx = format && strcmp(format, "xlsx") == 0;
	int pdf = format && strcmp(format, "pdf") == 0;
	if (!xlsx && !pdf && !(format && strcmp(format, "csv") == 0)) {
		*why = "形式（format）は xlsx、csv か pdf を指定してください。";
		return ERR_INVALID;
	}
	snprintf(first, sizeof first, "%04d-%02d-01", y, m);
	snprintf(last, sizeof last, "%04d-%02d-%02d", y, m, wareki_days_in_month(y, m));
	e = load(a, first, last, &sites, &n);
	if (e != ERR_OK)
		goto out;
	if (xlsx) {
		e = doc_xlsx_new(a->data_dir, &em.x);
		if (e != ERR_OK)
			goto out;
	} else if (pdf) {
		char title[96];
		snprintf(title, sizeof title, "月次利用実績 %s", wareki);
		em.p = doc_table_pdf_new(title);
	} else {
		e = doc_csv_out_init(&w, DOC_CSV_UTF8_BOM, REPORT_MAX_BYTES);
		if (e != ERR_OK)
			goto out;
		em.w = &w;
	}
	emit(&em, month, wareki, sites, n);
	e = em.e;
	if (xlsx) {
		enum err e2 = doc_xlsx_finish(em.x, &out->data);
		em.x = NULL;
		if (e == ERR_OK)
			e = e2;
	} else if (pdf) {
		enum err e2 = doc_table_pdf_finish(em.p, &out->data);
		em.p = NULL;
		if (e == ERR_OK)
			e = e2;
	} else if (e == ERR_OK) {
		out->data = w.out;
		buf_init(&w.out, REPORT_MAX_BYTES);
	}
	for (size_t i = 0; i < n; i++)
		out->records += sites[i].n;
	const char *ext = xlsx ? "xlsx" : pdf ? "pdf" : "csv";
	out->content_type =
	    xlsx  ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	    : pdf ? "application/pdf"
		  : "text/csv; charset=utf-8";
	snprintf(out->filename, sizeof out->filename, "monthly-%s.%s", month, ext);
	snprintf(out->content, sizeof out->content, "monthly %s %s", month, ext);
	snprintf(out->object, sizeof out->object, "ward");
out:
	doc_xlsx_free(em.x);
	doc_table_pdf_free(em.p);
	doc_csv_out_free(&w);
	free_sites(sites, n);
	return e;
}
