/* SPDX-License-Identifier: MIT */
/* letter.c — a school's registration letter (一斉メール 登録のご案内) for the school to print
 * and hand to families: how to register, the sign-up address, this year's security code as text
 * and as a mailto: QR code, laid out by the platform's letter PDF (src/doc/letter_pdf.c). */
#include "schoolmail/schoolmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/letter_pdf.h"
#include "store/store.h"

/* The texts one letter points into (they must outlive the PDF's making). */
struct letter_text {
	char title[320], date[48], year[64], valid[160], qr[400], p1[600], p2[400], note1[300],
	    note4[200];
};

static void fill(const struct schoolmail_config *cfg, const struct school *s, int year,
		 struct letter_text *t, struct doc_letter *L)
{
	char today[16], era[48] = "";
	int y = 0, m = 0, d = 0;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	if (wareki_parse_iso(today, &y, &m, &d) != ERR_OK || wareki_format(y, m, d, t->date,
									  sizeof t->date) != ERR_OK)
		snprintf(t->date, sizeof t->date, "%s", today);
	if (wareki_format_month(year, 4, era, sizeof era) == ERR_OK) {
		char *month = strstr(era, "4月");
		if (month)
			*month = '\0';
		snprintf(t->year, sizeof t->year, "%s度", era);
	} else {
		snprintf(t->year, sizeof t->year, "%d年度", year);
	}
	char until[48] = "";
	if (wareki_format(year + 1, 3, 31, until, sizeof until) != ERR_OK)
		snprintf(until, sizeof until, "%d-03-31", year + 1);
	snprintf(t->valid, sizeof t->valid, "%s（%sまで）", t->year, until);
	snprintf(t->title, sizeof t->title, "%s 一斉メール 登録のご案内", s->name);
	snprintf(t->qr, sizeof t->qr, "mailto:%s?subject=%s", cfg->signup_address,
		 s->security_code);
	snprintf(t->p1, sizeof t->p1,
		 "%sでは、防犯・防災、事件・事故、行事の実施・中止・延期などのお知らせを、"
		 "保護者の皆様の携帯電話・スマートフォン・パソコンへ一斉メールでお届けします。"
		 "アプリやパスワードは要りません。次の手順で登録してください。",
		 s->name);
	snprintf(t->p2, sizeof t->p2,
		 "① 下の登録用アドレスへ、件名にセキュリティコードを入れて、空メール（本文なし）を"
		 "送ってください。%s+セキュリティコード の形の宛先でもかまいません。",
		 cfg->signup_local);
	snprintf(t->note1, sizeof t->note1,
		 "・迷惑メールの対策をしている場合は、%s からのメールを受け取れるように設定して"
		 "ください。",
		 cfg->signup_domain);
	snprintf(t->note4, sizeof t->note4, "お問い合わせ：%s", cfg->ward_name);
	memset(L, 0, sizeof *L);
	L->recipient = "保護者の皆様";
	L->date = t->date;
	L->sender = s->name;
	L->title = t->title;
	L->paragraphs[0] = t->p1;
	L->paragraphs[1] = t->p2;
	L->paragraphs[2] = "② 折り返し届くメールのリンクを開き、学年・組・お子さまの氏名・保護者の"
			   "氏名を入力してください（リンクの有効期限は24時間です）。";
	L->paragraphs[3] = "③ 「登録が完了しました」というメールが届けば、登録は完了です。"
			   "きょうだいが同じ学校・園にいる場合は、同じ画面でまとめて登録できます。";
	L->fields[0] = (struct doc_letter_field){"学校・園", s->name, 0};
	L->fields[1] = (struct doc_letter_field){"登録用アドレス", cfg->signup_address, 1};
	L->fields[2] = (struct doc_letter_field){"セキュリティコード", s->security_code, 1};
	L->fields[3] = (struct doc_letter_field){"有効期間", t->valid, 0};
	L->qr = t->qr;
	L->qr_caption = "このQRコードを読み取ると、宛先と件名（セキュリティコード）が入った"
			"メールが作られます。本文は空のまま送信してください。";
	L->notes[0] = t->note1;
	L->notes[1] = "・セキュリティコードは年度ごとに変わります。この案内をほかの方に渡さないで"
		      "ください。";
	L->notes[2] = "・登録した内容は、一斉メールをお届けするためだけに使います。登録の変更・解除"
		      "は、届いたメールの最後にあるリンクからできます。";
	L->notes[3] = t->note4;
}

enum err schoolmail_letters(struct app *a, const char *const *codes, size_t n, struct buf *out)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	struct store_conn *c = store_acquire(a->store);
	struct school *all = NULL, *pick = NULL;
	size_t nall = 0, k = 0;
	int year = 0;
	enum err e = schoolmail_year(c, &year);
	if (e == ERR_OK && codes && n) {
		pick = xcalloc(n, sizeof *pick);
		for (size_t i = 0; i < n && e == ERR_OK; i++)
			e = schoolmail_school_find(c, codes[i], &pick[k++]);
	} else if (e == ERR_OK) {
		e = schoolmail_school_list(c, &all, &nall);
		pick = all;
		k = nall;
		all = NULL;
	}
	store_release(c);
	if (e == ERR_OK && k == 0)
		e = ERR_NOTFOUND;
	struct letter_text *texts = NULL;
	struct doc_letter *letters = NULL;
	if (e == ERR_OK) {
		texts = xcalloc(k, sizeof *texts);
		letters = xcalloc(k, sizeof *letters);
		for (size_t i = 0; i < k; i++)
			fill(cfg, &pick[i], year, &texts[i], &letters[i]);
		e = doc_letter_pdf_buf(letters, k, out);
	}
	free(texts);
	free(letters);
	free(pick);
	return e;
}
