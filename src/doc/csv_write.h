/* SPDX-License-Identifier: MIT */
/* csv_write.h — RFC 4180 CSV writer for exports: CRLF lines, UTF-8 with a BOM (Excel opens it
 * as UTF-8) or CP932 with every row that lost characters counted and named. */
#ifndef MIMAMORI_DOC_CSV_WRITE_H
#define MIMAMORI_DOC_CSV_WRITE_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

enum doc_csv_enc {
	DOC_CSV_UTF8_BOM, /* UTF-8, starts with EF BB BF */
	DOC_CSV_CP932,	  /* Windows-31J; characters outside it become 〓 (0x81AC) */
};

/* Replacement written for a character CP932 cannot hold. */
#define DOC_CSV_CP932_SUBST "\x81\xac" /* 〓 */

struct doc_csv_out {
	enum doc_csv_enc enc;
	struct buf out;	   /* the encoded file so far */
	size_t rows;	   /* records written, the header included */
	size_t lossy_rows; /* records in which a character was replaced */
	void *cd;	   /* iconv handle for CP932, or NULL */
};

/* Starts a file in w (BOM written for UTF-8) whose size may not pass max bytes. Returns ERR_OK
 * or ERR_IO when the system has no CP932 converter. Free with doc_csv_out_free. */
enum err doc_csv_out_init(struct doc_csv_out *w, enum doc_csv_enc enc, size_t max);

/* Appends one record of n UTF-8 fields (NULL is written as an empty field), quoting a field
 * when it holds a comma, quote, CR or LF, and ending the line with CRLF. A field a spreadsheet
 * would run as a formula (beginning with =, +, -, @, tab or CR, or full-width ＝＋－＠; plain
 * numbers such as -3 excepted) is written after an apostrophe: '=HYPERLINK(…) is text. *lossy (may be NULL)
 * is set to 1 when CP932 could not hold a character of this record (it is replaced by 〓),
 * else 0. Returns ERR_OK, ERR_INVALID for a field that is not valid UTF-8, or ERR_TOOLARGE
 * past the cap (w is then unchanged). */
enum err doc_csv_out_row(struct doc_csv_out *w, const char *const *fields, size_t n, int *lossy);

/* Frees w's buffer and converter; the struct itself stays the caller's. */
void doc_csv_out_free(struct doc_csv_out *w);

#endif
