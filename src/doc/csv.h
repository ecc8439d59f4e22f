/* SPDX-License-Identifier: MIT */
/* csv.h — RFC 4180 CSV reader for roster imports (UTF-8 with/without BOM, or CP932). */
#ifndef MIMAMORI_DOC_CSV_H
#define MIMAMORI_DOC_CSV_H
#include <stddef.h>

#include "base/err.h"

#define DOC_CSV_MAX_FILE (64u * 1024u * 1024u) /* whole input, bytes */
#define DOC_CSV_MAX_FIELD (64u * 1024u)	       /* one field after decoding, bytes */
#define DOC_CSV_MAX_FIELDS_PER_ROW 1024u
#define DOC_CSV_MAX_CELLS (4u * 1024u * 1024u) /* fields in the whole file */

struct doc_csv_row {
	size_t line;	/* 1-based physical line number where the row starts */
	size_t nfields; /* always >= 1 */
	char **fields;	/* nfields NUL-terminated UTF-8 strings; owned by the doc_csv */
};

struct doc_csv {
	size_t nrows;
	struct doc_csv_row *rows;
	const char *encoding; /* static string: "UTF-8 (BOM)", "UTF-8" or "CP932" */
};

/*
 * Parses a whole CSV file held in memory (data, len; need not be NUL-terminated).
 * The encoding is detected: a UTF-8 BOM is stripped; otherwise valid UTF-8 is taken as
 * is (byte-exact); otherwise the bytes are converted from CP932. Quoted fields, ""
 * escapes, commas and line breaks inside quotes, CRLF or LF line ends and a missing final
 * line end are accepted. Lines that are completely empty are skipped.
 * Returns ERR_OK and sets *out to a new document the caller frees with doc_csv_free();
 * ERR_INVALID (bad encoding, NUL byte, malformed quoting) or ERR_TOOLARGE (file over
 * DOC_CSV_MAX_FILE, field over DOC_CSV_MAX_FIELD, too many fields) with *out NULL and a
 * message naming the problem and line written to errmsg (if errlen > 0).
 * Fields are never freed individually: the document owns them.
 */
enum err doc_csv_parse(const char *data, size_t len, struct doc_csv **out, char *errmsg,
		       size_t errlen);

/* Frees a document from doc_csv_parse() and everything in it; NULL is a no-op. */
void doc_csv_free(struct doc_csv *csv);

#endif
