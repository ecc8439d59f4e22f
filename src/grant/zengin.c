/* SPDX-License-Identifier: MIT */
/* zengin.c — writing 全銀 総合振込 files and reading the ones banks send back. */
#include "grant/zengin.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "grant/bank_codes.h"
#include "grant/kana.h"

#define REC GRANT_ZENGIN_RECORD
#define LINE (REC + 2)			    /* a record and its CRLF */
#define NAME_IN_MAX 1000		    /* bytes of a name as given */
#define READ_MAX_BYTES (128u * 1024 * 1024) /* 999,999 records fit in 122 MB */

static void set_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static int digits_only(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* 1 when s is 1..max digits. */
static int digits_upto(const char *s, size_t max)
{
	size_t len = s ? strlen(s) : 0;
	return len >= 1 && len <= max && digits_only(s, len);
}

/* ---- writing ---- */

/* Writes the digits s right-aligned and zero-filled in rec[off..off+width); s is checked. */
static void put_digits(char *rec, size_t off, size_t width, const char *s)
{
	size_t len = strlen(s);
	assert(len <= width);
	memset(rec + off, '0', width - len);
	memcpy(rec + off + width - len, s, len);
}

static void put_number(char *rec, size_t off, size_t width, unsigned long long v)
{
	char tmp[24];
	int k = snprintf(tmp, sizeof tmp, "%0*llu", (int)width, v);
	assert(k == (int)width);
	(void)k;
	memcpy(rec + off, tmp, width);
}

/* Writes kana (a name as grant_kana_to_zengin takes it) in the 全銀 set, left-aligned and cut
 * to width bytes, at rec[off]. Returns NULL, or why it cannot. */
static const char *put_kana(char *rec, size_t off, size_t width, const char *kana)
{
	char hw[2 * NAME_IN_MAX + 1], sj[2 * NAME_IN_MAX + 1];
	const char *why = NULL;
	size_t len;
	if (!kana || !kana[0])
		return "入力されていません";
	if (strlen(kana) > NAME_IN_MAX)
		return "長すぎます";
	if (grant_kana_to_zengin(kana, hw, sizeof hw, &why) != ERR_OK)
		return why;
	if (grant_zengin_sjis(hw, sj, sizeof sj) != ERR_OK)
		return "全銀の文字に変換できません"; /* not reached: hw is in the 全銀 set */
	len = strlen(sj);
	memcpy(rec + off, sj, len < width ? len : width);
	return NULL;
}

static int days_in_month(int month)
{
	static const int DAYS[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return DAYS[month - 1];
}

static enum err write_header(char *rec, const struct grant_zengin_originator *o, int month, int day,
			     char *why, size_t whylen)
{
	const char *bank_kana = o->bank_kana, *branch_kana = o->branch_kana, *bad;
	memset(rec, ' ', REC);
	memcpy(rec, "1210", 4);
	if (!digits_upto(o->client_code, 10)) {
		set_why(why, whylen, "振込依頼人コードが 1～10 桁の数字ではありません");
		return ERR_INVALID;
	}
	put_digits(rec, 4, 10, o->client_code);
	bad = put_kana(rec, 14, 40, o->name_kana);
	if (bad) {
		set_why(why, whylen, "振込依頼人名: %s", bad);
		return ERR_INVALID;
	}
	if (month < 1 || month > 12 || day < 1 || day > days_in_month(month)) {
		set_why(why, whylen, "振込指定日（%d月%d日）が正しい日付ではありません", month,
			day);
		return ERR_INVALID;
	}
	put_number(rec, 54, 2, (unsigned)month);
	put_number(rec, 56, 2, (unsigned)day);
	if (!digits_upto(o->bank_code, 4) || strlen(o->bank_code) != 4 ||
	    !digits_upto(o->branch_code, 3) || strlen(o->branch_code) != 3) {
		set_why(why, whylen,
			"仕向銀行番号（4 桁）か仕向支店番号（3 桁）が数字ではありません");
		return ERR_INVALID;
	}
	if ((!bank_kana || !branch_kana) &&
	    !grant_bank_lookup(o->bank_code, o->branch_code, NULL, bank_kana ? NULL : &bank_kana,
			       NULL, branch_kana ? NULL : &branch_kana)) {
		set_why(why, whylen,
			"仕向銀行 %s・支店 %s が銀行コード一覧にありません（銀行名と支店名のカナを"
			"設定してください）",
			o->bank_code, o->branch_code);
		return ERR_INVALID;
	}
	memcpy(rec + 58, o->bank_code, 4);
	bad = put_kana(rec, 62, 15, bank_kana);
	if (bad) {
		set_why(why, whylen, "仕向銀行名: %s", bad);
		return ERR_INVALID;
	}
	memcpy(rec + 77, o->branch_code, 3);
	bad = put_kana(rec, 80, 15, branch_kana);
	if (bad) {
		set_why(why, whylen, "仕向支店名: %s", bad);
		return ERR_INVALID;
	}
	if (o->account_type != 1 && o->account_type != 2 && o->account_type != 9) {
		set_why(why, whylen,
			"振込依頼人の預金種目が 1（普通）・2（当座）・9（その他）の"
			"どれでもありません");
		return ERR_INVALID;
	}
	rec[95] = (char)('0' + o->account_type);
	if (!digits_upto(o->account_no, 7)) {
		set_why(why, whylen, "振込依頼人の口座番号が 1～7 桁の数字ではありません");
		return ERR_INVALID;
	}
	put_digits(rec, 96, 7, o->account_no);
	return ERR_OK;
}

static enum err write_data(char *rec, size_t i, const struct grant_zengin_item *it, char *why,
			   size_t whylen)
{
	const char *bank_kana, *branch_kana, *bad;
	const char *codes[2] = {it->customer_code1, it->customer_code2};
	memset(rec, ' ', REC);
	rec[0] = '2';
	if (!digits_upto(it->bank_code, 4) || strlen(it->bank_code) != 4) {
		set_why(why, whylen, "%zu件目の銀行番号: 4 桁の数字ではありません", i + 1);
		return ERR_INVALID;
	}
	if (!digits_upto(it->branch_code, 3) || strlen(it->branch_code) != 3) {
		set_why(why, whylen, "%zu件目の支店番号: 3 桁の数字ではありません", i + 1);
		return ERR_INVALID;
	}
	if (!grant_bank_lookup(it->bank_code, it->branch_code, NULL, &bank_kana, NULL,
			       &branch_kana)) {
		set_why(why, whylen,
			"%zu件目の銀行・支店: 銀行番号 %s・支店番号 %s が銀行コード一覧にありません"
			"（番号の誤りか、一覧が古くなっています）",
			i + 1, it->bank_code, it->branch_code);
		return ERR_INVALID;
	}
	memcpy(rec + 1, it->bank_code, 4);
	bad = put_kana(rec, 5, 15, bank_kana);
	assert(!bad); /* the code list holds 全銀 kana */
	memcpy(rec + 20, it->branch_code, 3);
	bad = put_kana(rec, 23, 15, branch_kana);
	assert(!bad);
	if (it->account_type != 1 && it->account_type != 2 && it->account_type != 4 &&
	    it->account_type != 9) {
		set_why(why, whylen,
			"%zu件目の預金種目: 1（普通）・2（当座）・4（貯蓄）・9（その他）のどれでも"
			"ありません",
			i + 1);
		return ERR_INVALID;
	}
	rec[42] = (char)('0' + it->account_type);
	if (!digits_upto(it->account_no, 7)) {
		set_why(why, whylen, "%zu件目の口座番号: 1～7 桁の数字ではありません", i + 1);
		return ERR_INVALID;
	}
	put_digits(rec, 43, 7, it->account_no);
	bad = put_kana(rec, 50, 30, it->holder_kana);
	if (bad) {
		set_why(why, whylen, "%zu件目の受取人名: %s", i + 1, bad);
		return ERR_INVALID;
	}
	if (it->yen < 1 || it->yen > GRANT_ZENGIN_YEN_MAX) {
		set_why(why, whylen,
			"%zu件目の振込金額: 1 円から 9,999,999,999 円までにしてください（%lld 円）",
			i + 1, it->yen);
		return ERR_INVALID;
	}
	put_number(rec, 80, 10, (unsigned long long)it->yen);
	rec[90] = '0';
	for (int k = 0; k < 2; k++) {
		if (!codes[k] || !codes[k][0])
			continue;
		if (!digits_upto(codes[k], 10)) {
			set_why(why, whylen, "%zu件目の顧客コード%d: 10 桁までの数字ではありません",
				i + 1, k + 1);
			return ERR_INVALID;
		}
		put_digits(rec, 91 + 10 * (size_t)k, 10, codes[k]);
	}
	return ERR_OK;
}

enum err grant_zengin_write(struct buf *out, const struct grant_zengin_originator *o, int month,
			    int day, const struct grant_zengin_item *items, size_t n, char *why,
			    size_t whylen)
{
	char *file = NULL;
	long long total = 0;
	size_t at = 0;
	enum err e = ERR_INVALID;
	if (n == 0 || n > GRANT_ZENGIN_ITEMS_MAX) {
		set_why(why, whylen, "振込データは 1 件から 999,999 件までです（%zu 件）", n);
		goto out;
	}
	file = xmalloc((n + 3) * LINE);
	e = write_header(file, o, month, day, why, whylen);
	if (e != ERR_OK)
		goto out;
	memcpy(file + REC, "\r\n", 2);
	at = LINE;
	for (size_t i = 0; i < n; i++) {
		e = write_data(file + at, i, &items[i], why, whylen);
		if (e != ERR_OK)
			goto out;
		memcpy(file + at + REC, "\r\n", 2);
		at += LINE;
		total += items[i].yen;
		if (total > GRANT_ZENGIN_TOTAL_MAX) {
			set_why(why, whylen,
				"合計金額が 999,999,999,999 円を超えます（%zu件目まで）", i + 1);
			e = ERR_INVALID;
			goto out;
		}
	}
	memset(file + at, ' ', REC);
	file[at] = '8';
	put_number(file + at, 1, 6, n);
	put_number(file + at, 7, 12, (unsigned long long)total);
	memcpy(file + at + REC, "\r\n", 2);
	at += LINE;
	memset(file + at, ' ', REC);
	file[at] = '9';
	memcpy(file + at + REC, "\r\n", 2);
	at += LINE;
	assert(at == (n + 3) * LINE);
	e = buf_append(out, file, at);
	if (e != ERR_OK)
		set_why(why, whylen, "振込ファイルが大きすぎます");
out:
	free(file);
	return e;
}

/* ---- reading ---- */

/* Converts the width bytes at rec[off] to UTF-8 in out (cap bytes, ≥ 3 * width + 1) without
 * the trailing spaces. The record's bytes are checked single-byte Shift_JIS beforehand. */
static void get_text(const char *rec, size_t off, size_t width, char *out, size_t cap)
{
	size_t len = width;
	enum err e;
	while (len > 0 && rec[off + len - 1] == ' ')
		len--;
	e = grant_zengin_from_sjis(rec + off, len, out, cap);
	assert(e == ERR_OK);
	(void)e;
}

static long long get_number(const char *rec, size_t off, size_t width)
{
	long long v = 0;
	for (size_t i = 0; i < width; i++)
		v = v * 10 + (rec[off + i] - '0');
	return v;
}

/* 1 when the width bytes at rec[off] are digits, or spaces only. */
static int digits_or_blank(const char *rec, size_t off, size_t width)
{
	size_t spaces = 0;
	for (size_t i = 0; i < width; i++)
		spaces += rec[off + i] == ' ';
	return spaces == width || digits_only(rec + off, width);
}

static enum err read_data(const char *rec, size_t recno, struct grant_zengin_record *r, char *why,
			  size_t whylen)
{
	static const struct {
		size_t off, width;
		const char *name;
	} NUMS[] = {
	    {1, 4, "被仕向銀行番号"}, {20, 3, "被仕向支店番号"}, {42, 1, "預金種目"},
	    {43, 7, "口座番号"},      {80, 10, "振込金額"},
	};
	memset(r, 0, sizeof *r);
	for (size_t k = 0; k < sizeof NUMS / sizeof NUMS[0]; k++) {
		if (!digits_only(rec + NUMS[k].off, NUMS[k].width)) {
			set_why(why, whylen, "%zu件目（データレコード）の%sが数字ではありません",
				recno, NUMS[k].name);
			return ERR_INVALID;
		}
	}
	if (!digits_or_blank(rec, 38, 4)) {
		set_why(why, whylen,
			"%zu件目（データレコード）の手形交換所番号が数字ではありません", recno);
		return ERR_INVALID;
	}
	r->record = recno;
	memcpy(r->bank_code, rec + 1, 4);
	get_text(rec, 5, 15, r->bank_kana, sizeof r->bank_kana);
	memcpy(r->branch_code, rec + 20, 3);
	get_text(rec, 23, 15, r->branch_kana, sizeof r->branch_kana);
	r->account_type = rec[42] - '0';
	memcpy(r->account_no, rec + 43, 7);
	get_text(rec, 50, 30, r->holder_kana, sizeof r->holder_kana);
	r->yen = get_number(rec, 80, 10);
	r->new_code = rec[90];
	get_text(rec, 91, 10, r->customer_code1, sizeof r->customer_code1);
	get_text(rec, 101, 10, r->customer_code2, sizeof r->customer_code2);
	r->transfer_kind = rec[111];
	r->edi = rec[112];
	get_text(rec, 113, 7, r->tail, sizeof r->tail);
	return ERR_OK;
}

enum state { EXPECT_HEADER, IN_DATA, AFTER_TRAILER, AFTER_END };

/* 1 when the len bytes at p are only line breaks and MS-DOS end-of-file bytes (0x1A). */
static int tail_only(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != 0x1A)
			return 0;
	return 1;
}

enum err grant_zengin_read(const char *data, size_t len, struct grant_zengin_record **out,
			   size_t *n, char *why, size_t whylen)
{
	struct grant_zengin_record *recs = NULL;
	size_t count = 0, cap = 0, pos = 0, recno = 0, group_count = 0;
	long long group_sum = 0;
	enum state st = EXPECT_HEADER;
	int lines = -1; /* records followed by line breaks: -1 not known yet, 0 no, 1 yes */
	enum err e = ERR_INVALID;
	*out = NULL;
	*n = 0;
	if (len > READ_MAX_BYTES) {
		set_why(why, whylen, "ファイルが大きすぎます（128 MiB まで）");
		e = ERR_TOOLARGE;
		goto out;
	}
	while (pos < len) {
		const char *rec = data + pos;
		size_t avail = len - pos, k;
		if (tail_only(rec, avail))
			break;
		if (st == AFTER_END) {
			set_why(why, whylen, "エンドレコード（%zu件目）のあとにもデータがあります",
				recno);
			goto out;
		}
		recno++;
		if (recno == 1 && rec[0] != '1') {
			set_why(why, whylen,
				"1件目がヘッダーレコード（データ区分 1）ではありません");
			goto out;
		}
		for (k = 0; k < avail && k < REC; k++)
			if (rec[k] == '\r' || rec[k] == '\n')
				break;
		if (k < REC) {
			set_why(why, whylen,
				"%zu件目のレコードが %zu バイトです（120 バイトのはず）", recno, k);
			goto out;
		}
		pos += REC;
		if (pos < len && (data[pos] == '\r' || data[pos] == '\n')) {
			if (data[pos] == '\r' && (pos + 1 >= len || data[pos + 1] != '\n')) {
				set_why(why, whylen,
					"%zu件目のあとの改行が CR だけです（CRLF か LF のはず）",
					recno);
				goto out;
			}
			pos += data[pos] == '\r' ? 2 : 1;
			if (lines == 0) {
				set_why(why, whylen,
					"改行のないファイルで "
					"%zu件目のあとに改行があります（どこかのレコード"
					"が 120 バイトではありません）",
					recno);
				goto out;
			}
			lines = 1;
		} else if (pos < len && !tail_only(data + pos, len - pos)) {
			if (lines == 1) {
				size_t more = 0;
				while (pos + more < len && data[pos + more] != '\r' &&
				       data[pos + more] != '\n')
					more++;
				set_why(why, whylen,
					"%zu件目のレコードが %zu バイトです（120 バイトのはず）",
					recno, REC + more);
				goto out;
			}
			lines = 0;
		}
		for (k = 0; k < REC; k++) {
			unsigned char b = (unsigned char)rec[k];
			if (!((b >= 0x20 && b <= 0x7E) || (b >= 0xA1 && b <= 0xDF))) {
				set_why(why, whylen,
					"%zu件目に半角カナ・英数字以外のバイト（0x%02X、%zu "
					"バイト目）が"
					"あります",
					recno, b, k + 1);
				goto out;
			}
		}
		switch (rec[0]) {
		case '1':
			if (st != EXPECT_HEADER && st != AFTER_TRAILER) {
				set_why(why, whylen,
					"%zu件目のヘッダーレコードの前に、前のデータのトレーラレコ"
					"ードが"
					"ありません",
					recno);
				goto out;
			}
			if (memcmp(rec + 1, "21", 2) != 0) {
				set_why(
				    why, whylen,
				    "%zu件目のヘッダーの種別コードが 21（総合振込）ではありません"
				    "（%.2s）",
				    recno, rec + 1);
				goto out;
			}
			if (rec[3] != '0') {
				set_why(why, whylen,
					"%zu件目のヘッダーのコード区分が 0（JIS）ではありません",
					recno);
				goto out;
			}
			st = IN_DATA;
			group_count = 0;
			group_sum = 0;
			break;
		case '2':
			if (st != IN_DATA) {
				set_why(why, whylen,
					"%zu件目のデータレコードがヘッダーの中にありません", recno);
				goto out;
			}
			if (count == cap) {
				cap = cap ? cap * 2 : 64;
				recs = xrealloc(recs, cap * sizeof *recs);
			}
			e = read_data(rec, recno, &recs[count], why, whylen);
			if (e != ERR_OK)
				goto out;
			e = ERR_INVALID;
			group_sum += recs[count].yen;
			group_count++;
			count++;
			break;
		case '8':
			if (st != IN_DATA) {
				set_why(why, whylen,
					"%zu件目のトレーラレコードの前にヘッダーがありません",
					recno);
				goto out;
			}
			if (!digits_only(rec + 1, 18)) {
				set_why(
				    why, whylen,
				    "%zu件目（トレーラ）の合計件数か合計金額が数字ではありません",
				    recno);
				goto out;
			}
			if (get_number(rec, 1, 6) != (long long)group_count) {
				set_why(why, whylen,
					"%zu件目（トレーラ）の合計件数 %lld 件がデータレコードの "
					"%zu 件と"
					"合いません",
					recno, get_number(rec, 1, 6), group_count);
				goto out;
			}
			if (get_number(rec, 7, 12) != group_sum) {
				set_why(why, whylen,
					"%zu件目（トレーラ）の合計金額 %lld "
					"円がデータレコードの合計 %lld 円"
					"と合いません",
					recno, get_number(rec, 7, 12), group_sum);
				goto out;
			}
			st = AFTER_TRAILER;
			break;
		case '9':
			if (st != AFTER_TRAILER) {
				set_why(why, whylen,
					"%zu件目のエンドレコードの前にトレーラレコードが"
					"ありません",
					recno);
				goto out;
			}
			st = AFTER_END;
			break;
		default:
			set_why(why, whylen,
				"%zu件目のデータ区分が 1・2・8・9 のどれでもありません（0x%02X）",
				recno, (unsigned char)rec[0]);
			goto out;
		}
	}
	switch (st) {
	case EXPECT_HEADER:
		set_why(why, whylen, "ファイルが空です");
		goto out;
	case IN_DATA:
		set_why(why, whylen, "トレーラレコード（データ区分 8）がありません");
		goto out;
	case AFTER_TRAILER:
		set_why(why, whylen, "エンドレコード（データ区分 9）がありません");
		goto out;
	case AFTER_END:
		break;
	}
	*out = count ? recs : NULL;
	*n = count;
	if (count)
		recs = NULL;
	e = ERR_OK;
out:
	free(recs);
	return e;
}

void grant_zengin_records_free(struct grant_zengin_record *records)
{
	free(records);
}
