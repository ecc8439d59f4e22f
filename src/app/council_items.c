/* SPDX-License-Identifier: MIT */
/* council_items.c — `mimamori council items`: for each unit (the platform, each service) what
 * the council's forms ask, read from the live schema and the migrations' annotations: 個人の範囲
 * (whose data), where it is stored and under which key, who may read or change it (the roles of
 * its routes), 記録項目 (each column's Japanese name, class, sealed or not, retention) and the
 * flow of personal information; written as Markdown, PDF (doc/table_pdf) or XLSX (doc/xlsx). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/council.h"
#include "app/retention.h"
#include "base/xalloc.h"
#include "doc/table_pdf.h"
#include "doc/xlsx.h"
#include "http/http.h"
#include "store/items.h"
#include "store/store.h"

#define ITEM_COLS 6
static const char *const item_head[ITEM_COLS] = {"表",	 "列",	   "記録項目",
						 "区分", "暗号化", "保存期間"};
#define FLOW_COLS 4
static const char *const flow_head[FLOW_COLS] = {"渡す人", "受ける人", "情報", "方法"};

/* Rows of ncols malloc'd cells. */
struct grid {
	size_t ncols, rows, cap;
	char **cells;
};

static void grid_add(struct grid *g, const char *const *cells)
{
	if (g->rows == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->cells = xrealloc(g->cells, g->cap * g->ncols * sizeof *g->cells);
	}
	for (size_t i = 0; i < g->ncols; i++)
		g->cells[g->rows * g->ncols + i] = xstrdup(cells[i] ? cells[i] : "");
	g->rows++;
}

static const char *cell(const struct grid *g, size_t row, size_t col)
{
	return g->cells[row * g->ncols + col];
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->rows * g->ncols; i++)
		free(g->cells[i]);
	free(g->cells);
}

/* One unit's part of the document. */
struct unit_doc {
	const struct council_unit *u;
	struct grid summary; /* 項目, 内容 */
	struct grid items;   /* item_head */
	struct grid flows;   /* flow_head */
};

/* Appends word to the "、"-joined list b unless it is there already. */
static void join_once(struct buf *b, const char *word, size_t n)
{
	if (n == 0)
		return;
	for (const char *p = b->data; p && *p;) {
		const char *end = strstr(p, "、");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return;
		p = end ? end + 3 : p + len;
	}
	if (b->len)
		buf_puts(b, "、");
	buf_append(b, word, n);
}

/* Appends each person of whose ("登録児童・保護者", "A、B") to the list b once; a "・" or "、"
 * inside （） is part of one person ("対象者（60歳以上・…）"). */
static void join_whose(struct buf *b, const char *whose)
{
	const char *start = whose;
	int depth = 0;
	for (const char *p = whose;;) {
		if (strncmp(p, "（", 3) == 0) {
			depth++;
			p += 3;
		} else if (strncmp(p, "）", 3) == 0) {
			depth--;
			p += 3;
		} else if (*p == '\0' ||
			   (depth == 0 && (strncmp(p, "・", 3) == 0 || strncmp(p, "、", 3) == 0))) {
			join_once(b, start, (size_t)(p - start));
			if (*p == '\0')
				return;
			p += 3;
			start = p;
		} else {
			p++;
		}
	}
}

/* The Japanese names of the roles of u's routes: those of reading routes (GET) when write is 0,
 * of the others when 1; malloc'd. */
static char *roles_text(const struct council_unit *u, int write)
{
	unsigned bits = 0;
	for (const struct http_route *rt = u->routes; rt && rt->method; rt++)
		if ((strcmp(rt->method, "GET") != 0) == write &&
		    !(rt->roles & HTTP_PASSWORD_DUE_OK))
			bits |= rt->roles; /* not one's own session's routes: everyone's */
	struct buf b;
	buf_init(&b, 4096);
	for (unsigned i = 0; i < 31; i++)
		if (bits & (1u << i)) {
			const char *ja = council_role_ja((enum role)(1u << i));
			join_once(&b, ja, strlen(ja));
		}
	if (!b.len)
		buf_puts(&b, "（なし）");
	return buf_steal(&b);
}

static void summary_row(struct unit_doc *d, const char *label, const char *value)
{
	const char *row[2] = {label, value};
	grid_add(&d->summary, row);
}

static void build_unit(struct app *a, const struct retention_result *periods,
		       const struct store_column *cols, size_t n, struct unit_doc *d)
{
	const struct council_unit *u = d->u;
	struct buf whose, shared;
	size_t count = 0, personal = 0, care = 0, sealed = 0;
	char keep[512];
	buf_init(&whose, 8192);
	buf_init(&shared, 8192);
	d->summary.ncols = 2;
	d->items.ncols = ITEM_COLS;
	d->flows.ncols = FLOW_COLS;
	for (size_t i = 0; i < n; i++) {
		const struct store_item_table *t = store_item_table_find(cols[i].table);
		if (!t)
			continue;
		/* a platform table that keeps rows of each service (its "service" column) */
		if (strcmp(u->name, "platform") != 0 && strcmp(t->owner, "platform") == 0 &&
		    strcmp(cols[i].column, "service") == 0) {
			char *s = xasprintf("%s（%s）", t->name_ja, t->table);
			join_once(&shared, s, strlen(s));
			free(s);
		}
		if (strcmp(t->owner, u->name) != 0)
			continue;
		join_whose(&whose, t->whose);
		const struct store_item *it = store_item_find(cols[i].table, cols[i].column);
		char *table = xasprintf("%s（%s）", t->name_ja, t->table);
		const char *row[ITEM_COLS] = {table,
					      cols[i].column,
					      it ? it->name_ja : "（注記なし）",
					      it ? store_item_class_ja(it->cls) : "",
					      it && it->sealed ? "暗号化" : "",
					      council_retention(periods, u->name, t->table, keep, sizeof keep)};
		grid_add(&d->items, row);
		free(table);
		count++;
		personal += it && it->cls != STORE_ITEM_PLAIN;
		care += it && it->cls == STORE_ITEM_CARE;
		sealed += it && it->sealed;
	}
	for (size_t i = 0; i < store_item_flows_count; i++) {
		const struct store_item_flow *f = &store_item_flows[i];
		if (strcmp(f->owner, u->name) != 0)
			continue;
		const char *row[FLOW_COLS] = {f->from, f->to, f->what, f->how};
		grid_add(&d->flows, row);
	}
	char *unit = xasprintf("%s（%s）", u->label, u->name);
	summary_row(d, "個人情報ファイル", unit);
	free(unit);
	summary_row(d, "個人の範囲", whose.len ? whose.data : "（個人の記録なし）");
	char *items = xasprintf("%zu 項目（うち個人に関する項目 %zu、要配慮 %zu、暗号化 %zu）",
				count, personal, care, sealed);
	summary_row(d, "記録項目", items);
	free(items);
	summary_row(d, "記録するコンピュータ",
		    a->cfg.store_url
			? "mimamori のサーバ（PostgreSQL のデータベース: "
			  "mimamori.conf の [store] url）"
			: "mimamori のサーバ（SQLite: データディレクトリの mimamori.db）");
	summary_row(d, "データディレクトリ", a->data_dir);
	char *key = xasprintf("データ鍵 data_key:%s（このファイルだけの鍵。master.key で包んで"
			      "保存。暗号化の項目はこの鍵で封をする）",
			      u->name);
	summary_row(d, "暗号化の鍵", key);
	free(key);
	if (shared.len)
		summary_row(d, "共通基盤の表（service の列でこのサービスの行を区別）", shared.data);
	char *read = roles_text(u, 0), *write = roles_text(u, 1);
	summary_row(d, "閲覧できる人（役割）", read);
	summary_row(d, "変更できる人（役割）", write);
	free(read);
	free(write);
	summary_row(d, "保存期間", "表ごと（記録項目の表）。既定値は docs/guide.md「保存期間」");
	buf_free(&whose);
	buf_free(&shared);
}

/* Appends s to b unless an earlier append failed (*e): one check at the end of the document. */
static void put(struct buf *b, const char *s, size_t n, enum err *e)
{
	if (*e == ERR_OK)
		*e = buf_append(b, s, n);
}
#define PUTS(b, s, e) put((b), (s), strlen(s), (e))

/* Markdown: "|" in a cell would end it, a line break the row. */
static void md_cell(struct buf *b, const char *s, enum err *e)
{
	PUTS(b, " ", e);
	for (; *s; s++)
		if (*s == '|')
			PUTS(b, "\\|", e);
		else if (*s == '\n')
			PUTS(b, " ", e);
		else
			put(b, s, 1, e);
	PUTS(b, " |", e);
}

static void md_table(struct buf *b, const char *const *head, const struct grid *g, enum err *e)
{
	PUTS(b, "|", e);
	for (size_t c = 0; c < g->ncols; c++)
		md_cell(b, head[c], e);
	PUTS(b, "\n|", e);
	for (size_t c = 0; c < g->ncols; c++)
		PUTS(b, "---|", e);
	PUTS(b, "\n", e);
	for (size_t r = 0; r < g->rows; r++) {
		PUTS(b, "|", e);
		for (size_t c = 0; c < g->ncols; c++)
			md_cell(b, cell(g, r, c), e);
		PUTS(b, "\n", e);
	}
}

static enum err write_md(struct unit_doc *docs, size_t nd, struct buf *out)
{
	static const char *const sum_head[2] = {"項目", "内容"};
	enum err e = ERR_OK;
	PUTS(out,
	     "# 個人情報ファイルの記録項目\n\n"
	     "mimamori council items "
	     "が、動いているデータベースの構造と移行の注記から作成しました。\n",
	     &e);
	for (size_t i = 0; i < nd; i++) {
		char *h = xasprintf("\n## %s（%s）\n\n", docs[i].u->label, docs[i].u->name);
		PUTS(out, h, &e);
		free(h);
		md_table(out, sum_head, &docs[i].summary, &e);
		PUTS(out, "\n### 記録項目\n\n", &e);
		md_table(out, item_head, &docs[i].items, &e);
		PUTS(out, "\n### 個人情報の流れ\n\n", &e);
		if (docs[i].flows.rows)
			md_table(out, flow_head, &docs[i].flows, &e);
		else
			PUTS(out, "（受け渡しなし）\n", &e);
	}
	return e;
}

static enum err write_pdf(struct unit_doc *docs, size_t nd, struct buf *out)
{
	static const double sum_w[2] = {1, 3}, item_w[ITEM_COLS] = {4.5, 2.5, 4, 1.1, 1.2, 3.5};
	struct doc_table_pdf *p = doc_table_pdf_new("個人情報ファイルの記録項目");
	enum err e = ERR_OK;
	for (size_t i = 0; i < nd && e == ERR_OK; i++) {
		const struct unit_doc *d = &docs[i];
		char *title = xasprintf("%s 概要", d->u->label);
		doc_table_pdf_section(p, title);
		doc_table_pdf_widths(p, sum_w, 2);
		const char *t[2] = {title, ""};
		e = doc_table_pdf_row(p, t, NULL, 2, DOC_TABLE_TITLE);
		free(title);
		for (size_t r = 0; r < d->summary.rows && e == ERR_OK; r++) {
			const char *row[2] = {cell(&d->summary, r, 0), cell(&d->summary, r, 1)};
			e = doc_table_pdf_row(p, row, NULL, 2, DOC_TABLE_PLAIN);
		}
		const char *fh[2] = {"個人情報の流れ", ""};
		if (e == ERR_OK && d->flows.rows)
			e = doc_table_pdf_row(p, fh, NULL, 2, DOC_TABLE_BOLD);
		for (size_t r = 0; r < d->flows.rows && e == ERR_OK; r++) {
			char *who =
			    xasprintf("%s → %s", cell(&d->flows, r, 0), cell(&d->flows, r, 1));
			char *what =
			    xasprintf("%s（%s）", cell(&d->flows, r, 2), cell(&d->flows, r, 3));
			const char *row[2] = {who, what};
			e = doc_table_pdf_row(p, row, NULL, 2, DOC_TABLE_PLAIN);
			free(who);
			free(what);
		}
		title = xasprintf("%s 記録項目", d->u->label);
		doc_table_pdf_section(p, title);
		free(title);
		doc_table_pdf_widths(p, item_w, ITEM_COLS);
		if (e == ERR_OK)
			e = doc_table_pdf_row(p, item_head, NULL, ITEM_COLS, DOC_TABLE_BOLD);
		for (size_t r = 0; r < d->items.rows && e == ERR_OK; r++)
			e = doc_table_pdf_row(p,
					      (const char *const *)&d->items.cells[r * ITEM_COLS],
					      NULL, ITEM_COLS, DOC_TABLE_PLAIN);
	}
	if (e != ERR_OK) {
		doc_table_pdf_free(p);
		return e;
	}
	return doc_table_pdf_finish(p, out);
}

static enum err write_xlsx(struct app *a, struct unit_doc *docs, size_t nd, struct buf *out)
{
	struct doc_xlsx *x = NULL;
	enum err e = doc_xlsx_new(a->data_dir, &x);
	if (e != ERR_OK)
		return e;
	static const char *const sum_head[3] = {"サービス", "項目", "内容"};
	static const double item_wd[ITEM_COLS + 1] = {24, 30, 18, 30, 8, 8, 30};
	unsigned row = 1;
	e = doc_xlsx_sheet(x, "概要");
	for (unsigned c = 0; c < 3 && e == ERR_OK; c++) {
		doc_xlsx_str(x, 0, c, sum_head[c], DOC_XLSX_BOLD);
		doc_xlsx_width(x, c, c == 2 ? 80 : 24);
	}
	for (size_t i = 0; i < nd && e == ERR_OK; i++)
		for (size_t r = 0; r < docs[i].summary.rows; r++, row++) {
			doc_xlsx_str(x, row, 0, docs[i].u->label, DOC_XLSX_PLAIN);
			doc_xlsx_str(x, row, 1, cell(&docs[i].summary, r, 0), DOC_XLSX_PLAIN);
			doc_xlsx_str(x, row, 2, cell(&docs[i].summary, r, 1), DOC_XLSX_PLAIN);
		}
	if (e == ERR_OK)
		e = doc_xlsx_sheet(x, "記録項目");
	row = 1;
	if (e == ERR_OK) {
		doc_xlsx_str(x, 0, 0, "サービス", DOC_XLSX_BOLD);
		doc_xlsx_width(x, 0, item_wd[0]);
		for (unsigned c = 0; c < ITEM_COLS; c++) {
			doc_xlsx_str(x, 0, c + 1, item_head[c], DOC_XLSX_BOLD);
			doc_xlsx_width(x, c + 1, item_wd[c + 1]);
		}
		for (size_t i = 0; i < nd; i++)
			for (size_t r = 0; r < docs[i].items.rows; r++, row++) {
				doc_xlsx_str(x, row, 0, docs[i].u->label, DOC_XLSX_PLAIN);
				for (unsigned c = 0; c < ITEM_COLS; c++)
					doc_xlsx_str(x, row, c + 1, cell(&docs[i].items, r, c),
						     DOC_XLSX_PLAIN);
			}
	}
	if (e == ERR_OK)
		e = doc_xlsx_sheet(x, "個人情報の流れ");
	row = 1;
	if (e == ERR_OK) {
		doc_xlsx_str(x, 0, 0, "サービス", DOC_XLSX_BOLD);
		for (unsigned c = 0; c < FLOW_COLS; c++) {
			doc_xlsx_str(x, 0, c + 1, flow_head[c], DOC_XLSX_BOLD);
			doc_xlsx_width(x, c + 1, 30);
		}
		for (size_t i = 0; i < nd; i++)
			for (size_t r = 0; r < docs[i].flows.rows; r++, row++) {
				doc_xlsx_str(x, row, 0, docs[i].u->label, DOC_XLSX_PLAIN);
				for (unsigned c = 0; c < FLOW_COLS; c++)
					doc_xlsx_str(x, row, c + 1, cell(&docs[i].flows, r, c),
						     DOC_XLSX_PLAIN);
			}
	}
	if (e != ERR_OK) {
		doc_xlsx_free(x);
		return e;
	}
	return doc_xlsx_finish(x, out);
}

enum err council_items(struct app *a, const char *only, enum council_format f, struct buf *out)
{
	struct council_unit units[COUNCIL_UNITS_MAX];
	size_t nu = council_units(only, units), n = 0;
	struct store_column *cols = NULL;
	if (nu == 0)
		return ERR_NOTFOUND;
	enum err e = store_columns_list(a->store, &cols, &n);
	if (e != ERR_OK)
		return e;
	struct unit_doc *docs = xcalloc(nu, sizeof *docs);
	struct retention_result periods; /* read once: [retention] of mimamori.conf */
	retention_periods(a, &periods);
	for (size_t i = 0; i < nu; i++) {
		docs[i].u = &units[i];
		build_unit(a, &periods, cols, n, &docs[i]);
	}
	e = f == COUNCIL_PDF	? write_pdf(docs, nu, out)
	    : f == COUNCIL_XLSX ? write_xlsx(a, docs, nu, out)
				: write_md(docs, nu, out);
	for (size_t i = 0; i < nu; i++) {
		grid_free(&docs[i].summary);
		grid_free(&docs[i].items);
		grid_free(&docs[i].flows);
	}
	free(docs);
	store_columns_free(cols, n);
	return e;
}
