/* SPDX-License-Identifier: MIT */
/* test_plaza.c — the plazas' registrations on a real SQLite store and keyring (src/plaza/): the
 * items' checks, 学年 moved on in April, ages and bands, the desk's search over blind indexes
 * (the first 50 in kana order and the count of all, only the plaza's own users), visits once a
 * day and their counts, the April update once per year, the deletion of users not seen for years
 * with an audit entry each, and the cards' PDF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "plaza/plaza.h"
#include "store/store.h"
#include "store_env.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define TODAY "2026-12-06"

static char *f_of(const char *name, const char *kana, const char *birth, const char *phone,
		  const char *grade, char *f[PF_COUNT])
{
	f[PF_NAME] = (char *)name;
	f[PF_KANA] = (char *)kana;
	f[PF_ADDRESS] = (char *)"東京都桜台区若葉1丁目2番3号";
	f[PF_BIRTH] = (char *)birth;
	f[PF_PHONE] = (char *)phone;
	f[PF_SCHOOL] = (char *)"桜台区立第一小学校";
	f[PF_GRADE] = (char *)grade;
	return f[PF_NAME];
}

static void test_checks(void **state)
{
	(void)state;
	char *f[PF_COUNT];
	const char *why;
	f_of("山田 花子", "やまだ はなこ", "2016-05-01", "03-1234-5678", "小5", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 1);
	f[PF_KANA] = (char *)"山田";
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	assert_non_null(strstr(why, "ふりがな"));
	f_of("山田 花子", "ヤマダ ハナコ", "2027-01-01", "", "小5", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	assert_non_null(strstr(why, "生年月日"));
	f_of("山田 花子", "ヤマダ ハナコ", "2016-05-01", "", "小7", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	assert_non_null(strstr(why, "学年"));
	f_of("山田 花子", "ヤマダ ハナコ", "2016-05-01", "03-abc", "小5", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	f_of("山田\n花子", "ヤマダ ハナコ", "2016-05-01", "", "小5", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	f[PF_NAME] = NULL;
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	/* A field left empty on the form is asked for, not called too long. */
	f_of("", "ヤマダ ハナコ", "2016-05-01", "", "小5", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	assert_string_equal(why, "氏名を入力してください。");
	f_of("山田 花子", "ヤマダ ハナコ", "", "", "小5", f);
	assert_int_equal(plaza_fields_check(f, TODAY, &why), 0);
	assert_string_equal(why, "生年月日を入力してください。");
}

static void test_grades_ages(void **state)
{
	(void)state;
	assert_string_equal(plaza_grade_next("小1", "2019-06-01", 2026), "小2");
	assert_string_equal(plaza_grade_next("小6", "2014-06-01", 2026), "中1");
	assert_string_equal(plaza_grade_next("中3", "2011-06-01", 2026), "高1");
	assert_string_equal(plaza_grade_next("高3", "2008-06-01", 2026), "卒業");
	assert_string_equal(plaza_grade_next("卒業", "2007-06-01", 2026), "卒業");
	assert_string_equal(plaza_grade_next("一般", "1990-06-01", 2026), "一般");
	/* School starts in the April after the sixth birthday; born on April 1 goes a year early.
	 */
	assert_string_equal(plaza_grade_next("未就学", "2020-04-01", 2026), "小1");
	assert_string_equal(plaza_grade_next("未就学", "2020-04-02", 2026), "未就学");
	assert_int_equal(plaza_age("2016-12-06", TODAY), 10);
	assert_int_equal(plaza_age("2016-12-07", TODAY), 9);
	assert_int_equal(plaza_age("bad", TODAY), -1);
	assert_string_equal(plaza_band(5), "0-5");
	assert_string_equal(plaza_band(6), "6-12");
	assert_string_equal(plaza_band(13), "13-15");
	assert_string_equal(plaza_band(18), "16-18");
	assert_string_equal(plaza_band(19), "19+");
	assert_int_equal(plaza_fiscal_year("2027-03-31"), 2026);
	assert_int_equal(plaza_fiscal_year("2027-04-01"), 2027);
	char cut[11];
	plaza_cutoff("2028-02-29", 3, cut);
	assert_string_equal(cut, "2025-02-28");
	assert_int_equal(plaza_find("葛西"), 4);
	assert_int_equal(plaza_find("minamishinozaki"), 5);
	assert_int_equal(plaza_find("江戸川"), 0);
}

struct env {
	struct env_base b;
	const struct vault *v;
	struct store_conn *c;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	store_env_open(&e->b, "plaza");
	e->v = keyring_vault(e->b.k, PLAZA_SERVICE);
	assert_non_null(e->v);
	e->c = store_acquire(e->b.s);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	store_release(e->c);
	store_env_close(&e->b);
	free(e);
	return 0;
}

/* Registers a user at plaza p; returns its id. */
static int64_t add(struct env *e, int64_t p, const char *name, const char *kana, const char *birth,
		   const char *phone, const char *grade, char card[16])
{
	char *f[PF_COUNT];
	int64_t id = 0;
	f_of(name, kana, birth, phone, grade, f);
	assert_int_equal(store_begin(e->c), ERR_OK);
	assert_int_equal(plaza_user_write(e->c, e->v, 0, p, f, TODAY, 1, &id, card), ERR_OK);
	assert_int_equal(store_commit(e->c), ERR_OK);
	return id;
}

static int64_t count(struct env *e, const char *sql)
{
	struct store_stmt *st = store_prepare(e->c, sql);
	assert_non_null(st);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int(st, 0);
	store_finish(st);
	return n;
}

static void test_search(void **state)
{
	struct env *e = *state;
	char card[16], name[64], kana[64];
	/* 60 タナカ at 平井, registered in reverse kana order; one at 葛西. */
	for (int i = 59; i >= 0; i--) {
		snprintf(name, sizeof name, "田中 %02d郎", i);
		snprintf(kana, sizeof kana, "たなか %s%s", i < 30 ? "あ" : "い",
			 i % 2 ? "か" : "き");
		add(e, 1, name, kana, "2015-06-01", NULL, "小6", card);
	}
	char card_k[16], card_h[16];
	add(e, 4, "田中 葛男", "タナカ カツオ", "2014-01-02", "090-1111-2222", "中1", card_k);
	int64_t hana =
	    add(e, 1, "髙橋　花子", "タカハシ ハナコ", "2016-05-01", "03-1234-5678", "小5", card_h);
	assert_int_equal(strlen(card_h), 7);
	assert_int_equal(card_h[0], '1');
	assert_int_equal(card_k[0], '4');
	/* Nothing personal is stored plain. */
	assert_int_equal(count(e, "SELECT count(*) FROM plaza_users WHERE CAST(name AS TEXT) LIKE "
				  "'%田中%' OR CAST(kana AS TEXT) LIKE '%タナカ%'"),
			 0);

	int64_t *ids = NULL;
	size_t n = 0, total = 0;
	const char *why = NULL;
	assert_int_equal(plaza_search(e->c, e->v, 1, "たなか", PLAZA_SHOW, &ids, &n, &total, &why),
			 ERR_OK);
	assert_int_equal(total, 60);
	assert_int_equal(n, 50);
	/* In kana order: タナカアカ, タナカアキ, … then タナカイ…. */
	char prev[128] = "";
	for (size_t i = 0; i < n; i++) {
		struct plaza_user u;
		assert_int_equal(plaza_user_load(e->c, e->v, ids[i], &u), ERR_OK);
		assert_int_equal(u.plaza_id, 1);
		char folded[128];
		text_kana_fold(u.f[PF_KANA], folded, sizeof folded);
		assert_true(strcmp(prev, folded) <= 0);
		snprintf(prev, sizeof prev, "%s", folded);
		plaza_user_clear(&u);
	}
	assert_string_equal(prev, "タナカイキ");
	free(ids);
	/* 葛西's desk sees its own タナカ only. */
	assert_int_equal(plaza_search(e->c, e->v, 4, "タナカ", PLAZA_SHOW, &ids, &n, &total, &why),
			 ERR_OK);
	assert_int_equal(total, 1);
	free(ids);
	/* A longer ふりがな than the indexed prefix is checked on the hits. */
	assert_int_equal(
	    plaza_search(e->c, e->v, 1, "たなか あか", PLAZA_SHOW, &ids, &n, &total, &why), ERR_OK);
	assert_int_equal(total, 15);
	free(ids);
	/* 氏名 (spaces folded), surname, birth (和暦 too), phone, card number. */
	const char *q[] = {"髙橋花子",	     "髙橋",	   "2016-05-01",
			   "平成28年5月1日", "0312345678", card_h};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		assert_int_equal(
		    plaza_search(e->c, e->v, 1, q[i], PLAZA_SHOW, &ids, &n, &total, &why), ERR_OK);
		assert_int_equal(total, 1);
		assert_int_equal(ids[0], hana);
		free(ids);
	}
	/* Another plaza's card is not found at 平井. */
	assert_int_equal(plaza_search(e->c, e->v, 1, card_k, PLAZA_SHOW, &ids, &n, &total, &why),
			 ERR_OK);
	assert_int_equal(total, 0);
	free(ids);
	assert_int_equal(plaza_search(e->c, e->v, 1, "た", PLAZA_SHOW, &ids, &n, &total, &why),
			 ERR_INVALID);
	assert_non_null(why);
	assert_int_equal(plaza_search(e->c, e->v, 1, "", PLAZA_SHOW, &ids, &n, &total, &why),
			 ERR_INVALID);
}

static void test_visits_yearly(void **state)
{
	struct env *e = *state;
	char card[16], card2[16], card3[16];
	int64_t a = add(e, 2, "鈴木 一郎", "すずき いちろう", "2019-06-01", NULL, "小1", card);
	int64_t b = add(e, 2, "鈴木 二郎", "すずき じろう", "2020-04-01", NULL, "未就学", card2);
	int64_t c3 = add(e, 3, "佐藤 三郎", "さとう さぶろう", "2009-06-01", NULL, "高2", card3);
	int64_t uid = 0;
	const char *band = NULL;
	int again = -1;
	assert_int_equal(plaza_visit_record(e->c, e->v, 2, card, TODAY, 5, &uid, &band, &again),
			 ERR_OK);
	assert_int_equal(uid, a);
	assert_string_equal(band, "6-12");
	assert_int_equal(again, 0);
	assert_int_equal(plaza_visit_record(e->c, e->v, 2, card, TODAY, 6, &uid, &band, &again),
			 ERR_OK);
	assert_int_equal(again, 1);
	assert_int_equal(plaza_visit_record(e->c, e->v, 2, card3, TODAY, 7, &uid, &band, &again),
			 ERR_NOTFOUND);
	assert_int_equal(plaza_visit_record(e->c, e->v, 3, card3, TODAY, 8, &uid, &band, &again),
			 ERR_OK);
	assert_string_equal(band, "16-18");
	struct buf out;
	buf_init(&out, 1 << 20);
	assert_int_equal(plaza_counts(e->c, 0, "2026-12-01", TODAY, 1, &out), ERR_OK);
	assert_non_null(strstr(out.data, "中央,2026-12-06,6〜12歳,1\r\n"));
	assert_non_null(strstr(out.data, "南小岩,2026-12-06,16〜18歳,1\r\n"));
	/* The bands in age order, not text order. */
	assert_int_equal(store_exec(e->c,
				    "INSERT INTO plaza_visits (plaza_id, on_date, band, at_ms) "
				    "VALUES (5, '2026-12-06', '6-12', 1), (5, '2026-12-06', "
				    "'0-5', 1), (5, '2026-12-06', '19+', 1), (5, '2026-12-06', "
				    "'16-18', 1)"),
			 ERR_OK);
	buf_free(&out);
	buf_init(&out, 1 << 20);
	assert_int_equal(plaza_counts(e->c, 5, TODAY, TODAY, 1, &out), ERR_OK);
	assert_non_null(strstr(out.data,
			       "南篠崎,2026-12-06,0〜5歳,1\r\n南篠崎,2026-12-06,6〜12歳,1\r\n"
			       "南篠崎,2026-12-06,16〜18歳,1\r\n南篠崎,2026-12-06,19歳以上,1\r\n"));
	/* A BOM first, for Excel (the other exports have one). */
	assert_memory_equal(out.data, "\xEF\xBB\xBF", 3);
	buf_free(&out);
	buf_init(&out, 1 << 20);
	assert_int_equal(plaza_counts(e->c, 2, "2026-12-01", TODAY, 0, &out), ERR_OK);
	assert_null(strstr(out.data, "南小岩"));
	assert_non_null(strstr(out.data, "\"band\":\"6-12\",\"visits\":1"));
	buf_free(&out);

	/* The April update: once per year; 小1 → 小2, 未就学 born 2020-04-01 → 小1, 高2 → 高3. */
	size_t moved = 0;
	int before = -1;
	assert_int_equal(plaza_grade_update(e->c, e->b.v, e->v, 2026, "test", 9, &moved, &before),
			 ERR_OK);
	assert_int_equal(before, 0);
	assert_int_equal(moved, 0); /* registered this school year: nothing moves */
	assert_int_equal(plaza_grade_update(e->c, e->b.v, e->v, 2027, "test", 10, &moved, &before),
			 ERR_OK);
	assert_int_equal(before, 0);
	assert_true(moved >= 3);
	struct plaza_user u;
	const int64_t who[] = {a, b, c3};
	const char *want[] = {"小2", "小1", "高3"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(plaza_user_load(e->c, e->v, who[i], &u), ERR_OK);
		assert_string_equal(u.f[PF_GRADE], want[i]);
		assert_int_equal(u.grade_fy, 2027);
		plaza_user_clear(&u);
	}
	assert_int_equal(plaza_grade_update(e->c, e->b.v, e->v, 2027, "test", 11, &moved, &before),
			 ERR_OK);
	assert_int_equal(before, 1);
	assert_int_equal(plaza_user_load(e->c, e->v, a, &u), ERR_OK);
	assert_string_equal(u.f[PF_GRADE], "小2");
	plaza_user_clear(&u);
	assert_int_equal(count(e, "SELECT count(*) FROM audit WHERE action = 'plaza.grade_update'"),
			 2);

	/* Not seen for 3 years: a and b (their last day set back); c3 was seen today. */
	assert_int_equal(store_exec(e->c, "UPDATE plaza_users SET active_on = '2022-04-01' WHERE "
					  "plaza_id = 2"),
			 ERR_OK);
	char cutoff[11];
	plaza_cutoff(TODAY, 3, cutoff);
	int64_t *ids = NULL;
	size_t n = 0, deleted = 0;
	assert_int_equal(plaza_inactive_list(e->c, 0, cutoff, &ids, &n), ERR_OK);
	assert_int_equal(n, 2);
	free(ids);
	assert_int_equal(plaza_inactive_delete(e->c, e->b.v, 0, cutoff, 1, "test", &deleted),
			 ERR_CONFLICT);
	assert_int_equal(count(e, "SELECT count(*) FROM plaza_users WHERE plaza_id = 2"), 2);
	assert_int_equal(plaza_inactive_delete(e->c, e->b.v, 0, cutoff, 2, "test", &deleted),
			 ERR_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(count(e, "SELECT count(*) FROM plaza_users WHERE plaza_id = 2"), 0);
	assert_int_equal(count(e, "SELECT count(*) FROM plaza_terms WHERE plaza_id = 2"), 0);
	/* The visit stays as a count, without its user. */
	assert_int_equal(count(e,
			       "SELECT count(*) FROM plaza_visits WHERE plaza_id = 2 AND user_id "
			       "IS NULL"),
			 1);
	assert_int_equal(count(e, "SELECT count(*) FROM audit WHERE action = 'plaza.user_delete'"),
			 2);
	assert_int_equal(count(e, "SELECT count(*) FROM audit WHERE action = "
				  "'plaza.inactive_delete'"),
			 1);

	/* Cards: a PDF of the plaza's users; another plaza's user is refused. */
	buf_init(&out, 16 << 20);
	assert_int_equal(plaza_cards_pdf(e->c, e->v, 3, &c3, 1, &out), ERR_OK);
	assert_memory_equal(out.data, "%PDF", 4);
	buf_free(&out);
	buf_init(&out, 16 << 20);
	int64_t first = 1;
	assert_int_equal(plaza_cards_pdf(e->c, e->v, 3, &first, 1, &out), ERR_NOTFOUND);
	assert_int_equal(plaza_cards_pdf(e->c, e->v, 3, &first, 0, &out), ERR_INVALID);
	buf_free(&out);
}

int main(void)
{
	vault_global_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checks),
	    cmocka_unit_test(test_grades_ages),
	    cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visits_yearly, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
