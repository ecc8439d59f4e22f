/* SPDX-License-Identifier: MIT */
/* attendance_pdf.h — a site's A4 attendance lists as PDF: the daily list (出欠一覧) and the
 * plan list of coming days (出欠予定表). */
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
	const char *status; /* e.g. 在室, 退室, 来所予定, 欠席, 予定なし */
	const char *note;   /* the family's notice for the day, e.g. 欠席の連絡：発熱 */
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

/* One child on one day of the plan list. Strings UTF-8, owned by the caller; NULL or "" prints
 * nothing. */
struct doc_plan_row {
	const char *child_no;
	const char *name;
	int grade;
	const char *plan;     /* 来所 / 欠席 / お休み */
	const char *leave;    /* "17:00" */
	const char *way_home; /* 一人で帰宅 / お迎え：髙橋 花子（母） */
	const char *note;     /* the notice and the change: 欠席の連絡：発熱（12/4 20:13 髙橋 花子） */
};

/* One day of the plan list: its title line and its children. */
struct doc_plan_day {
	const char *title; /* "令和8年12月7日(月)　来所予定 12名・欠席 2名・お休み 1名" */
	const struct doc_plan_row *rows;
	size_t n;
};

/* The plan list of a site over some days. Strings owned by the caller. */
struct doc_plan {
	const char *site_name;
	const char *site_code;
	const char *period;  /* "令和8年12月7日(月)〜12月12日(土)　2026-12-07〜2026-12-12" */
	const char *printed; /* "2026-12-04 18:05" */
	const struct doc_plan_day *days;
	size_t ndays;
};

/* Renders d as A4 portrait pages appended to out: the head of each page (title 出欠予定表,
 * site, period, printed time), then each day's title line and its children (a day that runs
 * onto the next page repeats its title with （続き）), and "n / N" page numbers. Same fonts
 * and errors as doc_daily_pdf. */
enum err doc_plan_pdf(const struct doc_plan *d, struct buf *out);

#endif
