/* SPDX-License-Identifier: MIT */
/* demo.c — course sign-up's part of `mimamori demo`: a course_staff account (course-staff), two
 * fictional courses (父親ピアサポート with three sessions, the first one full with a waitlist; a
 * weaning-food class) and fictional sign-ups made through the same path as the public page (so
 * their confirmation mails are in the demo's Maildir). Synthetic data only. */
#include "course/course.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/demo_names.h"
#include "app/service.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

int course_demo(struct app *a, struct demo_out *out);

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

/* Makes a course with sessions at days[i] days from now (capacity caps[i]) on x; the new
 * sessions' ids in sids. */
static enum err make_course(struct course_ctx *x, const char *title, const char *desc,
			    const char *place, const int *days, const int *caps, size_t n,
			    int64_t *cid, int64_t *sids)
{
	struct store_stmt *st = store_prepare(
	    x->c, "INSERT INTO course_courses (title, description, contact, created_ms, "
		  "updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, title);
	store_bind_text(st, 2, desc);
	store_bind_text(st, 3, "桜台区 子育て支援課 03-0000-0000（平日 9時〜17時）");
	store_bind_int(st, 4, x->now_ms);
	enum err e = store_run(st);
	store_finish(st);
	*cid = store_last_id(x->c);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		char date[11];
		clock_jst_date(x->now_ms + (int64_t)days[i] * 86400000, date, sizeof date);
		st = store_prepare(x->c, "INSERT INTO course_sessions (course_id, on_date, start_min, "
					 "end_min, place, capacity, created_ms, updated_ms) VALUES "
					 "(?1, ?2, 600, 720, ?3, ?4, ?5, ?5)");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, *cid);
		store_bind_text(st, 2, date);
		store_bind_text(st, 3, place);
		store_bind_int(st, 4, caps[i]);
		store_bind_int(st, 5, x->now_ms);
		e = store_run(st);
		store_finish(st);
		sids[i] = store_last_id(x->c);
	}
	return e;
}

/* Signs up a fictional person number i for course cid choosing sessions[0..n). */
static enum err sign_up(struct course_ctx *x, int64_t cid, const int64_t *sessions, size_t n,
			int i, int father, char token[65])
{
	char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	char mail[64], phone[16], why[COURSE_WHY_MAX];
	struct course_signup_form f = {0};
	int64_t id = 0;
	demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
	demo_guardian_pick(rnd, sur, !father, name, sizeof name, kana, sizeof kana);
	snprintf(mail, sizeof mail, "koza%d@example.jp", i);
	snprintf(phone, sizeof phone, "080-%04u-%04u", rnd(10000), rnd(10000));
	f.course_id = cid;
	f.person.name = name;
	f.person.email = mail;
	f.person.phone = phone;
	f.person.child_age = father && i % 5 == 0 ? COURSE_AGE_EXPECTING : (int)rnd(6);
	f.nchoices = n;
	memcpy(f.choices, sessions, n * sizeof *sessions);
	enum err e = course_signup_create(x, &f, &id, token, why);
	if (e != ERR_OK)
		fprintf(stderr, "mimamori: demo: course: %s\n", why[0] ? why : err_message_ja(e));
	return e;
}

int course_demo(struct app *a, struct demo_out *out)
{
	char *pw = NULL, token[65] = "", first[65] = "";
	int64_t uid = 0, peer = 0, food = 0, ps[3], fs[2];
	struct course_ctx x;
	size_t people = 0;
	if (!a) /* the options' check: this part reads none */
		return 0;
	enum err e = demo_account_add(a, "course-staff", "course_staff", &pw, &uid);
	if (e != ERR_OK)
		return 1;
	fprintf(out->cred, "course sign-up staff (講座の担当者): login course-staff  password %s\n",
		pw);
	vault_wipe_free(pw);
	struct store_conn *c = store_acquire(a->store);
	course_ctx_init(&x, c, course_vault(a), a->cfg.base_url, clock_now_ms());
	e = store_begin(c);
	static const int pdays[] = {1, 15, 29}, pcaps[] = {4, 8, 8};
	static const int fdays[] = {6, 20}, fcaps[] = {10, 10};
	if (e == ERR_OK)
		e = make_course(&x, "父親ピアサポート",
				"子育て中のお父さん同士で、日ごろの悩みや工夫を話し合う会です。"
				"ファシリテーターが進行します。お子さま連れも歓迎します。",
				"桜台区子ども家庭支援センター 2階 会議室", pdays, pcaps, 3, &peer,
				ps);
	if (e == ERR_OK)
		e = make_course(&x, "はじめての離乳食講座",
				"管理栄養士が離乳食の進め方を実演します。", "桜台区保健センター 調理室",
				fdays, fcaps, 2, &food, fs);
	/* six fathers want the first meeting (capacity 4): two wait; others choose later ones */
	for (int i = 0; i < 9 && e == ERR_OK; i++) {
		int64_t pick[2] = {ps[i < 6 ? 0 : 1], ps[i < 6 ? 1 : 2]};
		e = sign_up(&x, peer, pick, i < 6 ? 1 : 2, i + 1, 1, token);
		if (e == ERR_OK && i == 5)
			memcpy(first, token, sizeof first);
		people++;
	}
	for (int i = 0; i < 5 && e == ERR_OK; i++, people++)
		e = sign_up(&x, food, fs, 2, 100 + i, 0, token);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "course.demo", "course", "");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: course: %s\n", err_message_ja(e));
		return 1;
	}
	fprintf(out->cred,
		"course sign-up, a person on the waitlist (キャンセル待ちの人の申込): "
		"/course/mine.html#t=%s\n",
		first);
	buf_printf(&out->summary,
		   "講座の申込: 講座 2件（父親ピアサポート・離乳食講座）、申込 %zu件（キャンセル待ち"
		   "あり）。申込は /course/ 、担当者は /course/staff.html（course-staff）\n",
		   people);
	return 0;
}
