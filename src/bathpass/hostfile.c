/* SPDX-License-Identifier: MIT */
/* hostfile.c — the host system's extract of eligible people (CSV, UTF-8 or CP932): the header,
 * each row's fields checked and normalised (和暦 birth dates to ISO, postcodes to 7 digits),
 * bad rows kept with their line and a reason that never repeats the value. */
#include "bathpass/bathpass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/csv.h"
#include "vault/vault.h"

#define NCOLS 12 /* the host fields, then 異動事由 and 異動日 */
static const char *const header[NCOLS] = {"宛名番号", "氏名",	  "ふりがな", "生年月日",
					  "性別",     "郵便番号", "住所",     "方書",
					  "電話番号", "対象区分", "異動事由", "異動日"};

/* Writes s trimmed of ASCII and full-width spaces at both ends, in place. */
static void trim(char *s)
{
	size_t n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	size_t lead = 0;
	for (;;) {
		if (s[lead] == ' ' || s[lead] == '\t')
			lead++;
		else if (strncmp(s + lead, "\xE3\x80\x80", 3) == 0)
			lead += 3;
		else
			break;
	}
	if (lead)
		memmove(s, s + lead, n - lead + 1);
}

/* Keeps only the ASCII digits of s (dropping '-' and full-width hyphens); returns 0 when s
 * holds anything else. */
static int digits_only(char *s)
{
	size_t at = 0;
	for (const char *p = s; *p;) {
		if (*p >= '0' && *p <= '9') {
			s[at++] = *p++;
		} else if (*p == '-') {
			p++;
		} else if (strncmp(p, "\xE2\x88\x92", 3) == 0 ||
			   strncmp(p, "\xEF\xBC\x8D", 3) == 0 ||
			   strncmp(p, "\xE3\x83\xBC", 3) == 0) {
			p += 3; /* − － ー */
		} else {
			return 0;
		}
	}
	s[at] = '\0';
	return 1;
}

static char male[] = "男", female[] = "女";

/* Checks and normalises one row (the row's fields point into cells, or into the row for the
 * ISO birth date, or at the static 男/女); returns NULL or a static reason. */
static const char *check_row(struct bath_host_row *r, char **cells)
{
	static const char *const cats[] = {"高齢", "障害", "児童"};
	static const char *const moves[] = {"転出", "死亡", "資格喪失"};
	int y, m, d;
	char iso[24];
	for (int i = 0; i < BF_COUNT; i++)
		r->f[i] = cells[i];
	r->move = "";
	if (!*cells[BF_RESIDENT] || !digits_only(cells[BF_RESIDENT]) ||
	    strlen(cells[BF_RESIDENT]) > 15 || !*cells[BF_RESIDENT])
		return "宛名番号は15桁までの数字で書いてください。";
	if (!*cells[BF_NAME] || strlen(cells[BF_NAME]) > 200)
		return "氏名がないか、長すぎます。";
	if (!bath_is_kana(cells[BF_KANA]) || strlen(cells[BF_KANA]) > 200)
		return "ふりがなはひらがなかカタカナで書いてください。";
	if (wareki_parse_date(cells[BF_BIRTH], &y, &m, &d) != ERR_OK)
		return "生年月日が読めません（1950-04-01、S25.4.1、昭和25年4月1日の形で）。";
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	memcpy(r->birth, iso, sizeof r->birth);
	r->f[BF_BIRTH] = r->birth;
	if (strcmp(cells[BF_SEX], "男") == 0 || strcmp(cells[BF_SEX], "1") == 0)
		r->f[BF_SEX] = male;
	else if (strcmp(cells[BF_SEX], "女") == 0 || strcmp(cells[BF_SEX], "2") == 0)
		r->f[BF_SEX] = female;
	else
		return "性別は 男 か 女（または 1 か 2）で書いてください。";
	if (!digits_only(cells[BF_POSTCODE]) || strlen(cells[BF_POSTCODE]) != 7)
		return "郵便番号は7桁の数字で書いてください。";
	if (!*cells[BF_ADDRESS] || strlen(cells[BF_ADDRESS]) > 400)
		return "住所がないか、長すぎます。";
	if (strlen(cells[BF_KATAGAKI]) > 200)
		return "方書が長すぎます。";
	if (*cells[BF_PHONE] && (!digits_only(cells[BF_PHONE]) || strlen(cells[BF_PHONE]) < 9 ||
				 strlen(cells[BF_PHONE]) > 11))
		return "電話番号は9〜11桁の数字で書いてください（ハイフンは入れても構いません）。";
	size_t i;
	for (i = 0; i < 3 && strcmp(cells[BF_CATEGORY], cats[i]) != 0; i++)
		;
	if (i == 3)
		return "対象区分は 高齢・障害・児童 のどれかです。";
	if (*cells[10]) {
		for (i = 0; i < 3 && strcmp(cells[10], moves[i]) != 0; i++)
			;
		if (i == 3)
			return "異動事由は 空欄・転出・死亡・資格喪失 のどれかです。";
		r->move = moves[i];
		if (wareki_parse_date(cells[11], &y, &m, &d) != ERR_OK)
			return "異動事由のある行には異動日が要ります（1950-04-01 や R8.4.1 "
			       "の形で）。";
		snprintf(r->move_date, sizeof r->move_date, "%04d-%02d-%02d", y, m, d);
	} else if (*cells[11]) {
		return "異動日があるのに異動事由がありません。";
	}
	return NULL;
}

static int by_resident(const void *a, const void *b)
{
	const struct bath_host_row *x = *(const struct bath_host_row *const *)a;
	const struct bath_host_row *y = *(const struct bath_host_row *const *)b;
	int c = strcmp(x->f[BF_RESIDENT], y->f[BF_RESIDENT]);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Rejects every row of a 宛名番号 that appears more than once: which one is right cannot be
 * told, so none is taken. */
static void reject_duplicates(struct bath_host_file *h)
{
	struct bath_host_row **v = xmalloc((h->nrows ? h->nrows : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < h->nrows; i++)
		if (!h->rows[i].why)
			v[n++] = &h->rows[i];
	qsort(v, n, sizeof *v, by_resident);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1]->f[BF_RESIDENT], v[i]->f[BF_RESIDENT]) == 0) {
			v[i - 1]->why = "同じ宛名番号の行がファイルに複数あります。";
			v[i]->why = "同じ宛名番号の行がファイルに複数あります。";
		}
	free(v);
}

enum err bath_host_parse(const char *data, size_t len, const char *encoding,
			 struct bath_host_file **out, const char **why, char *detail, size_t dlen)
{
	struct doc_csv *csv = NULL;
	struct bath_host_file *h = NULL;
	*out = NULL;
	*why = NULL;
	if (dlen)
		detail[0] = '\0';
	enum err e = doc_csv_parse(data, len, &csv, detail, dlen);
	if (e != ERR_OK) {
		*why = "ファイルを読めません。";
		return e;
	}
	if (encoding) {
		int ascii = 1;
		for (size_t i = 0; i < len && ascii; i++)
			ascii = (unsigned char)data[i] < 0x80;
		int cp932 = strcmp(csv->encoding, "CP932") == 0;
		if (!ascii && (strcmp(encoding, "cp932") == 0) != cp932) {
			*why = cp932 ? "指定の文字コード（UTF-8）ではなく CP932 のファイルです。"
				     : "指定の文字コード（CP932）ではなく UTF-8 のファイルです。";
			e = ERR_INVALID;
			goto out;
		}
	}
	if (csv->nrows == 0 || csv->rows[0].nfields != NCOLS) {
		*why = "見出しの行が違います（宛名番号,氏名,ふりがな,生年月日,性別,郵便番号,住所,"
		       "方書,電話番号,対象区分,異動事由,異動日 の12列）。";
		e = ERR_INVALID;
		goto out;
	}
	for (int i = 0; i < NCOLS; i++) {
		char *f = csv->rows[0].fields[i];
		trim(f);
		if (strcmp(f, header[i]) != 0) {
			*why =
			    "見出しの行が違います（宛名番号,氏名,ふりがな,生年月日,性別,郵便番号,"
			    "住所,方書,電話番号,対象区分,異動事由,異動日 の12列）。";
			e = ERR_INVALID;
			goto out;
		}
	}
	h = xcalloc(1, sizeof *h);
	h->encoding = csv->encoding;
	h->nrows = csv->nrows - 1;
	h->rows = xcalloc(h->nrows ? h->nrows : 1, sizeof *h->rows);
	for (size_t i = 0; i < h->nrows; i++) {
		struct doc_csv_row *row = &csv->rows[i + 1];
		struct bath_host_row *r = &h->rows[i];
		r->line = row->line;
		if (row->nfields != NCOLS) {
			static char *empty[NCOLS] = {"", "", "", "", "", "",
						     "", "", "", "", "", ""};
			for (int k = 0; k < BF_COUNT; k++)
				r->f[k] = empty[k];
			r->move = "";
			r->why = "列の数が12ではありません。";
			continue;
		}
		for (int k = 0; k < NCOLS; k++)
			trim(row->fields[k]);
		r->why = check_row(r, row->fields);
	}
	reject_duplicates(h);
	h->csv = csv;
	csv = NULL;
	*out = h;
	h = NULL;
out:
	doc_csv_free(csv);
	free(h);
	return e;
}

void bath_host_free(struct bath_host_file *h)
{
	if (!h)
		return;
	struct doc_csv *csv = h->csv;
	for (size_t i = 0; csv && i < csv->nrows; i++)
		for (size_t k = 0; k < csv->rows[i].nfields; k++)
			vault_wipe(csv->rows[i].fields[k], strlen(csv->rows[i].fields[k]));
	doc_csv_free(csv);
	free(h->rows);
	free(h);
}
