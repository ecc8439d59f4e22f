/* SPDX-License-Identifier: MIT */
/* demo.c — the bath pass's part of `mimamori demo`: a fictional eligible population (89,086 by
 * default, --bath-people N; most born in 昭和: 93 % aged 60 or more, the rest holders of a
 * disability certificate or parents of pre-school children), this fiscal year's passes so far
 * (about 29 %: at the counters of head office and the branch offices, or by mail; a few
 * letters returned, a few reissues after a loss) and a few exclusions (moved out, died), two
 * head-office accounts (one imports, the other approves) and a branch-office account. Synthetic
 * data only, written in one transaction. */
#include "bathpass/bathpass.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/demo_names.h"
#include "app/service.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "store/store.h"
#include "vault/vault.h"

#define DEMO_PEOPLE 89086
#define DEMO_MAX 1000000

static const char *const towns[] = {"桜台", "若葉", "緑町", "本町", "旭町", "栄町",
				    "東町", "西町", "中央", "北町", "南町", "朝日が丘"};

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

/* A random real date between years y0 and y1 (inclusive) as ISO into out (160 bytes). */
static void random_date(int y0, int y1, char *out)
{
	int y = y0 + (int)rnd((uint32_t)(y1 - y0 + 1)), m = 1 + (int)rnd(12);
	int d = 1 + (int)rnd((uint32_t)wareki_days_in_month(y, m));
	snprintf(out, 160, "%04d-%02d-%02d", y, m, d);
}

/* One fictional person into f (buffers of the caller). */
static void make_person(int64_t serial, int this_year, char *f[BF_COUNT], char bufs[][160])
{
	int female = (int)rnd(2);
	uint32_t kind = rnd(1000);
	for (int i = 0; i < BF_COUNT; i++)
		f[i] = bufs[i];
	snprintf(f[BF_RESIDENT], 160, "%010" PRId64, 1000000000 + serial * 7);
	demo_guardian_pick(rnd, NULL, female, f[BF_NAME], 160, f[BF_KANA], 160);
	/* 高齢: born 60 to 99 years ago (most in 昭和); 障害: any age; 児童: parents. */
	if (kind < 930) {
		random_date(this_year - 99, this_year - 61, f[BF_BIRTH]);
		snprintf(f[BF_CATEGORY], 160, "高齢");
	} else if (kind < 980) {
		random_date(this_year - 80, this_year - 5, f[BF_BIRTH]);
		snprintf(f[BF_CATEGORY], 160, "障害");
	} else {
		random_date(this_year - 45, this_year - 22, f[BF_BIRTH]);
		snprintf(f[BF_CATEGORY], 160, "児童");
	}
	snprintf(f[BF_SEX], 160, "%s", female ? "女" : "男");
	uint32_t t = rnd(sizeof towns / sizeof towns[0]);
	snprintf(f[BF_POSTCODE], 160, "179%04u", 10 + t * 17);
	snprintf(f[BF_ADDRESS], 160, "桜台区%s%u丁目%u番%u号", towns[t], 1 + rnd(5), 1 + rnd(30),
		 1 + rnd(20));
	if (rnd(4) == 0)
		snprintf(f[BF_KATAGAKI], 160, "コーポ%s%u号室", towns[rnd(12)], 101 + rnd(5) * 100);
	else
		f[BF_KATAGAKI][0] = '\0';
	if (rnd(10) < 7)
		snprintf(f[BF_PHONE], 160, "03%08u", rnd(100000000));
	else
		f[BF_PHONE][0] = '\0';
}

/* A random day of fiscal year fy from 1 April to today (days of them) into date. */
static void random_day(int fy, int days, char date[11])
{
	int64_t april = 0;
	char first[11];
	snprintf(first, sizeof first, "%04d-04-01", fy);
	clock_day_parse(first, &april, NULL);
	clock_jst_date(april + (int64_t)rnd((uint32_t)days) * 86400000 + 43200000, date, 11);
}

/* This fiscal year's pass of one person, on a day from 1 April to today; now and then a
 * letter returned (by mail) or a reissue after a loss (at a counter). */
static enum err add_pass(struct store_conn *c, int64_t id, int fy, int days, int64_t office,
			 int64_t now)
{
	static const char *const branches[] = {"b01", "b02", "b03", "b04", "b05",
					       "b06", "b07", "b08", "b09", "b10"};
	char date[11], number[24];
	random_day(fy, days, date);
	uint32_t how = rnd(10);
	const char *place = how < 3 ? NULL : how < 6 ? "honcho" : branches[rnd(10)];
	enum err e = bath_event_add(c, id, "apply", date, place, place ? "counter" : "mail", NULL,
				    office, now);
	if (e == ERR_OK)
		e = bath_number_next(c, fy, number);
	if (e == ERR_OK)
		e = bath_event_add(c, id, "issue", date, place, place ? "counter" : "mail", number,
				   office, now);
	if (e == ERR_OK && !place && rnd(50) == 0)
		e = bath_event_add(c, id, "returned", date, NULL, "mail", number, office, now);
	if (e == ERR_OK && place && rnd(100) == 0) {
		e = bath_number_next(c, fy, number);
		if (e == ERR_OK)
			e = bath_event_add(c, id, "reissue", date, place, "counter", number, office,
					   now);
	}
	return e;
}

int bathpass_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "bath-people");
	char *end = NULL;
	long long people = opt ? strtoll(opt, &end, 10) : DEMO_PEOPLE;
	if (opt && (!end || *end || people < 0 || people > DEMO_MAX)) {
		fprintf(stderr, "mimamori: demo: --bath-people は0〜%dの数です\n", DEMO_MAX);
		return 2;
	}
	if (!a)
		return 0;
	const struct vault *v = bathpass_vault(a);
	char today[11], bufs[BF_COUNT][160];
	char *f[BF_COUNT];
	int64_t now = clock_now_ms(), t0 = clock_mono_ms(), office = 0, office2 = 0, branch = 0;
	int64_t issued = 0, excluded = 0;
	char *office_pw = NULL, *office2_pw = NULL, *branch_pw = NULL;
	int status = 1;
	bath_today(today);
	int fy = bath_fiscal_year(today), y = (int)strtol(today, NULL, 10);
	int64_t april = 0, midnight = 0;
	char first[11];
	snprintf(first, sizeof first, "%04d-04-01", fy);
	clock_day_parse(first, &april, NULL);
	clock_day_parse(today, &midnight, NULL);
	int days = (int)((midnight - april) / 86400000) + 1;
	enum err e = demo_account_add(a, "bath-office", "bath_office", &office_pw, &office);
	if (e == ERR_OK)
		e = demo_account_add(a, "bath-office2", "bath_office", &office2_pw, &office2);
	if (e == ERR_OK)
		e = demo_account_add(a, "bath-b01", "bath_branch", &branch_pw, &branch);
	if (e != ERR_OK)
		goto done;
	struct store_conn *c = store_acquire(a->store);
	e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK
		? store_prepare(c, "INSERT INTO bath_staff (user_id, place) VALUES (?, 'b01')")
		: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (e == ERR_OK) {
		store_bind_int(st, 1, branch);
		e = store_run(st);
	}
	store_finish(st);
	for (long long i = 0; i < people && e == ERR_OK; i++) {
		int64_t id = 0;
		make_person(i, y, f, bufs);
		e = bath_person_write(c, v, 0, f, 0, now, &id);
		/* About 29 % have this year's pass (25,972 of 89,086 in the seed). */
		if (e == ERR_OK && rnd(89086) < 25972) {
			e = add_pass(c, id, fy, days, office, now);
			issued++;
		} else if (e == ERR_OK && rnd(200) == 0) {
			/* Some left this year: moved out or died (除外日・除外事由). */
			char date[11];
			random_day(fy, days, date);
			e = bath_person_exclude(c, v, id, date, rnd(3) ? "転出" : "死亡", 0, now);
			if (e == ERR_OK)
				e = bath_event_add(c, id, "exclude", date, NULL, NULL, NULL, office,
						   now);
			excluded++;
		}
	}
	for (int i = 0; i < BF_COUNT; i++)
		vault_wipe(bufs[i], sizeof bufs[i]);
	char detail[64];
	snprintf(detail, sizeof detail, "people=%lld issued=%" PRId64, people, issued);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "bathpass.demo", "bathpass", detail);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK)
		goto done;
	fprintf(out->cred,
		"bath pass head office (入浴証 本庁担当): login bath-office  password %s\n",
		office_pw);
	fprintf(out->cred,
		"bath pass head office, second approver: login bath-office2  password "
		"%s\n",
		office2_pw);
	fprintf(out->cred,
		"bath pass counter of 第一特別出張所 (出張所窓口): login bath-b01  "
		"password %s\n",
		branch_pw);
	buf_printf(&out->summary,
		   "bath pass (ふれあい入浴証): %lld people (%" PRId64
		   " excluded this year), %" PRId64 " passes this fiscal year (%.1f s)\n"
		   "  head office:  login bath-office password %s   (/bathpass/office.html; a "
		   "second approver: bath-office2)\n"
		   "  branch b01:   login bath-b01 password %s   (/bathpass/counter.html)\n",
		   people, excluded, issued, (double)(clock_mono_ms() - t0) / 1000.0, office_pw,
		   branch_pw);
	status = 0;
done:
	if (status)
		fprintf(stderr, "mimamori: demo: 入浴証のデモデータを作れません: %s\n",
			err_message_ja(e));
	vault_wipe_free(office_pw);
	vault_wipe_free(office2_pw);
	vault_wipe_free(branch_pw);
	return status;
}
