/* SPDX-License-Identifier: MIT */
/* test_youth.c — youth support's own parts on a real SQLite store: the person and the seven
 * profile items checked and sealed, case numbers, the plan's goals and review dates, the
 * referral, the whole case as opened. (The handover's passphrase box is tested in
 * tests/unit/test_vault.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store_env.h"
#include "vault/keyring.h"
#include "vault/vault.h"
#include "youth/youth.h"

#define NOW 1796000000000 /* 2026-11-30 (fiscal year 2026) */

static void test_person_profile(void **state)
{
	(void)state;
	char why[YOUTH_WHY_MAX];
	json_t *p = json_pack("{s:s, s:s, s:s}", "name", "髙橋 𠮷男", "kana", "たかはし よしお",
			      "birth", "2012-05-01");
	char *t = youth_person_parse(p, "2026-11-30", why);
	assert_non_null(t);
	assert_non_null(strstr(t, "𠮷男"));
	free(t);
	json_object_set_new(p, "birth", json_string("2027-01-01"));
	assert_null(youth_person_parse(p, "2026-11-30", why));
	assert_non_null(strstr(why, "生年月日"));
	json_object_set_new(p, "birth", json_string("2012-05-01"));
	json_object_set_new(p, "name", json_string("改行\nあり"));
	assert_null(youth_person_parse(p, "2026-11-30", why));
	assert_non_null(strstr(why, "氏名"));
	json_decref(p);
	json_t *f = json_pack("{s:s, s:s}", "family", "母と二人\n祖母が近所", "health", "");
	t = youth_profile_parse(f, why);
	assert_non_null(t);
	assert_non_null(strstr(t, "\"facility\":\"\""));
	free(t);
	char big[7000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	json_object_set_new(f, "history", json_string(big));
	assert_null(youth_profile_parse(f, why));
	assert_non_null(strstr(why, "成育歴"));
	json_decref(f);
	assert_string_equal(youth_plaza_label("kasai"), "葛西");
	assert_null(youth_plaza_label("shibuya"));
	assert_true(youth_note_kind_ok("学習サポート面談"));
	assert_false(youth_note_kind_ok("雑談"));
}

static void test_case_plan_referral(void **state)
{
	(void)state;
	struct env_base e;
	char why[YOUTH_WHY_MAX], number[16];
	int64_t id = 0, id2 = 0, ver = 0;
	store_env_open(&e, "youth");
	const struct vault *v = keyring_vault(e.k, YOUTH_SERVICE);
	struct store_conn *c = store_acquire(e.s);
	assert_int_equal(youth_case_create(c, v, "hirai", "{\"name\":\"山田 花子\"}",
					   "{\"family\":\"父子家庭（秘）\"}", 0, NOW, &id, number),
			 ERR_OK);
	assert_string_equal(number, "Y2026-0001");
	assert_int_equal(
	    youth_case_create(c, v, "kasai", "{\"name\":\"x\"}", "{}", 0, NOW, &id2, number),
	    ERR_OK);
	assert_string_equal(number, "Y2026-0002");
	/* Sealed: neither the name nor the profile is in the row. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM yo_cases WHERE instr(person, '山田') > 0 OR instr(profile, "
	       "'父子') > 0");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 0);
	store_finish(st);
	json_t *plan =
	    json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "policy", "居場所から", "review_on",
		      "2027-03-01", "goals", "goal", "週1回来所", "review_on", "2027-01-31");
	assert_int_equal(youth_plan_put(c, v, id, plan, 0, NOW, &ver, why), ERR_OK);
	assert_int_equal(ver, 1);
	assert_int_equal(youth_plan_put(c, v, id, plan, 0, NOW, &ver, why), ERR_OK);
	assert_int_equal(ver, 2);
	json_object_set_new(plan, "goals", json_array());
	assert_int_equal(youth_plan_put(c, v, id, plan, 0, NOW, &ver, why), ERR_INVALID);
	json_object_set_new(plan, "goals",
			    json_pack("[{s:s, s:s}]", "goal", "x", "review_on", "2027-02-30"));
	assert_int_equal(youth_plan_put(c, v, id, plan, 0, NOW, &ver, why), ERR_INVALID);
	assert_non_null(strstr(why, "目標1"));
	json_decref(plan);
	/* The plan is append-only. */
	assert_int_not_equal(store_exec(c, "UPDATE yo_plans SET review_on = '2000-01-01'"), ERR_OK);
	assert_int_equal(youth_referral_set(c, v, id, 1, "", NOW, why), ERR_INVALID);
	assert_int_equal(youth_referral_set(c, v, id, 1, "経済的な困りごと", NOW, why), ERR_OK);
	json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "on_date", "2026-11-30", "summary", "見立て",
			      "needs", "ニーズ", "strengths", "絵が得意");
	assert_int_equal(youth_assessment_add(c, v, id, a, 0, NOW, why), ERR_OK);
	json_object_del(a, "needs");
	assert_int_equal(youth_assessment_add(c, v, id, a, 0, NOW, why), ERR_INVALID);
	json_decref(a);
	json_t *o = NULL;
	assert_int_equal(youth_case_json(c, v, id, &o), ERR_OK);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(o, "person"), "name")), "山田 花子");
	assert_string_equal(json_string_value(json_object_get(o, "plaza_label")), "平井");
	assert_true(json_is_true(json_object_get(o, "referral")));
	assert_string_equal(json_string_value(json_object_get(o, "referral_note")),
			    "経済的な困りごと");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "plan"), "version")),
			 2);
	assert_int_equal(json_array_size(json_object_get(o, "assessments")), 1);
	json_decref(o);
	assert_int_equal(youth_case_json(c, v, 999, &o), ERR_NOTFOUND);
	/* Under another key nothing opens. */
	assert_int_equal(youth_case_json(c, e.v, id, &o), ERR_CRYPTO);
	store_release(c);
	store_env_close(&e);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	setenv("MIMAMORI_PASSWORD_COST", "test", 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_person_profile),
	    cmocka_unit_test(test_case_plan_referral),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
