/* SPDX-License-Identifier: MIT */
/* caps.c — household support's hour caps (seed 001, 家事・育児支援事業の実施について, 別表1・2): the
 * hours a household may use while its youngest child under 3 (the 対象児) is of an age, from the
 * children's ages, the siblings' ages, who uses childcare (保育サービス: 認可保育所, 認定こども園,
 * 認証保育所, 保育ママ, 地域型保育, 企業主導型; 一時預かり is not one) and multiple births. The cap
 * holds for the 対象児's year of age (a stage: from a birthday to the day before the next) and
 * is recomputed on any day a child's birthday or a start of childcare changes the row; the hours
 * already used in the stage count against the row of the day. */
#include "homehelp/homehelp.h"

#include <stdio.h>
#include <string.h>

#include "base/wareki.h"

/* 別表1 (多胎児以外) and 別表2 (多胎児), row by row, with their Japanese labels. */
static const struct hh_row rows[] = {
    /* table, row, hours, free hours, label */
    {1, 1, 60, 14, "別表1 0歳児・第1子"},
    {1, 2, 180, 14, "別表1 0歳児・1歳児の兄弟がいる"},
    {1, 3, 180, 14, "別表1 0歳児・2歳児の兄弟がいる"},
    {1, 4, 20, 14, "別表1 0歳児・3歳以上の兄弟がいる（保育要件あり）"},
    {1, 5, 20, 0, "別表1 1歳児・第1子（保育要件あり）"},
    {1, 6, 40, 0, "別表1 1歳児・2歳児の兄弟がいる（保育要件あり）"},
    {1, 7, 20, 0, "別表1 1歳児・2歳児の兄弟が保育サービスを利用（保育要件あり）"},
    {1, 8, 20, 0, "別表1 1歳児・3歳以上の兄弟がいる（保育要件あり）"},
    {1, 9, 20, 0, "別表1 2歳児・第1子（保育要件あり）"},
    {1, 10, 20, 0, "別表1 2歳児・3歳以上の兄弟がいる（保育要件あり）"},
    {2, 1, 240, 0, "別表2 多胎児・妊娠が判明してから1歳未満"},
    {2, 2, 180, 0, "別表2 多胎児・1歳以上2歳未満"},
    {2, 3, 120, 0, "別表2 多胎児・2歳以上3歳未満"},
};

const struct hh_row *homehelp_row(int table, int row)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].table == table && rows[i].row == row)
			return &rows[i];
	return NULL;
}

int homehelp_age(const char *birth, const char *date)
{
	int by, bm, bd, y, m, d;
	if (!birth || !*birth || wareki_parse_iso(birth, &by, &bm, &bd) != ERR_OK ||
	    wareki_parse_iso(date, &y, &m, &d) != ERR_OK || strcmp(date, birth) < 0)
		return -1;
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

/* The birthday of age `age` of a child born on birth, as ISO into out (29 February in a
 * common year: 1 March). */
static void birthday(const char *birth, int age, char out[11])
{
	int by, bm, bd;
	char tmp[32];
	wareki_parse_iso(birth, &by, &bm, &bd);
	if (bm == 2 && bd == 29 && wareki_days_in_month(by + age, 2) == 28) {
		bm = 3;
		bd = 1;
	}
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", by + age, bm, bd);
	memcpy(out, tmp, 11);
}

/* The row of 別表2 for a household with multiples (the youngest multiple's age, or a multiple
 * pregnancy with none born), or NULL. */
static const struct hh_row *table2(const struct hh_child *k, size_t n, int pregnant,
				   const char *date, const struct hh_child **who)
{
	const struct hh_child *young = NULL;
	int young_age = 99;
	*who = NULL;
	for (size_t i = 0; i < n; i++) {
		int a = homehelp_age(k[i].birth, date);
		if (k[i].multiple && a >= 0 && a < 3 && a < young_age) {
			young = &k[i];
			young_age = a;
		}
	}
	if (young) {
		*who = young;
		return homehelp_row(2, 1 + young_age);
	}
	return pregnant ? homehelp_row(2, 1) : NULL;
}

/* The row of 別表1, or NULL when none applies (no child under 3, or 保育要件 not met). */
static const struct hh_row *table1(const struct hh_child *k, size_t n, const char *date,
				   const struct hh_child **who)
{
	const struct hh_child *t = NULL;
	int ta = 99, has1 = 0, has2 = 0, has2_care = 0, has3 = 0;
	*who = NULL;
	for (size_t i = 0; i < n; i++) {
		int a = homehelp_age(k[i].birth, date);
		if (a >= 0 && a < 3 && a < ta) {
			t = &k[i];
			ta = a;
		}
	}
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int a = homehelp_age(k[i].birth, date);
		if (&k[i] == t || a < 0)
			continue;
		has1 |= a == 1;
		if (a == 2) {
			has2 = 1;
			has2_care |= k[i].childcare;
		}
		has3 |= a >= 3;
	}
	*who = t;
	if (ta == 0) {
		if (has1)
			return homehelp_row(1, 2);
		if (has2)
			return homehelp_row(1, 3);
		if (has3)
			return t->childcare ? NULL : homehelp_row(1, 4);
		return homehelp_row(1, 1);
	}
	/* 1 and 2 years: 保育要件 有 — only a child who uses no childcare (未就園児) */
	if (t->childcare)
		return NULL;
	if (ta == 1) {
		if (has2)
			return has2_care ? homehelp_row(1, 7) : homehelp_row(1, 6);
		return has3 ? homehelp_row(1, 8) : homehelp_row(1, 5);
	}
	return has3 ? homehelp_row(1, 10) : homehelp_row(1, 9);
}

int homehelp_cap(const struct hh_child *kids, size_t n, int pregnant_multiple,
		 const char *starts_on, const char *date, struct hh_cap *out)
{
	const struct hh_child *w1 = NULL, *w2 = NULL, *who;
	const struct hh_row *r1 = table1(kids, n, date, &w1);
	const struct hh_row *r2 = table2(kids, n, pregnant_multiple, date, &w2);
	const struct hh_row *r = r1;
	memset(out, 0, sizeof *out);
	who = w1;
	/* a household both tables fit (multiples and a younger single child) gets the larger */
	if (r2 && (!r1 || r2->hours > r1->hours)) {
		r = r2;
		who = w2;
	}
	if (!r)
		return 0;
	out->row = r;
	out->hours = r->hours;
	/* the 14 free hours: a 0-year-old who uses no childcare (別表1 備考) */
	out->free_hours = r->free_hours && who && !who->childcare ? r->free_hours : 0;
	if (!who) {
		/* a multiple pregnancy: from the start of the service to the first birthday */
		snprintf(out->stage_from, sizeof out->stage_from, "%s",
			 starts_on && *starts_on ? starts_on : date);
		snprintf(out->stage_to, sizeof out->stage_to, "9999-12-31");
		return 1;
	}
	int age = homehelp_age(who->birth, date);
	if (r->table == 2 && age == 0 && starts_on && *starts_on && strcmp(starts_on, who->birth) < 0)
		/* 別表2's first row began with the pregnancy: its hours run on after the birth */
		snprintf(out->stage_from, sizeof out->stage_from, "%s", starts_on);
	else
		birthday(who->birth, age, out->stage_from);
	char next[11];
	birthday(who->birth, age + 1, next);
	/* the day before the next birthday */
	int y, m, d;
	wareki_parse_iso(next, &y, &m, &d);
	if (--d == 0) {
		if (--m == 0) {
			m = 12;
			y--;
		}
		d = wareki_days_in_month(y, m);
	}
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out->stage_to, tmp, 11);
	return 1;
}
