/* SPDX-License-Identifier: MIT */
/* attendance_pdf.h — the A4 daily attendance list of one site (出欠一覧) as a PDF. */
#ifndef MIMAMORI_DOC_ATTENDANCE_PDF_H
#define MIMAMORI_DOC_ATTENDANCE_PDF_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* One child's line. All strings UTF-8, owned by the caller; NULL or "" prints nothing. */
struct doc_daily_row {
	const char *child_no;
	const char *name;
	const char *kana;
	int grade;
	const char *in_at;  /* "HH:MM" */
	const char *out_at; /* "HH:MM" */
	const char *status; /* e.g. 在室, 退室, 未入室, 欠席 */
};

/* The list: a header on each page (title, site, date in 和暦 and ISO, printed time), the rows,
 * and "n / N" page numbers in the footer. Strings owned by the caller. */
struct doc_daily {
	const char *site_name;
	const char *site_code;
	const char *date_wareki; /* "令和8年11月23日(月)" */
	const char *date_iso;	 /* "2026-11-23" */
	const char *printed;	 /* "2026-11-23 18:05" */
	const char *summary;	 /* one line after the last row, e.g. counts; may be NULL */
	const struct doc_daily_row *rows;
	size_t n;
	const char *entry_word; /* heading of the entry column (入室, 登所 …); NULL: 入室 */
	const char *exit_word;	/* heading of the exit column (退室, 降所 …); NULL: 退室 */
};

#define DOC_DAILY_ROWS_PER_PAGE 36

/* Renders d as an A4 portrait PDF appended to out (nothing else retained). Text is set with
 * pango in IPAexGothic (Noto Sans CJK JP for characters it lacks, such as 𠮷), so names come
 * back exactly from text extraction. Returns ERR_OK, ERR_INVALID for a string that is not
 * UTF-8, ERR_TOOLARGE past out's cap, or ERR_IO when cairo fails. */
enum err doc_daily_pdf(const struct doc_daily *d, struct buf *out);

#endif
