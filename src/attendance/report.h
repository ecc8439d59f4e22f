/* SPDX-License-Identifier: MIT */
/* report.h — exports of attendance data (帳票): the daily list of a site (PDF, CSV), the
 * ward's monthly usage (XLSX, CSV); each export is recorded in the handover ledger. */
#ifndef MIMAMORI_ATTENDANCE_REPORT_H
#define MIMAMORI_ATTENDANCE_REPORT_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct app;
struct site;

#define REPORT_MAX_BYTES (64u * 1024u * 1024u) /* cap of one exported file */
#define REPORT_LOSSY_LIST_MAX 50	       /* child numbers named in a CP932 loss report */

/* A built export, not yet handed over. Free with report_out_free. */
struct report_out {
	struct buf data;	  /* the file's bytes */
	const char *content_type; /* static MIME type */
	char filename[96];	  /* suggested file name (ASCII), e.g. daily-G01-2026-11-23.pdf */
	char content[128];	  /* what it is, for the ledger: "daily G01 2026-11-23 pdf" */
	char object[48];	  /* audit object: "site:G01" or "ward" */
	size_t records;		  /* children's rows in the file */
	size_t lossy;		  /* CP932 only: rows in which a character became 〓 */
	struct buf lossy_list;	  /* "line 3 (C001), line 7 (C014)" for those rows (first 50) */
};

/* Builds the daily attendance list of site for day ("YYYY-MM-DD"; NULL or "" for today in
 * Japan) as format "pdf", "xlsx" or "csv"; encoding "utf8" (default when NULL) or "cp932" applies to
 * CSV. Every active child of the site with first entry, last exit and status, by grade then
 * child number. Fills *out (caller frees with report_out_free, also after an error).
 * ERR_INVALID with *why (static text) for a bad date, format or encoding. Records nothing:
 * call report_record once the file is handed over. */
enum err report_daily(struct app *a, const struct site *site, const char *day, const char *format,
		      const char *encoding, struct report_out *out, const char **why);

/* Builds the ward's monthly usage for month ("YYYY-MM") as format "xlsx", "csv" or "pdf" (the
 * workbook's sheets as printed pages, 和暦 in the titles): per site its
 * children (child_no, name, kana, grade, days attended, hours) and the site's totals, plus a
 * ward summary. Same ownership and errors as report_daily. */
enum err report_monthly(struct app *a, const char *month, const char *format,
			struct report_out *out, const char **why);

/* Builds the plan list (出欠予定表) of site for ndays (1-14) days from "YYYY-MM-DD" (NULL or ""
 * for today) as format "pdf": per day (Sundays skipped) the children planned to come with
 * leave time and way home, absences and days off with the family's notice, each changed day
 * with who changed it and when. Same ownership and errors as report_daily. */
enum err report_plans(struct app *a, const struct site *site, const char *from, int ndays,
		      const char *format, struct report_out *out, const char **why);
struct plan_upcoming_row;
/* The family's notice and the day's change as staff read them ("欠席の連絡：発熱（12/4 20:13
 * 髙橋 花子）", "予定の変更（…）"), or NULL when there is none; malloc'd, free with
 * vault_wipe_free. */
char *report_plan_note(const struct plan_upcoming_row *r);
/* How the child goes home ("一人で帰宅", "お迎え：髙橋 花子（母）"), or NULL; malloc'd, free
 * with vault_wipe_free. */
char *report_plan_way_home(const struct plan_upcoming_row *r);

/* Frees what out holds (not out itself); safe on a zeroed or already freed out. */
void report_out_free(struct report_out *out);

/* Records the handover of out by actor ("cli", "user:7") in the platform's handover ledger
 * (ledger_record: one row — attendance's, content, records, lost rows, size, BLAKE2b digest —
 * and one audit entry "report.export", in one transaction). *ledger_id (may be NULL) is the
 * new row's id. */
enum err report_record(struct app *a, const char *actor, const struct report_out *out,
		       int64_t *ledger_id);

/* Writes out's bytes to a new file at path (through a temporary name: a reader never sees half
 * a file), then records the handover as report_record does; when it cannot be recorded the
 * file is removed (no export outside the ledger). ERR_IO when the file cannot be written,
 * another error when it was not recorded. Implemented with the export commands
 * (cli_report.c). */
enum err report_write_recorded(struct app *a, const char *actor, const char *path,
			       const struct report_out *out, int64_t *ledger_id);

#endif
