/* SPDX-License-Identifier: MIT */
/* demo.c — household support's part of `mimamori demo`: fictional households (--homehelp-
 * households N, 120 by default) with children under 3 (some twins, some expecting twins, some
 * with older siblings in childcare), registered and decided, a few still being checked; 15
 * supporters; visits of the past months within each household's cap, done with their records
 * and fees (a few flagged for the public health nurse); the four accounts scoped to this
 * benefit. Accounts at the fictional bank 9990. Synthetic data only. */
#include "homehelp/homehelp.h"

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

#define DEMO_HOUSEHOLDS 120
#define DEMO_MAX 100000
#define DEMO_SUPPORTERS 15

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

/* The ISO date `days` days before today into out (11 bytes). */
static void days_ago(int64_t now, int days, char out[11])
{
	clock_jst_date(now - (int64_t)days * 86400000, out, 11);
}

/* A fictional household's form JSON. */
static json_t *fake_household(int64_t now, long long i)
{
	char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	char addr[160], phone[16], mail[64], b0[11], b1[11];
	json_t *kids = json_array();
	int kind = (int)rnd(10), pregnant = 0;
	demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
	demo_guardian_pick(rnd, sur, 1, name, sizeof name, kana, sizeof kana);
	snprintf(addr, sizeof addr, "東京都桜台区若葉%u丁目%u番%u号", 1 + rnd(5), 1 + rnd(30),
		 1 + rnd(20));
	snprintf(phone, sizeof phone, "080%08u", rnd(100000000));
	snprintf(mail, sizeof mail, "kaji%lld@example.jp", i);
	days_ago(now, 30 + (int)rnd(300), b0);
	if (kind == 0) {
		pregnant = 1; /* expecting twins: no child yet */
	} else if (kind == 1) {
		for (int k = 0; k < 2; k++) {
			char cn[DEMO_NAME_MAX], ck[DEMO_NAME_MAX];
			demo_name_pick(rnd, sur, (int)rnd(2), cn, sizeof cn, ck, sizeof ck);
			json_array_append_new(kids, json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", cn,
							      "birth", b0, "multiple", 1, "childcare",
							      "", "care_from", ""));
		}
	} else {
		char cn[DEMO_NAME_MAX], ck[DEMO_NAME_MAX];
		demo_name_pick(rnd, sur, (int)rnd(2), cn, sizeof cn, ck, sizeof ck);
		json_array_append_new(kids, json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", cn, "birth",
						      b0, "multiple", 0, "childcare", "",
						      "care_from", ""));
		if (kind >= 6) { /* an older sibling, in a nursery */
			demo_name_pick(rnd, sur, (int)rnd(2), cn, sizeof cn, ck, sizeof ck);
			days_ago(now, 365 * (1 + (int)rnd(4)) + 200, b1);
			json_array_append_new(kids, json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", cn,
							      "birth", b1, "multiple", 0, "childcare",
							      "認可保育所", "care_from", b1));
		}
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:o}",
			 "guardian", name, "address", addr, "phone", phone, "email", mail,
			 "emergency", "祖母 090-0000-0000", "family",
			 json_array_size(kids) > 1 ? "父・母・子2人" : "父・母・子1人", "living",
			 "共働き。実家が遠方", "health", "産後の疲れがある", "wanted",
			 "食事の用意と洗濯", "tax", rnd(5) ? "課税" : "非課税", "welfare", 0,
			 "pregnant_multiple", pregnant, "handbook", pregnant ? "第12345号" : "",
			 "children", kids);
}

int homehelp_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "homehelp-households");
	long long n = DEMO_HOUSEHOLDS;
	if (opt) {
		char *end = NULL;
		n = strtoll(opt, &end, 10);
		if (!end || *end || n < 0 || n > DEMO_MAX) {
			fprintf(stderr, "mimamori: --homehelp-households は 0 から %d の数です\n",
				DEMO_MAX);
			return 2;
		}
	}
	if (!a)
		return 0;
	const struct vault *v = homehelp_vault(a);
	struct homehelp_settings cfg;
	char why[HOMEHELP_WHY_MAX] = "", today[11];
	int64_t who[4] = {0}, now = clock_now_ms(), sup[DEMO_SUPPORTERS] = {0};
	size_t made = 0, visits = 0;
	enum err e = ERR_OK;
	homehelp_settings_read(a, &cfg);
	clock_jst_date(now, today, sizeof today);
	e = demo_grant_staff(a, out, "homehelp", HOMEHELP_SERVICE, "household support", who);
	struct store_conn *c = store_acquire(a->store);
	if (e == ERR_OK)
		e = store_begin(c);
	for (int i = 0; i < DEMO_SUPPORTERS && e == ERR_OK; i++) {
		char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
		char code[16], birth[11];
		demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
		demo_guardian_pick(rnd, sur, (int)rnd(2), name, sizeof name, kana, sizeof kana);
		days_ago(now, 365 * (30 + (int)rnd(35)), birth);
		snprintf(code, sizeof code, "S%04d", i + 1);
		json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "name", name, "address",
				      "東京都桜台区本町1丁目1番", "phone", "090-0000-0000", "email",
				      "", "birth", birth, "helper", (int)rnd(2), "career",
				      "保育士として10年勤務");
		json_t *b = json_pack("{s:s, s:s, s:i, s:s, s:s}", "bank_code", "9990", "branch_code",
				      "001", "type", 1, "number", "7654321", "holder", kana);
		char *ds = json_dumps(d, JSON_COMPACT), *bs = json_dumps(b, JSON_COMPACT);
		json_decref(d);
		json_decref(b);
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO hh_supporters (code, data, bank, created_ms, updated_ms) VALUES "
		       "(?1, ?2, ?3, ?4, ?4)");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, code);
			vault_bind_sealed(v, st, 2, "hh_supporters.data", ds);
			vault_bind_sealed(v, st, 3, "hh_supporters.bank", bs);
			store_bind_int(st, 4, now);
			e = store_run(st);
			sup[i] = store_last_id(c);
			store_finish(st);
		}
		vault_wipe_free(ds);
		vault_wipe_free(bs);
	}
	for (long long i = 0; i < n && e == ERR_OK; i++) {
		struct hh_form f;
		struct hh_household h;
		char number[16], start[11];
		int64_t id = 0;
		json_t *j = fake_household(now, i);
		if (homehelp_form_parse(j, today, &f, why) != ERR_OK) {
			json_decref(j);
			homehelp_form_clear(&f);
			continue;
		}
		json_decref(j);
		e = homehelp_household_create(c, v, &f, who[0], now, &id, number);
		homehelp_form_clear(&f);
		made++;
		if (e != ERR_OK || rnd(10) == 0)
			continue; /* still being checked */
		days_ago(now, 20 + (int)rnd(25), start);
		struct store_stmt *st = store_prepare(
		    c, "UPDATE hh_households SET checks = 'guardian,children,eligibility', decision = "
		       "'approved', starts_on = ?1, decided_on = ?1, decided_by = ?2 WHERE id = ?3");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, start);
			store_bind_int(st, 2, who[3]);
			store_bind_int(st, 3, id);
			e = store_run(st);
			store_finish(st);
		}
		if (e == ERR_OK)
			e = grant_step(c, v, &homehelp_tables, id, GRANT_SUBMITTED, GRANT_SCREENED,
				       who[0], NULL, now);
		if (e == ERR_OK)
			e = grant_step(c, v, &homehelp_tables, id, GRANT_SCREENED, GRANT_APPROVED,
				       who[3], NULL, now);
		if (e == ERR_OK)
			e = grant_step(c, v, &homehelp_tables, id, GRANT_APPROVED, GRANT_NOTIFIED,
				       who[2], NULL, now);
		if (e != ERR_OK || homehelp_household_load(c, v, id, &h) != ERR_OK)
			continue;
		/* visits every week or so since the start, 2 to 3 hours, within the cap */
		for (int day = 18 + (int)rnd(4); e == ERR_OK && day > 0; day -= 5 + (int)rnd(6)) {
			char date[11];
			struct hh_usage u;
			int len = 120 + 30 * (int)rnd(3), s = 9 * 60 + 30 * (int)rnd(10);
			days_ago(now, day, date);
			if (strcmp(date, h.starts_on) < 0)
				continue;
			e = homehelp_usage(c, &h, date, 0, &u);
			if (e != ERR_OK || !u.eligible || u.remaining_min < len)
				break;
			int free_left = u.cap.free_hours * 60 - u.free_used_min;
			int free_min = free_left > 0 ? (free_left < len ? free_left : len) : 0;
			int flag = rnd(40) == 0;
			json_t *rec = json_pack("{s:s, s:s}", "observations",
						"母親は落ち着いた様子。子どもは機嫌よく過ごした",
						"concerns", flag ? "母親が眠れていないと話していた" : "");
			char *rs = json_dumps(rec, JSON_COMPACT);
			json_decref(rec);
			st = store_prepare(
			    c, "INSERT INTO hh_visits (household_id, supporter_id, state, on_date, "
			       "start_min, end_min, kinds, minutes, free_min, fee_yen, paid, record, "
			       "follow_up, requested_ms, updated_ms) VALUES (?1, ?2, 'done', ?3, ?4, "
			       "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)");
			e = ERR_DB;
			if (st) {
				store_bind_int(st, 1, id);
				store_bind_int(st, 2, sup[rnd(DEMO_SUPPORTERS)]);
				store_bind_text(st, 3, date);
				store_bind_int(st, 4, s);
				store_bind_int(st, 5, s + len);
				store_bind_text(st, 6, rnd(2) ? "meal,laundry" : "cleaning,childcare");
				store_bind_int(st, 7, len);
				store_bind_int(st, 8, free_min);
				store_bind_int(st, 9, homehelp_fee(len, free_min, cfg.fee_yen_hour));
				store_bind_int(st, 10, rnd(5) ? 1 : 0);
				vault_bind_sealed(v, st, 11, "hh_visits.record", rs);
				store_bind_int(st, 12, flag);
				store_bind_int(st, 13, now);
				e = store_run(st);
				store_finish(st);
				visits++;
			}
			vault_wipe_free(rs);
		}
		homehelp_household_clear(&h);
	}
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "homehelp.demo", "homehelp", "");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: household support: %s\n",
			why[0] ? why : err_message_ja(e));
	} else {
		buf_printf(&out->summary,
			   "家事・育児支援: %zu世帯、サポーター %d人、支援 %zu回。事業者・区は "
			   "/homehelp/office.html\n",
			   made, DEMO_SUPPORTERS, visits);
	}
	return e == ERR_OK ? 0 : 1;
}
