/* SPDX-License-Identifier: MIT */
/* zengin.h — the 全銀協 総合振込 transfer file (種別コード 21) that pays benefits into bank
 * accounts, and the reader of the files banks send back (振込不能 and results).
 *
 * Fixed-length records of 120 bytes in single-byte Shift_JIS (JIS X 0201: ASCII and half-width
 * katakana), each followed by CRLF. Numeric fields (N) are right-aligned and zero-filled, text
 * fields (C) left-aligned and space-filled. Offsets below are 0-based bytes of the record:
 *
 *   header (1): 0 データ区分 "1" | 1 種別コード "21" | 3 コード区分 "0" (JIS) |
 *     4 振込依頼人コード N10 | 14 振込依頼人名 C40 | 54 振込指定日 MMDD | 58 仕向銀行番号 N4 |
 *     62 仕向銀行名 C15 | 77 仕向支店番号 N3 | 80 仕向支店名 C15 | 95 預金種目 N1 |
 *     96 口座番号 N7 | 103 ダミー 17 spaces
 *   data (2): 0 "2" | 1 被仕向銀行番号 N4 | 5 被仕向銀行名 C15 | 20 被仕向支店番号 N3 |
 *     23 被仕向支店名 C15 | 38 手形交換所番号 N4 (unused: spaces) | 42 預金種目 N1 |
 *     43 口座番号 N7 | 50 受取人名 C30 | 80 振込金額 N10 | 90 新規コード "0" |
 *     91 顧客コード1 N10 | 101 顧客コード2 N10 | 111 振込指定区分 " " (7 電信, 8 文書) |
 *     112 識別表示 " " ("Y": the customer codes carry EDI information) | 113 ダミー 7 spaces
 *   trailer (8): 0 "8" | 1 合計件数 N6 | 7 合計金額 N12 | 19 ダミー 101 spaces
 *   end (9): 0 "9" | 1 ダミー 119 spaces
 *
 * Sources checked: 全銀協制定ファイルフォーマット【総合振込】as published by banks for their
 * customers (expydoc.com/doc/11700435: field widths, N right-aligned/0, C left-aligned/space,
 * 120 bytes + optional CRLF); the byte positions in the FB データ仕様 of Gulliver
 * (gulliver-webhelp.askids-cloud.jp/help/gyoumu/99sonota/case_sonota02: 振込金額 at column 81,
 * 新規コード 91, 顧客番号 92); Oracle E-Business Suite's Japanese EFT format
 * (docs.oracle.com/cd/A60725_05/html/comnls/us/ja/jpn00020.htm: 手形交換所番号 as spaces,
 * dummy 17); 宮崎銀行's upload rules (miyagin.co.jp/kfkdown-zengin-help: records with CRLF or
 * with no line break, CR or LF alone refused). Sources differ on the unused 手形交換所番号
 * (spaces or "0000"); spaces are written and either is read. */
#ifndef MIMAMORI_GRANT_ZENGIN_H
#define MIMAMORI_GRANT_ZENGIN_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define GRANT_ZENGIN_RECORD 120		      /* bytes of a record, without its CRLF */
#define GRANT_ZENGIN_YEN_MAX 9999999999LL     /* 振込金額 N10 */
#define GRANT_ZENGIN_ITEMS_MAX 999999u	      /* 合計件数 N6 */
#define GRANT_ZENGIN_TOTAL_MAX 999999999999LL /* 合計金額 N12 */
#define GRANT_ZENGIN_WHY_MAX 256	      /* room for any message written to why */

/* 預金種目. */
enum grant_account_type {
	GRANT_ACCOUNT_ORDINARY = 1, /* 普通 */
	GRANT_ACCOUNT_CURRENT = 2,  /* 当座 */
	GRANT_ACCOUNT_SAVINGS = 4,  /* 貯蓄 (payee accounts only) */
	GRANT_ACCOUNT_OTHER = 9,    /* その他 */
};

/* The ward's own account the money is paid from (the header record). Strings are the caller's. */
struct grant_zengin_originator {
	const char *client_code; /* 振込依頼人コード: 1-10 digits, given by the ward's bank */
	const char *name_kana; /* 振込依頼人名: as grant_kana_to_zengin takes it; cut at 40 */
	const char *bank_code; /* 仕向銀行番号: 4 digits */
	const char *bank_kana; /* 仕向銀行名, or NULL to take it from the code list */
	const char *branch_code; /* 仕向支店番号: 3 digits */
	const char *branch_kana; /* 仕向支店名, or NULL to take it from the code list */
	int account_type;	 /* 1 普通, 2 当座 or 9 その他 */
	const char *account_no;	 /* 1-7 digits */
};

/* One payment (a data record). Strings are the caller's. */
struct grant_zengin_item {
	const char *bank_code;	    /* 4 digits, in the code list with branch_code */
	const char *branch_code;    /* 3 digits */
	int account_type;	    /* 1 普通, 2 当座, 4 貯蓄 or 9 その他 */
	const char *account_no;	    /* 1-7 digits */
	const char *holder_kana;    /* 受取人名: as grant_kana_to_zengin takes it; cut at 30 */
	long long yen;		    /* 1 .. GRANT_ZENGIN_YEN_MAX */
	const char *customer_code1; /* NULL or "" (spaces), or 1-10 digits */
	const char *customer_code2; /* likewise */
};

/* One data record read back. Text is UTF-8 (half-width katakana and ASCII) with the trailing
 * spaces of its field removed. */
struct grant_zengin_record {
	size_t record;	      /* 1-based number of the record in the file */
	char bank_code[5];    /* 被仕向銀行番号 */
	char bank_kana[46];   /* 被仕向銀行名 */
	char branch_code[4];  /* 被仕向支店番号 */
	char branch_kana[46]; /* 被仕向支店名 */
	int account_type;     /* 預金種目 0-9 */
	char account_no[8];   /* 口座番号, 7 digits as in the file */
	char holder_kana[91]; /* 受取人名 */
	long long yen;	      /* 振込金額 */
	char new_code;	      /* 新規コード: '0', '1' or '2' as in the file */
	char customer_code1[31]; /* 顧客コード1 as in the file ("0000000123"; EDI text when edi) */
	char customer_code2[31]; /* 顧客コード2 */
	char transfer_kind;	 /* 振込指定区分: ' ', '7' 電信, '8' 文書 */
	char edi;		 /* 識別表示: ' ' or 'Y' */
	char tail[22]; /* ダミー: some banks put a reason for a returned transfer here */
};

/* Appends to out the 総合振込 file paying items[0..n) (1 ≤ n ≤ GRANT_ZENGIN_ITEMS_MAX) from o's
 * account on month/day (振込指定日; the year is not in the file): header, data records, trailer
 * and end record, each 120 bytes + CRLF. Bank and branch names (kana) come from the code list
 * (bank_codes.h); names are converted by grant_kana_to_zengin and cut to their field (banks cut
 * them the same way). Nothing is appended on failure. Returns ERR_OK; ERR_INVALID for anything
 * that does not fit — a code that is not digits or not in the code list, an amount ≤ 0 or over
 * GRANT_ZENGIN_YEN_MAX, a total over GRANT_ZENGIN_TOTAL_MAX, a name with kanji, a bad date —
 * with a Japanese sentence naming the item and the field written to why (whylen bytes,
 * GRANT_ZENGIN_WHY_MAX is enough; why may be NULL), e.g. "3件目の振込金額: …"; ERR_TOOLARGE when
 * out's cap is reached. */
enum err grant_zengin_write(struct buf *out, const struct grant_zengin_originator *o, int month,
			    int day, const struct grant_zengin_item *items, size_t n, char *why,
			    size_t whylen);

/* Reads a 総合振込 file (one a bank sends back: 振込不能 or results) of len bytes at data:
 * 120-byte records, all followed by CRLF or LF or none at all (a final line break and an
 * MS-DOS end-of-file byte 0x1A are allowed), header → data records → trailer, possibly
 * repeated, then the end record. Sets *out to the data records (malloc'd; free with
 * grant_zengin_records_free; NULL when there are none) and *n to their number. Returns ERR_OK;
 * ERR_INVALID for a file that is not one — a record not of 120 bytes, a first record that is
 * not a header, 種別コード not 21, a trailer whose count or sum does not match its data records,
 * a byte that is not single-byte Shift_JIS, a numeric field with other than digits, no trailer
 * or end record — with a Japanese sentence naming the record written to why (as for
 * grant_zengin_write); ERR_TOOLARGE for a file over 128 MiB. *out is NULL and *n 0 on
 * failure. */
enum err grant_zengin_read(const char *data, size_t len, struct grant_zengin_record **out,
			   size_t *n, char *why, size_t whylen);

/* Frees what grant_zengin_read returned; NULL is a no-op. */
void grant_zengin_records_free(struct grant_zengin_record *records);

#endif
