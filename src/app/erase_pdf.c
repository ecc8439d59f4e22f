/* SPDX-License-Identifier: MIT */
/* erase_pdf.c — the erasure certificate (データ消去証明書) as an A4 PDF (src/doc/table_pdf.h):
 * what was erased, how many records of each kind, on which medium, by which method, who asked
 * and who confirmed, when, and the destroyed key's fingerprint. */
#include "app/erase.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "doc/table_pdf.h"

#define LINE_CHARS 34 /* characters of a value's line before it breaks at a 、 or a space */
#define LINE_MAX_CHARS 46

/* Returns 1 when the UTF-8 character at s is a place to break a line after. */
static int breaks_after(const char *s)
{
	return strncmp(s, "、", 3) == 0 || strncmp(s, "）", 3) == 0 || strncmp(s, "。", 3) == 0 ||
	       *s == ' ' || *s == '/';
}

/* Adds rows "label | value", value broken into lines of the table's one-line cells (the
 * label on the first only). */
static enum err pair(struct doc_table_pdf *p, const char *label, const char *value)
{
	enum err e = ERR_OK;
	const char *start = value, *q = value;
	size_t chars = 0;
	while (e == ERR_OK && *q) {
		size_t len = 1;
		while ((q[len] & 0xC0) == 0x80)
			len++;
		chars++;
		int cut = (chars >= LINE_CHARS && breaks_after(q)) || chars >= LINE_MAX_CHARS;
		q += len;
		if (cut || !*q) {
			char *line = xstrndup(start, (size_t)(q - start));
			const char *cells[2] = {start == value ? label : "", line};
			e = doc_table_pdf_row(p, cells, NULL, 2, DOC_TABLE_PLAIN);
			free(line);
			start = q;
			chars = 0;
		}
	}
	return e;
}

enum err erase_certificate_pdf(int64_t id, const char *service, const char *label,
			       const char *file_ja, const char *items_ja, const char *counts,
			       const char *asker, const char *confirmer, int64_t at_ms,
			       const char *fingerprint, const char *medium, struct buf *out)
{
	static const double widths[2] = {1.0, 3.0};
	char date[16], hhmm[8], when[64], no[32];
	struct doc_table_pdf *p = doc_table_pdf_new("データ消去証明書");
	clock_jst_date(at_ms, date, sizeof date);
	clock_jst_hhmm(at_ms, hhmm, sizeof hhmm);
	snprintf(when, sizeof when, "%s %s（日本時間）", date, hhmm);
	snprintf(no, sizeof no, "第 %lld 号", (long long)id);
	char *svc = xasprintf("%s（%s）", label, service);
	doc_table_pdf_section(p, "データ消去証明書");
	doc_table_pdf_widths(p, widths, 2);
	const char *title[1] = {"データ消去証明書（消去証明書）"};
	enum err e = doc_table_pdf_row(p, title, NULL, 1, DOC_TABLE_TITLE);
	const char *intro[1] = {"下記の個人情報ファイルの記録を、下記の方法により消去したことを証明"
				"します。"};
	if (e == ERR_OK)
		e = doc_table_pdf_row(p, intro, NULL, 1, DOC_TABLE_PLAIN);
	if (e == ERR_OK)
		e = pair(p, "証明書番号", no);
	if (e == ERR_OK)
		e = pair(p, "サービス", svc);
	if (e == ERR_OK)
		e = pair(p, "個人情報ファイルの名称", file_ja);
	if (e == ERR_OK)
		e = pair(p, "記録項目", items_ja);
	char *kept = erase_kept_ja(service);
	char *kept_text = strcmp(kept, "（なし）") == 0
			      ? xstrdup(kept)
			      : xasprintf("%s — 個人情報を含まない固定の一覧のため、消去せずに残しました",
					  kept);
	if (e == ERR_OK)
		e = pair(p, "消去せずに残した一覧", kept_text);
	free(kept_text);
	free(kept);
	if (e == ERR_OK)
		e = pair(p, "消去した媒体", medium);
	if (e == ERR_OK)
		e = pair(p, "消去の方法",
			 "暗号化消去（このサービスのデータ鍵 XChaCha20-Poly1305 を破棄し、バックアップの"
			 "鍵ファイルからも削除）の後、全記録を削除（SQLite: secure_delete と WAL の"
			 "チェックポイント、PostgreSQL: VACUUM FULL）");
	if (e == ERR_OK)
		e = pair(p, "破棄した鍵の指紋", fingerprint);
	if (e == ERR_OK)
		e = pair(p, "消去の日時", when);
	if (e == ERR_OK)
		e = pair(p, "依頼した区の管理者", asker);
	if (e == ERR_OK)
		e = pair(p, "確認した区の管理者", confirmer);
	const char *head[2] = {"記録の種類（表）", "消去した件数"};
	static const int numeric[2] = {0, 1};
	if (e == ERR_OK)
		e = doc_table_pdf_row(p, head, NULL, 2, DOC_TABLE_BOLD);
	json_t *c = json_loads(counts, 0, NULL);
	const char *table;
	json_t *v;
	json_object_foreach(c, table, v) {
		char n[32];
		snprintf(n, sizeof n, "%lld 件", (long long)json_integer_value(v));
		const char *row[2] = {table, n};
		if (e == ERR_OK)
			e = doc_table_pdf_row(p, row, numeric, 2, DOC_TABLE_PLAIN);
	}
	json_decref(c);
	free(svc);
	if (e != ERR_OK) {
		doc_table_pdf_free(p);
		return e;
	}
	return doc_table_pdf_finish(p, out);
}
