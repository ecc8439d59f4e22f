/* SPDX-License-Identifier: MIT */
/* attendance_xlsx.c — the daily attendance list as a one-sheet workbook (libxlsxwriter through
 * doc/xlsx.c), the same content as the printed list. */
#include "doc/attendance_xlsx.h"

#include <stdio.h>

#include "doc/xlsx.h"

enum err doc_daily_xlsx(const char *tmpdir, const struct doc_daily *d, struct buf *out)
{
	const char *const head[] = {"No.", "学年", "児童番号", "児童氏名", "児童氏名カナ",
				    d->entry_word ? d->entry_word : "入室",
				    d->exit_word ? d->exit_word : "退室", "状況", "連絡"};
	static const double widths[] = {6, 6, 12, 24, 24, 8, 8, 12, 30};
	struct doc_xlsx *x = NULL;
	char line[512];
	unsigned r = 0;
	enum err e = doc_xlsx_new(tmpdir, &x);
	if (e != ERR_OK)
		return e;
	e = doc_xlsx_sheet(x, d->site_code && *d->site_code ? d->site_code : "出欠一覧");
	if (e != ERR_OK) {
		doc_xlsx_free(x);
		return e;
	}
	for (unsigned c = 0; c < sizeof widths / sizeof widths[0]; c++)
		doc_xlsx_width(x, c, widths[c]);
	doc_xlsx_str(x, r++, 0, "出欠一覧（日次）", DOC_XLSX_TITLE);
	snprintf(line, sizeof line, "%s（%s）", d->site_name ? d->site_name : "",
		 d->site_code ? d->site_code : "");
	doc_xlsx_str(x, r, 0, "施設", DOC_XLSX_BOLD);
	doc_xlsx_str(x, r++, 1, line, DOC_XLSX_PLAIN);
	snprintf(line, sizeof line, "%s　%s", d->date_wareki ? d->date_wareki : "",
		 d->date_iso ? d->date_iso : "");
	doc_xlsx_str(x, r, 0, "日付", DOC_XLSX_BOLD);
	doc_xlsx_str(x, r++, 1, line, DOC_XLSX_PLAIN);
	doc_xlsx_str(x, r, 0, "印刷", DOC_XLSX_BOLD);
	doc_xlsx_str(x, r++, 1, d->printed, DOC_XLSX_PLAIN);
	r++;
	for (unsigned c = 0; c < sizeof head / sizeof head[0]; c++)
		doc_xlsx_str(x, r, c, head[c], DOC_XLSX_BOLD);
	r++;
	for (size_t i = 0; i < d->n; i++, r++) {
		const struct doc_daily_row *row = &d->rows[i];
		doc_xlsx_num(x, r, 0, (double)(i + 1), DOC_XLSX_PLAIN);
		doc_xlsx_num(x, r, 1, row->grade, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 2, row->child_no, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 3, row->name, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 4, row->kana, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 5, row->in_at, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 6, row->out_at, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 7, row->status, DOC_XLSX_PLAIN);
		doc_xlsx_str(x, r, 8, row->note, DOC_XLSX_PLAIN);
	}
	if (d->n == 0)
		doc_xlsx_str(x, r++, 0, "該当する児童はいません", DOC_XLSX_PLAIN);
	if (d->summary)
		doc_xlsx_str(x, r + 1, 0, d->summary, DOC_XLSX_PLAIN);
	return doc_xlsx_finish(x, out);
}
