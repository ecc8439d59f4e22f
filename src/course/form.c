/* SPDX-License-Identifier: MIT */
/* form.c — what comes into course sign-up, each item checked with one Japanese sentence naming
 * the first problem: a person's sign-up (氏名, 連絡先, お子さまの年齢, the sessions in order of
 * preference), a course and its sessions (day, hours, place, capacity); and their labels. */
#include "course/course.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "vault/vault.h"

/* The string member key of o, or NULL. */
static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Checks one line of at most max characters under key; copies it into out (n bytes). 0, or -1
 * with why naming label. */
static int line(json_t *o, const char *key, size_t max, const char *label, char *out, size_t n,
		char *why)
{
	const char *s = str(o, key);
	if (text_line_why(s, max, label, why, COURSE_WHY_MAX) != 0)
		return -1;
	if (strlen(s) >= n) {
		snprintf(why, COURSE_WHY_MAX, "%sを%zu文字以内で入力してください。", label, max);
		return -1;
	}
	snprintf(out, n, "%s", s);
	return 0;
}

/* A positive integer member (a JSON number, or digits in a string), or -1. */
static int64_t id_of(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : -1;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		long long n = strtoll(s, &end, 10);
		if (*s && end && !*end && n > 0 && strlen(s) < 16)
			return n;
	}
	return -1;
}

enum err course_signup_parse(json_t *j, struct course_signup_form *f, char why[COURSE_WHY_MAX])
{
	char name[256], email[256], phone[64];
	json_t *ss, *s;
	size_t i;
	memset(f, 0, sizeof *f);
	why[0] = '\0';
	if (!json_is_object(j)) {
		snprintf(why, COURSE_WHY_MAX, "申込の内容を送ってください。");
		return ERR_INVALID;
	}
	f->course_id = id_of(json_object_get(j, "course"));
	if (f->course_id <= 0) {
		snprintf(why, COURSE_WHY_MAX, "申し込む講座を選んでください。");
		return ERR_INVALID;
	}
	if (line(j, "name", 40, "お名前", name, sizeof name, why) ||
	    line(j, "email", 254, "メールアドレス", email, sizeof email, why) ||
	    line(j, "phone", 20, "電話番号", phone, sizeof phone, why))
		return ERR_INVALID;
	if (!mail_address_valid(email)) {
		snprintf(why, COURSE_WHY_MAX,
			 "メールアドレスが正しくありません（確認のメールをお送りします）。");
		return ERR_INVALID;
	}
	for (const char *p = phone; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == ' ')) {
			snprintf(why, COURSE_WHY_MAX,
				 "電話番号は数字とハイフンで入力してください（例: 090-1234-5678）。");
			return ERR_INVALID;
		}
	json_t *age = json_object_get(j, "child_age");
	if (!json_is_integer(age) || json_integer_value(age) < COURSE_AGE_EXPECTING ||
	    json_integer_value(age) > COURSE_AGE_MAX) {
		snprintf(why, COURSE_WHY_MAX,
			 "お子さまの年齢を選んでください（0〜%d歳、または出産前）。", COURSE_AGE_MAX);
		return ERR_INVALID;
	}
	ss = json_object_get(j, "sessions");
	if (!json_is_array(ss) || json_array_size(ss) == 0 ||
	    json_array_size(ss) > COURSE_CHOICES_MAX) {
		snprintf(why, COURSE_WHY_MAX,
			 "希望する日を1つ以上%dつまで、希望の順に選んでください。", COURSE_CHOICES_MAX);
		return ERR_INVALID;
	}
	json_array_foreach(ss, i, s)
	{
		int64_t id = id_of(s);
		if (id <= 0) {
			snprintf(why, COURSE_WHY_MAX, "第%zu希望の日が正しくありません。", i + 1);
			return ERR_INVALID;
		}
		for (size_t k = 0; k < i; k++)
			if (f->choices[k] == id) {
				snprintf(why, COURSE_WHY_MAX,
					 "同じ日を2回選んでいます（第%zu希望と第%zu希望）。", k + 1, i + 1);
				return ERR_INVALID;
			}
		f->choices[i] = id;
		f->nchoices = i + 1;
	}
	f->person.name = xstrdup(name);
	f->person.email = xstrdup(email);
	f->person.phone = xstrdup(phone);
	f->person.child_age = (int)json_integer_value(age);
	vault_wipe(name, sizeof name);
	vault_wipe(email, sizeof email);
	vault_wipe(phone, sizeof phone);
	return ERR_OK;
}

enum err course_session_parse(json_t *j, const char *today, size_t n, struct course_session_in *s,
			      char why[COURSE_WHY_MAX])
{
	char what[32] = "";
	const char *d, *st, *en;
	json_t *cap;
	memset(s, 0, sizeof *s);
	if (n)
		snprintf(what, sizeof what, "%zu回目の", n);
	if (!json_is_object(j)) {
		snprintf(why, COURSE_WHY_MAX, "%s開催回の内容を送ってください。", what);
		return ERR_INVALID;
	}
	d = str(j, "date");
	if (!d || strlen(d) != 10 || clock_day_parse(d, NULL, NULL) != 0 || strcmp(d, today) < 0) {
		snprintf(why, COURSE_WHY_MAX, "%s開催日を年-月-日（今日以降）で入力してください。",
			 what);
		return ERR_INVALID;
	}
	snprintf(s->date, sizeof s->date, "%s", d);
	st = str(j, "start");
	en = str(j, "end");
	s->start_min = st ? clock_hhmm_minutes(st) : -1;
	s->end_min = en ? clock_hhmm_minutes(en) : -1;
	if (s->start_min < 0 || s->end_min < 0 || s->end_min <= s->start_min) {
		snprintf(why, COURSE_WHY_MAX,
			 "%s開始と終了の時刻を時:分で入力してください（終了は開始より後）。", what);
		return ERR_INVALID;
	}
	char label[48];
	snprintf(label, sizeof label, "%s会場", what);
	if (line(j, "place", 80, label, s->place, sizeof s->place, why))
		return ERR_INVALID;
	cap = json_object_get(j, "capacity");
	if (!json_is_integer(cap) || json_integer_value(cap) < 1 ||
	    json_integer_value(cap) > COURSE_CAPACITY_MAX) {
		snprintf(why, COURSE_WHY_MAX, "%s定員を1〜%d人で入力してください。", what,
			 COURSE_CAPACITY_MAX);
		return ERR_INVALID;
	}
	s->capacity = (int)json_integer_value(cap);
	return ERR_OK;
}

enum err course_about_parse(json_t *j, struct course_in *c, char why[COURSE_WHY_MAX])
{
	memset(c, 0, sizeof *c);
	why[0] = '\0';
	if (!json_is_object(j)) {
		snprintf(why, COURSE_WHY_MAX, "講座の内容を送ってください。");
		return ERR_INVALID;
	}
	if (line(j, "title", 60, "講座名", c->title, sizeof c->title, why) ||
	    line(j, "contact", 80, "問い合わせ先", c->contact, sizeof c->contact, why))
		return ERR_INVALID;
	const char *desc = str(j, "description");
	if (desc && *desc && (!text_note_ok(desc, 1000) || strlen(desc) >= sizeof c->description)) {
		snprintf(why, COURSE_WHY_MAX, "講座の説明を1000バイト以内の文章で入力してください。");
		return ERR_INVALID;
	}
	snprintf(c->description, sizeof c->description, "%s", desc ? desc : "");
	return ERR_OK;
}

enum err course_parse(json_t *j, const char *today, struct course_in *c, char why[COURSE_WHY_MAX])
{
	json_t *ss, *s;
	size_t i;
	if (course_about_parse(j, c, why) != ERR_OK)
		return ERR_INVALID;
	ss = json_object_get(j, "sessions");
	if (!json_is_array(ss) || json_array_size(ss) == 0 ||
	    json_array_size(ss) > COURSE_SESSIONS_MAX) {
		snprintf(why, COURSE_WHY_MAX, "開催回を1回以上%d回まで入力してください。",
			 COURSE_SESSIONS_MAX);
		return ERR_INVALID;
	}
	json_array_foreach(ss, i, s)
	{
		if (course_session_parse(s, today, i + 1, &c->sessions[i], why) != ERR_OK)
			return ERR_INVALID;
		c->nsessions = i + 1;
	}
	return ERR_OK;
}

json_t *course_person_json(const struct course_person *p)
{
	return json_pack("{s:s, s:s, s:s, s:i}", "name", p->name, "email", p->email, "phone",
			 p->phone, "child_age", p->child_age);
}

enum err course_person_read(const char *text, struct course_person *p)
{
	json_t *j = json_loads(text, 0, NULL);
	const char *n = str(j, "name"), *e = str(j, "email"), *ph = str(j, "phone");
	json_t *age = json_object_get(j, "child_age");
	memset(p, 0, sizeof *p);
	if (!n || !e || !ph || !json_is_integer(age)) {
		json_decref(j);
		return ERR_CRYPTO;
	}
	p->name = xstrdup(n);
	p->email = xstrdup(e);
	p->phone = xstrdup(ph);
	p->child_age = (int)json_integer_value(age);
	json_decref(j);
	return ERR_OK;
}

void course_person_clear(struct course_person *p)
{
	vault_wipe_free(p->name);
	vault_wipe_free(p->email);
	vault_wipe_free(p->phone);
	memset(p, 0, sizeof *p);
}

void course_age_label(int age, char *out, size_t n)
{
	if (age == COURSE_AGE_EXPECTING)
		snprintf(out, n, "出産前");
	else
		snprintf(out, n, "%d歳", age);
}

void course_when_label(const char *date, int start_min, int end_min, char *out, size_t n)
{
	static const char *const wd[] = {"日", "月", "火", "水", "木", "金", "土"};
	int y = 0, m = 0, d = 0, w = 0;
	if (clock_day_parse(date, NULL, &w) != 0 || sscanf(date, "%d-%d-%d", &y, &m, &d) != 3) {
		snprintf(out, n, "%s", date);
		return;
	}
	snprintf(out, n, "%d年%d月%d日（%s）%d:%02d〜%d:%02d", y, m, d, wd[w], start_min / 60,
		 start_min % 60, end_min / 60, end_min % 60);
}
