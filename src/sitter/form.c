/* SPDX-License-Identifier: MIT */
/* form.c — the application form of the babysitter subsidy: reading it from JSON with a check of
 * every field (a Japanese sentence naming the first problem), writing it back as JSON, and the
 * blind key of a child (the same child across applications, for the yearly cap). */
#include "sitter/sitter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/window_letter_pdf.h"
#include "grant/bank_codes.h"
#include "grant/kana.h"
#include "mail/mail.h"
#include "vault/vault.h"

#define NAME_MAX_CHARS 40
#define ADDRESS_MAX_CHARS 120
#define COMPANY_MAX_CHARS 60
#define PAID_MAX_YEN 1000000

/* The string member key of o, or NULL. */
static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Copies a one-line text of at most max characters into *out (malloc'd). 0 or -1 with why. */
static int text(const char *s, size_t max, const char *label, char **out, char *why)
{
	if (!s || text_line_check(s, max) != TEXT_OK) {
		snprintf(why, SITTER_WHY_MAX, "%sを%zu文字以内で入力してください。", label, max);
		return -1;
	}
	*out = xstrdup(s);
	return 0;
}

/* Checks an ISO date into out (11 bytes). 0 or -1 with why. */
static int date(const char *s, const char *label, char out[11], char *why)
{
	int y, m, d;
	if (!s || wareki_parse_iso(s, &y, &m, &d) != ERR_OK || y < 1900) {
		snprintf(why, SITTER_WHY_MAX, "%sを年-月-日（例: 2026-04-01）で入力してください。",
			 label);
		return -1;
	}
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 11);
	return 0;
}

/* Copies the digits of s into out (n bytes), skipping hyphens; returns the digit count, or -1
 * for another character. */
static int digits(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; s && *s; s++) {
		if (*s == '-' || *s == ' ')
			continue;
		if (*s < '0' || *s > '9' || k + 1 >= n)
			return -1;
		out[k++] = *s;
	}
	if (n)
		out[k] = '\0';
	return (int)k;
}

/* 1 when f's addressee (〒, 住所, 氏名 and 様) fits the window of the decision notice's
 * envelope (doc/window_letter_pdf.h), laid out as api_notices.c lays it out: one that does not
 * would stop the PDF of the whole day's notices, so the form refuses it while it can still be
 * shortened. */
static int window_fits(const struct sitter_form *f)
{
	struct buf pdf;
	struct doc_window_pdf *w = NULL;
	struct doc_window_letter L = {.postcode = f->postcode,
				      .address = f->address,
				      .name = f->name,
				      .barcode = 1,
				      .year = 2026,
				      .month = 4,
				      .day = 1,
				      .title = "交付決定通知書"};
	buf_init(&pdf, 16u * 1024 * 1024);
	int ok = doc_window_pdf_open_buf(&pdf, "check", &w) == ERR_OK &&
		 doc_window_pdf_add(w, &L) == ERR_OK;
	doc_window_pdf_close(w);
	if (pdf.data)
		vault_wipe(pdf.data, pdf.len);
	buf_free(&pdf);
	return ok;
}

static int parse_guardian(json_t *g, int confirm, struct sitter_form *f, char *why)
{
	char buf[32];
	const char *email = str(g, "email");
	if (!json_is_object(g)) {
		snprintf(why, SITTER_WHY_MAX, "申請者（保護者）の欄を入力してください。");
		return -1;
	}
	if (text(str(g, "name"), NAME_MAX_CHARS, "申請者の氏名", &f->name, why) ||
	    text(str(g, "kana"), NAME_MAX_CHARS, "申請者のふりがな", &f->kana, why) ||
	    date(str(g, "birth"), "申請者の生年月日", f->birth, why))
		return -1;
	if (digits(str(g, "postcode"), buf, sizeof buf) != 7) {
		snprintf(why, SITTER_WHY_MAX, "郵便番号を7桁の数字で入力してください。");
		return -1;
	}
	memcpy(f->postcode, buf, 8);
	if (text(str(g, "address"), ADDRESS_MAX_CHARS, "住所", &f->address, why))
		return -1;
	int nd = digits(str(g, "phone"), buf, sizeof buf);
	if (nd < 10 || nd > 11) {
		snprintf(why, SITTER_WHY_MAX,
			 "電話番号を10桁または11桁の数字で入力してください（ハイフンは省けます）。");
		return -1;
	}
	f->phone = xstrdup(str(g, "phone"));
	if (!email || !mail_address_valid(email)) {
		snprintf(why, SITTER_WHY_MAX, "メールアドレスが正しくありません。");
		return -1;
	}
	if (confirm && (!str(g, "email_confirm") || strcmp(str(g, "email_confirm"), email) != 0)) {
		snprintf(why, SITTER_WHY_MAX,
			 "確認用のメールアドレスが一致しません。同じアドレスを2回入力してください。");
		return -1;
	}
	f->email = xstrdup(email);
	if (!window_fits(f)) {
		snprintf(why, SITTER_WHY_MAX,
			 "住所と氏名が長すぎて、決定通知書の宛名（封筒の窓）に収まりません。住所の建物"
			 "名などを短くしてください。");
		return -1;
	}
	return 0;
}

static int parse_children(json_t *arr, const char *today, struct sitter_form *f, char *why)
{
	size_t i;
	json_t *k;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > SITTER_CHILDREN_MAX) {
		snprintf(why, SITTER_WHY_MAX, "お子さまを1人以上%d人まで入力してください。",
			 SITTER_CHILDREN_MAX);
		return -1;
	}
	json_array_foreach(arr, i, k)
	{
		struct sitter_child *c = &f->children[i];
		char label[64];
		f->nchildren = i + 1;
		snprintf(label, sizeof label, "%zu人目のお子さまの氏名", i + 1);
		if (text(str(k, "name"), NAME_MAX_CHARS, label, &c->name, why))
			return -1;
		snprintf(label, sizeof label, "%zu人目のお子さまの生年月日", i + 1);
		if (date(str(k, "birth"), label, c->birth, why))
			return -1;
		if (strcmp(c->birth, today) > 0) {
			snprintf(why, SITTER_WHY_MAX, "%zu人目のお子さまの生年月日が未来の日付です。",
				 i + 1);
			return -1;
		}
		c->multiple = json_is_true(json_object_get(k, "multiple"));
	}
	return 0;
}

/* Minutes of "HH:MM" (00:00–24:00), or -1. */
static int hhmm(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "24:00") == 0)
		return 0; /* midnight: the end of the day, the next day's 00:00 */
	return clock_hhmm_minutes(s);
}

static int parse_uses(json_t *arr, const char *today, struct sitter_form *f, char *why)
{
	size_t i;
	json_t *u;
	char oldest[11];
	sitter_date_add(today, -366, oldest);
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > SITTER_USES_MAX) {
		snprintf(why, SITTER_WHY_MAX, "利用した日を1件以上%d件まで入力してください。",
			 SITTER_USES_MAX);
		return -1;
	}
	json_array_foreach(arr, i, u)
	{
		struct sitter_use *x = &f->uses[i];
		char label[64];
		json_t *kids = json_object_get(u, "children"), *k, *paid = json_object_get(u, "paid_yen");
		size_t j;
		f->nuses = i + 1;
		snprintf(label, sizeof label, "%zu件目の利用日", i + 1);
		if (date(str(u, "date"), label, x->date, why))
			return -1;
		if (strcmp(x->date, today) > 0 || strcmp(x->date, oldest) < 0) {
			snprintf(why, SITTER_WHY_MAX,
				 "%zu件目の利用日は、今日までの1年以内の日にしてください。", i + 1);
			return -1;
		}
		x->start_min = hhmm(str(u, "start"));
		x->end_min = hhmm(str(u, "end"));
		if (x->start_min < 0 || x->start_min >= 1440 || x->end_min < 0 ||
		    x->end_min == x->start_min) {
			snprintf(why, SITTER_WHY_MAX,
				 "%zu件目の開始・終了時刻を 18:00 のように入力してください（終了が開始より"
				 "前なら翌日の時刻です）。",
				 i + 1);
			return -1;
		}
		if (!json_is_array(kids) || json_array_size(kids) == 0) {
			snprintf(why, SITTER_WHY_MAX, "%zu件目で預けたお子さまを選んでください。",
				 i + 1);
			return -1;
		}
		json_array_foreach(kids, j, k)
		{
			json_int_t c = json_is_integer(k) ? json_integer_value(k) : -1;
			if (c < 0 || (size_t)c >= f->nchildren) {
				snprintf(why, SITTER_WHY_MAX,
					 "%zu件目で預けたお子さまの選び方が正しくありません。", i + 1);
				return -1;
			}
			if (!sitter_child_eligible(f->children[c].birth, x->date)) {
				snprintf(why, SITTER_WHY_MAX,
					 "%zu件目の利用日に、%d人目のお子さまは対象外です（0歳から6歳に"
					 "なる年度の末日まで）。",
					 i + 1, (int)c + 1);
				return -1;
			}
			x->children |= 1u << c;
		}
		snprintf(label, sizeof label, "%zu件目のベビーシッター事業者名", i + 1);
		if (text(str(u, "company"), COMPANY_MAX_CHARS, label, &x->company, why))
			return -1;
		if (!json_is_integer(paid) || json_integer_value(paid) <= 0 ||
		    json_integer_value(paid) > PAID_MAX_YEN) {
			snprintf(why, SITTER_WHY_MAX,
				 "%zu件目の支払った金額を円で入力してください（1円から100万円まで）。",
				 i + 1);
			return -1;
		}
		x->paid_yen = json_integer_value(paid);
	}
	/* The same child cannot be cared for twice at the same time. */
	for (size_t a = 0; a < f->nuses; a++)
		for (size_t b = a + 1; b < f->nuses; b++) {
			const struct sitter_use *p = &f->uses[a], *q = &f->uses[b];
			int64_t ps, pe, qs, qe, pm, qm;
			if (!(p->children & q->children))
				continue;
			clock_day_parse(p->date, &pm, NULL);
			clock_day_parse(q->date, &qm, NULL);
			ps = pm / 60000 + p->start_min;
			pe = pm / 60000 + p->end_min + (p->end_min <= p->start_min ? 1440 : 0);
			qs = qm / 60000 + q->start_min;
			qe = qm / 60000 + q->end_min + (q->end_min <= q->start_min ? 1440 : 0);
			if (ps < qe && qs < pe) {
				snprintf(why, SITTER_WHY_MAX,
					 "%zu件目と%zu件目の時間が、同じお子さまで重なっています。", a + 1,
					 b + 1);
				return -1;
			}
		}
	return 0;
}

enum err sitter_bank_parse(json_t *j, struct sitter_bank *b, char why[SITTER_WHY_MAX])
{
	json_t *o = json_object_get(j, "bank"), *type = json_object_get(o, "type");
	const char *bn, *bk, *brn, *brk, *kwhy = NULL;
	char bank[8], branch[8], number[16], half[128];
	free(b->holder);
	free(b->holder_zengin);
	memset(b, 0, sizeof *b);
	if (!json_is_object(o)) {
		snprintf(why, SITTER_WHY_MAX, "振込先の口座を入力してください。");
		return ERR_INVALID;
	}
	if (digits(str(o, "bank_code"), bank, sizeof bank) != 4 ||
	    digits(str(o, "branch_code"), branch, sizeof branch) != 3) {
		snprintf(why, SITTER_WHY_MAX,
			 "金融機関コード（4桁）と支店コード（3桁）を数字で入力してください。");
		return ERR_INVALID;
	}
	if (!grant_bank_lookup(bank, branch, &bn, &bk, &brn, &brk)) {
		snprintf(why, SITTER_WHY_MAX,
			 "金融機関コード %s・支店コード %s の支店が見つかりません。通帳やキャッシュ"
			 "カードで確かめてください。",
			 bank, branch);
		return ERR_INVALID;
	}
	if (!json_is_integer(type) || (json_integer_value(type) != 1 && json_integer_value(type) != 2)) {
		snprintf(why, SITTER_WHY_MAX, "預金の種類（普通・当座）を選んでください。");
		return ERR_INVALID;
	}
	int nd = digits(str(o, "number"), number, sizeof number);
	if (nd < 1 || nd > 7) {
		snprintf(why, SITTER_WHY_MAX, "口座番号を7桁までの数字で入力してください。");
		return ERR_INVALID;
	}
	const char *holder = str(o, "holder");
	if (!holder || text_line_check(holder, 60) != TEXT_OK) {
		snprintf(why, SITTER_WHY_MAX, "口座名義（カタカナ）を入力してください。");
		return ERR_INVALID;
	}
	if (grant_kana_to_zengin(holder, half, sizeof half, &kwhy) != ERR_OK) {
		snprintf(why, SITTER_WHY_MAX, "%s", kwhy ? kwhy : "口座名義はカタカナで入力してください。");
		return ERR_INVALID;
	}
	if (grant_kana_width(half) > 30) {
		snprintf(why, SITTER_WHY_MAX, "口座名義が長すぎます（半角30文字まで）。");
		return ERR_INVALID;
	}
	memcpy(b->bank, bank, 5);
	memcpy(b->branch, branch, 4);
	b->type = (int)json_integer_value(type);
	snprintf(b->number, sizeof b->number, "%07ld", strtol(number, NULL, 10));
	b->holder = xstrdup(holder);
	b->holder_zengin = xstrdup(half);
	return ERR_OK;
}

enum err sitter_form_parse(json_t *j, const char *today, int confirm, struct sitter_form *f,
			   char why[SITTER_WHY_MAX])
{
	memset(f, 0, sizeof *f);
	why[0] = '\0';
	if (!json_is_object(j)) {
		snprintf(why, SITTER_WHY_MAX, "申請の内容を送ってください。");
		return ERR_INVALID;
	}
	if (parse_guardian(json_object_get(j, "guardian"), confirm, f, why) ||
	    parse_children(json_object_get(j, "children"), today, f, why) ||
	    parse_uses(json_object_get(j, "uses"), today, f, why))
		return ERR_INVALID;
	return sitter_bank_parse(j, &f->bank, why);
}

json_t *sitter_form_json(const struct sitter_form *f, int with_bank)
{
	json_t *kids = json_array(), *uses = json_array();
	for (size_t i = 0; i < f->nchildren; i++)
		json_array_append_new(kids, json_pack("{s:s, s:s, s:b}", "name", f->children[i].name,
						      "birth", f->children[i].birth, "multiple",
						      f->children[i].multiple));
	for (size_t i = 0; i < f->nuses; i++) {
		const struct sitter_use *u = &f->uses[i];
		char s[16], e[16];
		json_t *who = json_array();
		snprintf(s, sizeof s, "%02d:%02d", u->start_min / 60, u->start_min % 60);
		snprintf(e, sizeof e, "%02d:%02d", u->end_min / 60, u->end_min % 60);
		for (size_t c = 0; c < f->nchildren; c++)
			if (u->children & (1u << c))
				json_array_append_new(who, json_integer((json_int_t)c));
		json_array_append_new(uses, json_pack("{s:s, s:s, s:s, s:o, s:s, s:I}", "date", u->date,
						      "start", s, "end", e, "children", who,
						      "company", u->company, "paid_yen",
						      (json_int_t)u->paid_yen));
	}
	json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:o}", "guardian",
			      "name", f->name, "kana", f->kana, "birth", f->birth, "postcode",
			      f->postcode, "address", f->address, "phone", f->phone, "email",
			      f->email, "children", kids, "uses", uses);
	if (with_bank && f->bank.holder) {
		const char *bn = "", *bk = "", *brn = "", *brk = "";
		grant_bank_lookup(f->bank.bank, f->bank.branch, &bn, &bk, &brn, &brk);
		json_object_set_new(o, "bank",
				    json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "bank_code",
					      f->bank.bank, "bank_name", bn, "branch_code",
					      f->bank.branch, "branch_name", brn, "type", f->bank.type,
					      "number", f->bank.number, "holder", f->bank.holder));
	}
	return o;
}

void sitter_form_clear(struct sitter_form *f)
{
	vault_wipe_free(f->name);
	vault_wipe_free(f->kana);
	vault_wipe_free(f->address);
	vault_wipe_free(f->phone);
	vault_wipe_free(f->email);
	for (size_t i = 0; i < SITTER_CHILDREN_MAX; i++)
		vault_wipe_free(f->children[i].name);
	for (size_t i = 0; i < SITTER_USES_MAX; i++)
		vault_wipe_free(f->uses[i].company);
	vault_wipe_free(f->bank.holder);
	vault_wipe_free(f->bank.holder_zengin);
	vault_wipe(f, sizeof *f);
}

void sitter_child_key(const struct vault *v, const struct sitter_child *k, unsigned char out[32])
{
	/* spaces, ASCII and U+3000, do not make another child */
	char buf[256];
	text_fold_spaces(k->name, buf, sizeof buf - 12);
	size_t at = strlen(buf);
	buf[at++] = '|';
	memcpy(buf + at, k->birth, 10);
	buf[at + 10] = '\0';
	vault_blind(v, "sitter-child", buf, out);
	vault_wipe(buf, sizeof buf);
}
