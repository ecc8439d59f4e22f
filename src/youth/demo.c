/* SPDX-License-Identifier: MIT */
/* demo.c — youth support's part of `mimamori demo`: the ward's supervisor (youth-sv), workers
 * of 平井 (youth-hirai, youth-hirai2) and 葛西 (youth-kasai), and a few fictional cases with a
 * note, an assessment and a plan each. Every name and situation is made up. */
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
#include "youth/youth.h"

#define DEMO_CASES 6
#define DEMO_MAX 1000

int youth_demo(struct app *a, struct demo_out *out);

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

static const struct {
	const char *login, *role, *plaza, *label;
} accounts[] = {
    {"youth-sv", "youth_supervisor", NULL, "youth support supervisor (区のスーパーバイザー)"},
    {"youth-hirai", "youth_worker", "hirai", "youth support worker 平井 (ケースワーカー)"},
    {"youth-hirai2", "youth_worker", "hirai", "youth support worker 平井 (ケースワーカー)"},
    {"youth-kasai", "youth_worker", "kasai", "youth support worker 葛西 (ケースワーカー)"},
};
#define NACC (sizeof accounts / sizeof accounts[0])

/* Stores fictional case i of plaza unit, assigned to worker, with its work. */
static enum err one_case(struct store_conn *c, const struct vault *v, long long i, const char *unit,
			 int64_t worker, int64_t now)
{
	char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	char birth[11], today[11], number[16], why[YOUTH_WHY_MAX];
	int64_t id = 0, note = 0, ver = 0;
	const char *nwhy = NULL;
	demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
	demo_name_pick(rnd, sur, (int)rnd(2), name, sizeof name, kana, sizeof kana);
	clock_jst_date(now - (int64_t)(365 * (13 + i % 5) + rnd(300)) * 86400000, birth, 11);
	clock_jst_date(now, today, sizeof today);
	json_t *p =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "kana", kana, "birth", birth,
		      "school", "桜台区立第二中学校", "grade", "2年", "plaza_number", "P-000123");
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "family",
			      "母と二人暮らし（架空）", "health", "朝起きられない日が続く（架空）",
			      "history", "小学4年から欠席が増えた（架空）", "schooling",
			      "中学1年の秋から不登校（架空）", "living", "昼夜逆転気味（架空）",
			      "support", "週1回の学習サポート（架空）", "facility",
			      "共育プラザの学習室を利用（架空）");
	char *ps = json_dumps(p, JSON_COMPACT), *fs = json_dumps(f, JSON_COMPACT);
	json_decref(p);
	json_decref(f);
	enum err e = youth_case_create(c, v, unit, ps, fs, worker, now, &id, number);
	vault_wipe_free(ps);
	vault_wipe_free(fs);
	if (e == ERR_OK)
		e = casework_assign(c, &youth_casework, id, worker, 0, now);
	if (e == ERR_OK)
		e = casework_note_add(c, v, &youth_casework, id, "学習サポート面談", today,
				      "数学の復習を30分。表情は前回より明るい（架空の記録）。",
				      worker, now, &note, &nwhy);
	json_t *as = json_pack("{s:s, s:s, s:s, s:s}", "on_date", today, "summary",
			       "生活リズムの乱れが登校の妨げ（架空）", "needs",
			       "安心できる居場所と学習の遅れの補い（架空）", "strengths",
			       "絵を描くことが得意（架空）");
	if (e == ERR_OK)
		e = youth_assessment_add(c, v, id, as, worker, now, why);
	json_decref(as);
	char review[11];
	clock_jst_date(now + (int64_t)90 * 86400000, review, sizeof review);
	json_t *plan = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "policy",
				 "本人のペースを尊重し、居場所づくりから（架空）", "review_on",
				 review, "goals", "goal", "週1回プラザに来る", "review_on", review,
				 "goal", "朝9時に起きる日を増やす", "review_on", review);
	if (e == ERR_OK)
		e = youth_plan_put(c, v, id, plan, worker, now, &ver, why);
	json_decref(plan);
	if (e == ERR_OK && i % 3 == 2)
		e = youth_referral_set(
		    c, v, id, 1, "家庭の経済状況について区の相談につなぎたい（架空）", now, why);
	return e;
}

int youth_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "youth-cases");
	long long n = DEMO_CASES;
	if (opt) {
		char *end = NULL;
		n = strtoll(opt, &end, 10);
		if (!end || *end || n < 0 || n > DEMO_MAX) {
			fprintf(stderr, "mimamori: --youth-cases は 0 から %d の数です\n",
				DEMO_MAX);
			return 2;
		}
	}
	if (!a)
		return 0;
	int64_t ids[NACC] = {0}, now = clock_now_ms();
	enum err e = ERR_OK;
	for (size_t i = 0; i < NACC && e == ERR_OK; i++) {
		char *pw = NULL;
		e = demo_account_add(a, accounts[i].login, accounts[i].role, &pw, &ids[i]);
		if (e == ERR_OK)
			fprintf(out->cred, "%s: login %s  password %s\n", accounts[i].label,
				accounts[i].login, pw);
		vault_wipe_free(pw);
	}
	if (e != ERR_OK)
		return 1;
	const struct vault *v = youth_vault(a);
	struct store_conn *c = store_acquire(a->store);
	e = store_begin(c);
	for (size_t i = 0; i < NACC && e == ERR_OK; i++)
		if (accounts[i].plaza)
			e = casework_worker_set(c, &youth_casework, ids[i], accounts[i].plaza, 0,
						now);
	/* Cases alternate between 平井 (the first worker) and 葛西. */
	for (long long i = 0; i < n && e == ERR_OK; i++)
		e = one_case(c, v, i, i % 2 ? "kasai" : "hirai", i % 2 ? ids[3] : ids[1], now);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: youth support: %s\n", err_message_ja(e));
		return 1;
	}
	buf_printf(
	    &out->summary,
	    "ユースサポート: ケース %lld件（平井・葛西、架空）。担当者 youth-hirai・youth-kasai、"
	    "スーパーバイザー youth-sv は /youth/\n",
	    n);
	return 0;
}
