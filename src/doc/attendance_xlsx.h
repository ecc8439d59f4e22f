/* SPDX-License-Identifier: MIT */
/* attendance_xlsx.h — the daily attendance list of one site (出欠一覧) as a workbook. */
#ifndef MIMAMORI_DOC_ATTENDANCE_XLSX_H
#define MIMAMORI_DOC_ATTENDANCE_XLSX_H
#include "base/buf.h"
#include "base/err.h"
#include "doc/attendance_pdf.h"

/* Writes d as an .xlsx workbook of one sheet (named by the site's code) appended to out: the
 * title, site, date (和暦 and ISO), printing time, a heading row and one row per child (number
 * and grade as numbers), then the summary. Scratch files go under tmpdir and are removed.
 * Returns ERR_OK, ERR_INVALID for a refused cell, ERR_TOOLARGE past out's cap, or ERR_IO. */
enum err doc_daily_xlsx(const char *tmpdir, const struct doc_daily *d, struct buf *out);

#endif
