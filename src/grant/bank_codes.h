/* SPDX-License-Identifier: MIT */
/* bank_codes.h — the bank and branch code list (全銀協 金融機関コード・店舗コード) that transfer
 * files are checked against and take their bank and branch names from.
 *
 * The list shipped with the project (data/bank_codes.tsv, embedded into the program at build
 * time by scripts/embed_bank_codes.py) holds the major banks, a few hundred of their branches
 * (mostly in Tokyo), ゆうちょ銀行's branches, and the fictional テスト銀行 (9990) for the demo and
 * the tests. It is not complete: a ward replaces it with the full list (made, for example, from
 * the zengin-code/source-data JSON files) by grant_bank_codes_load() at start-up.
 *
 * The TSV, one line per bank or branch, UTF-8, '#' comment lines and blank lines ignored:
 *   bank_code<TAB>bank_name<TAB>bank_kana<TAB>branch_code<TAB>branch_name<TAB>branch_kana
 * bank_code 4 digits; branch_code 3 digits, or empty (with empty names) on a line that lists
 * the bank only; kana in the 全銀 set, half-width (ﾐｽﾞﾎ) or full-width (ミズホ, converted as
 * grant_kana_to_zengin does).
 *
 * Reads are thread-safe and lock-free. Every name handed out lives until the process ends:
 * a list that is replaced is kept, not freed. */
#ifndef MIMAMORI_GRANT_BANK_CODES_H
#define MIMAMORI_GRANT_BANK_CODES_H
#include <stddef.h>

#include "base/err.h"

/* One line of the list. Kana are UTF-8 half-width katakana (the 全銀 set). */
struct grant_bank_row {
	const char *bank_code;	 /* "0001" */
	const char *branch_code; /* "001", or "" on a line that lists the bank only */
	const char *bank_name;	 /* "みずほ銀行" */
	const char *bank_kana;	 /* "ﾐｽﾞﾎ" */
	const char *branch_name; /* "東京営業部", "" on a bank's own line */
	const char *branch_kana; /* "ﾄｳｷﾖｳ", "" on a bank's own line */
};

/* Looks up bank_code (4 digits) and branch_code (3 digits, or NULL for the bank alone). Sets
 * each out-parameter that is not NULL — the branch ones to NULL when branch_code is NULL — to a
 * string that lives until the process ends. Returns 1 when found, 0 when not (a malformed code
 * is not found; the out-parameters are then left alone). */
int grant_bank_lookup(const char *bank_code, const char *branch_code, const char **bank_name,
		      const char **bank_kana, const char **branch_name, const char **branch_kana);

/* Lists the branches of bank_code in code order: fills out[0..max) (rows that live until the
 * process ends; out may be NULL when max is 0) and returns how many branches the bank has in
 * all (0 for an unknown bank), so a caller can size its array with a first call. */
size_t grant_bank_branches(const char *bank_code, struct grant_bank_row *out, size_t max);

/* Returns the number of lines (banks and branches) in the list in use. */
size_t grant_bank_codes_count(void);

/* Replaces the list in use with the TSV file at path (format above; at most 32 MiB), for a
 * ward's full list. The whole file is checked first: on failure the list in use is unchanged.
 * Returns ERR_OK; ERR_IO when the file cannot be read; ERR_TOOLARGE when it is over the cap;
 * ERR_INVALID for a malformed line (a code not of 4/3 digits, a missing name, kana outside the
 * 全銀 set, a bank or branch listed twice, not UTF-8), with its 1-based number in *bad_line when
 * bad_line is not NULL (0 for the other errors). */
enum err grant_bank_codes_load(const char *path, size_t *bad_line);

#endif
