/* SPDX-License-Identifier: MIT */
/* demo.c — the plazas' part of `mimamori demo`: fictional users (--plaza-users N, 300 by
 * default) spread over the five plazas — children of every school year, a few parents —, visits
 * of the past 30 days, a few users not seen for years (for the deletion list), and a desk
 * account per plaza (plaza-hirai, plaza-chuo, …). Synthetic data only. */
#include "plaza/plaza.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/demo_names.h"
#include "app/service.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define DEMO_USERS 300
#define DEMO_MAX 200000

int plaza_demo(struct app *a, struct demo_out *out);

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

/* The 学年 of someone aged age_april on April 1 of the school year. */
static const char *grade_for(int age_april)
{
	static const char *const g[] = {"小1", "小2", "小3", "小4", "小5", "小6",
					"中1", "中2", "中3", "高1", "高2", "高3"};
	if (age_april < 6)
		return "未就学";
	if (age_april - 6 < 12)
		return g[age_april - 6];
	return age_april > 25 ? "一般" : "卒業";
}

/* Adds one fictional user of plaza p; some seen today and in the past month. */
static enum err add_user(struct app *a, struct store_conn *c, int64_t p, long i, int64_t now,
			 const char *today)
{
	char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	char addr[160], phone[24], birth[40], school[64];
	int fy = plaza_fiscal_year(today), parent = rnd(12) == 0;
	int age_april = parent ? 30 + (int)rnd(15) : 3 + (int)rnd(16);
	demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
	if (parent)
		demo_guardian_pick(rnd, sur, (int)rnd(2), name, sizeof name, kana, sizeof kana);
	else
		demo_name_pick(rnd, sur, (int)rnd(2), name, sizeof name, kana, sizeof kana);
	snprintf(addr, sizeof addr, "東京都桜台区若葉%u丁目%u番%u号", 1 + rnd(5), 1 + rnd(30),
		 1 + rnd(20));
	snprintf(phone, sizeof phone, "090-%04u-%04u", rnd(10000), rnd(10000));
	/* Born between April 2 and April 1 of the cohort: age_april on April 1 of fy. */
	snprintf(birth, sizeof birth, "%04d-%02u-%02u", fy - age_april - 1 + (rnd(12) < 9),
		 rnd(12) < 9 ? 4 + rnd(9) : 1 + rnd(3), 1 + rnd(28));
	if (strcmp(birth, today) > 0)
		snprintf(birth, sizeof birth, "%04d-01-15", fy - age_april);
	const char *grade = parent ? "一般" : grade_for(age_april);
	if (strncmp(grade, "小", 3) == 0)
		snprintf(school, sizeof school, "桜台区立第%u小学校", 1 + rnd(9));
	else if (strncmp(grade, "中", 3) == 0)
		snprintf(school, sizeof school, "桜台区立第%u中学校", 1 + rnd(5));
	else if (strncmp(grade, "高", 3) == 0)
		snprintf(school, sizeof school, "若葉高等学校");
	else
		school[0] = '\0';
	char *f[PF_COUNT] = {name, kana, addr, birth, phone, school, (char *)grade};
	int64_t id = 0;
	enum err e = plaza_user_write(c, plaza_vault(a), 0, p, f, today, now, &id, NULL);
	if (e != ERR_OK)
		return e;
	/* One in ten was last seen years ago: registered and not back since. */
	if (i % 10 == 9) {
		char old[11];
		plaza_cutoff(today, 3 + (int)rnd(3), old);
		struct store_stmt *st = store_prepare(
		    c, "UPDATE plaza_users SET created_on = ?1, active_on = ?1 WHERE id = ?2");
		if (!st)
			return ERR_DB;
		store_bind_text(st, 1, old);
		store_bind_int(st, 2, id);
		e = store_run(st);
		store_finish(st);
		return e;
	}
	/* Visits on a few of the past 30 days. */
	for (int k = (int)rnd(6); e == ERR_OK && k > 0; k--) {
		char day[11];
		int64_t at = now - (int64_t)rnd(30) * 86400000;
		clock_jst_date(at, day, sizeof day);
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO plaza_visits (plaza_id, user_id, on_date, band, at_ms) VALUES "
		       "(?, ?, ?, ?, ?) ON CONFLICT (user_id, on_date) DO NOTHING");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, p);
		store_bind_int(st, 2, id);
		store_bind_text(st, 3, day);
		store_bind_text(st, 4, plaza_band(plaza_age(birth, day)));
		store_bind_int(st, 5, at);
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

int plaza_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "plaza-users");
	long n = DEMO_USERS;
	char today[11];
	if (opt) {
		char *end = NULL;
		n = strtol(opt, &end, 10);
		if (!end || *end || n < 0 || n > DEMO_MAX) {
			fprintf(stderr, "mimamori: --plaza-users は 0 から %d の数です\n",
				DEMO_MAX);
			return 2;
		}
	}
	if (!a) /* the options' check, before anything is made */
		return 0;
	int64_t now = clock_now_ms();
	clock_jst_date(now, today, sizeof today);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	for (long i = 0; e == ERR_OK && i < n; i++)
		e = add_user(a, c, 1 + i % PLAZA_COUNT, i, now, today);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	/* A desk account per plaza. */
	for (int64_t p = 1; e == ERR_OK && p <= PLAZA_COUNT; p++) {
		char login[32], *pw = NULL;
		int64_t uid = 0;
		snprintf(login, sizeof login, "plaza-%s", plaza_code(p));
		e = demo_account_add(a, login, "plaza_staff", &pw, &uid);
		if (e == ERR_OK)
			e = plaza_staff_set(c, uid, p);
		if (e == ERR_OK)
			fprintf(out->cred,
				"共育プラザ%s 窓口 (plaza_staff): login %s  password %s\n",
				plaza_name(p), login, pw);
		vault_wipe_free(pw);
	}
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: plazas: %s\n", err_message_ja(e));
		return 1;
	}
	buf_printf(&out->summary,
		   "共育プラザ: 利用者 %ld人（5館）。窓口は /plaza/desk.html（plaza-hirai … "
		   "plaza-minamishinozaki）、来館数と年次処理は /plaza/admin.html\n",
		   n);
	return 0;
}
