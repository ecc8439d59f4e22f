/* SPDX-License-Identifier: MIT */
/* letter.c — the words of the bath pass's cover letter (送付状) for a 長3 window envelope: the
 * addressee from the ledger, the 整理番号, the pass's fiscal year and period in 和暦, the sender
 * and the office to ask from the settings. The platform's doc/window_letter_pdf lays it out. */
#include "bathpass/letter.h"

#include <stdio.h>
#include <string.h>

#include "base/wareki.h"
#include "doc/custbarcode.h"

/* Writes "令和9" (the era and its year) of 1 April of fiscal year fy into out. */
static void era_year(int fy, char *out, size_t n)
{
	char full[48];
	if (wareki_format(fy, 4, 1, full, sizeof full) != ERR_OK) {
		snprintf(out, n, "%d", fy);
		return;
	}
	char *nen = strstr(full, "年");
	if (nen)
		*nen = '\0';
	snprintf(out, n, "%s", full);
}

enum err bath_letter_fill(struct bath_letter *b, const struct bath_person *p,
			  const struct bath_settings *s, int fy, const char *date,
			  const char *number, int reissue, int mailing)
{
	int y, m, d;
	char from[48], to[48], era[48];
	memset(b, 0, sizeof *b);
	if (wareki_parse_iso(date, &y, &m, &d) != ERR_OK)
		return ERR_INVALID;
	era_year(fy, era, sizeof era);
	if (wareki_format(fy, 4, 1, from, sizeof from) != ERR_OK ||
	    wareki_format(fy + 1, 3, 31, to, sizeof to) != ERR_OK)
		return ERR_INVALID;
	snprintf(b->ref, sizeof b->ref, "整理番号 %s", number);
	snprintf(b->period, sizeof b->period, "%sから%sまで", from, to);
	snprintf(b->body, sizeof b->body,
		 reissue ? "お申し出により、%s年度のふれあい入浴証を再交付します。入浴証を区内の"
			   "公衆浴場にお持ちいただくと、月4回まで無料でご利用いただけます。"
			 : "%s年度のふれあい入浴証をお送りします。入浴証を区内の公衆浴場にお持ち"
			   "いただくと、月4回まで無料でご利用いただけます。",
		 era);
	snprintf(b->ask, sizeof b->ask,
		 "入浴証をなくされたときは、%sで再交付の申請ができます。住所や氏名が変わったとき"
		 "も、お知らせください。",
		 s->contact);
	struct doc_window_letter *L = &b->letter;
	L->postcode = p->f[BF_POSTCODE];
	L->address = p->f[BF_ADDRESS];
	L->katagaki = p->f[BF_KATAGAKI];
	L->name = p->f[BF_NAME];
	L->barcode = !doc_custbarcode_representative(p->f[BF_POSTCODE]);
	L->sender = s->sender;
	L->year = y;
	L->month = m;
	L->day = d;
	L->ref = b->ref;
	L->title = reissue ? "ふれあい入浴証の再交付について" : "ふれあい入浴証の送付について";
	L->paragraphs[0] = "日頃より区政にご理解とご協力をいただき、ありがとうございます。";
	L->paragraphs[1] = b->body;
	L->paragraphs[2] = b->ask;
	/* The 整理番号 is in the reference at the top only: the body below is then the same in
	 * every letter of a mailing, drawn once into the PDF and referenced by each page. */
	L->fields[0] = (struct doc_letter_field){"有効期間", b->period, 0};
	L->fields[1] = (struct doc_letter_field){"お問い合わせ", s->contact, 0};
	if (mailing)
		L->notes[0] = "この通知は、昨年度に入浴証の交付を受けた方（申請された方）で、引き"
			      "続き対象となる方にお送りしています。";
	return ERR_OK;
}
