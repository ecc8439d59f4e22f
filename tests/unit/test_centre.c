/* SPDX-License-Identifier: MIT */
/* test_centre.c — the development centre's own parts on a real SQLite store: the fee capped by
 * the monthly cap, the review six months on, the child and contacts checked and sealed, the
 * contract's terms, the day's list by weekday and attendance, the month's statements and their
 * PDF, the parents' thread and the notice that carries none of its content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/user.h"
#include "base/buf.h"
#include "centre/centre.h"
#include "store/store.h"
#include "store_env.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define NOW 1796000000000 /* 2026-11-30 (fiscal year 2026), a Monday */

static void test_fee_and_review(void **state)
{
	(void)state;
	char r[11];
	/* days × fee per day, at most the household's cap (national caps 0 / 4,600 / 37,200) */
	assert_int_equal(centre_fee(3, 1200, 4600), 3600);
	assert_int_equal(centre_fee(4, 1150, 4600), 4600);
	assert_int_equal(centre_fee(10, 1200, 4600), 4600);
	assert_int_equal(centre_fee(20, 1200, 0), 0);
	assert_int_equal(centre_fee(30, 1200, 37200), 36000);
	assert_int_equal(centre_fee(31, 1250, 37200), 37200);
	assert_int_equal(centre_fee(0, 1200, 37200), 0);
	assert_int_equal(centre_fee(-1, 1200, 37200), 0);
	assert_int_equal(centre_review_date("2026-11-30", r), ERR_OK);
	assert_string_equal(r, "2027-05-30");
	assert_int_equal(centre_review_date("2026-08-31", r), ERR_OK);
	assert_string_equal(r, "2027-02-28");
	assert_int_equal(centre_review_date("2023-08-31", r), ERR_OK);
	assert_string_equal(r, "2024-02-29");
	assert_int_equal(centre_review_date("2026-04-01", r), ERR_OK);
	assert_string_equal(r, "2026-10-01");
	assert_int_equal(centre_review_date("2026-02-30", r), ERR_INVALID);
	assert_true(centre_note_kind_ok("支援記録"));
	assert_false(centre_note_kind_ok("雑談"));
}

static void test_person_contact(void **state)
{
	(void)state;
	char why[CENTRE_WHY_MAX];
	json_t *p = json_pack("{s:s, s:s, s:s}", "name", "髙橋 𠮷男", "kana", "たかはし よしお",
			      "birth", "2022-05-01");
	char *t = centre_person_parse(p, "2026-11-30", why);
	assert_non_null(t);
	assert_non_null(strstr(t, "𠮷男"));
	free(t);
	json_object_set_new(p, "birth", json_string("2027-01-01"));
	assert_null(centre_person_parse(p, "2026-11-30", why));
	assert_non_null(strstr(why, "生年月日"));
	json_decref(p);
	json_t *k = json_pack("{s:s, s:s, s:s}", "parent", "髙橋 花子", "phone", "03-1111-2222",
			      "email", "not-an-address");
	assert_null(centre_contact_parse(k, why));
	assert_non_null(strstr(why, "メールアドレス"));
	json_object_set_new(k, "email", json_string("hanako@example.jp"));
	t = centre_contact_parse(k, why);
	assert_non_null(t);
	assert_non_null(strstr(t, "\"stop\":\"\""));
	free(t);
	json_object_del(k, "phone");
	assert_null(centre_contact_parse(k, why));
	assert_non_null(strstr(why, "電話番号"));
	json_decref(k);
}

static int64_t add_user(struct env_base *e, struct store_conn *c, const char *login,
			const char *role)
{
	const char *why = NULL;
	assert_int_equal(user_add(e->s, e->v, login, role, NULL, 0, "Kotoba-no-Mori-2026", &why),
			 ERR_OK);
	struct store_stmt *st = store_prepare(c, "SELECT id FROM users WHERE login = ?1");
	store_bind_text(st, 1, login);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t id = store_col_int(st, 0);
	store_finish(st);
	return id;
}

/* Returns the count the one-number query sql gives. */
static int64_t count(struct store_conn *c, const char *sql)
{
	struct store_stmt *st = store_prepare(c, sql);
	assert_non_null(st);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int(st, 0);
	store_finish(st);
	return n;
}

static void test_contract_day_fees_thread(void **state)
{
	(void)state;
	struct env_base e;
	char why[CENTRE_WHY_MAX], number[16];
	int64_t id = 0, id2 = 0, ver = 0;
	int n = 0, mailed = 0;
	store_env_open(&e, "centre");
	const struct vault *v = keyring_vault(e.k, CENTRE_SERVICE);
	struct store_conn *c = store_acquire(e.s);
	int64_t staff = add_user(&e, c, "staff1", "centre_staff");
	int64_t parent = add_user(&e, c, "parent1", "centre_parent");
	assert_int_equal(centre_child_create(c, v, "{\"name\":\"山田 花子\",\"kana\":\"やまだ\"}",
					     "{\"parent\":\"山田 一郎\",\"stop\":\"北口\"}", 0, NOW,
					     &id, number),
			 ERR_OK);
	assert_string_equal(number, "C2026-0001");
	assert_int_equal(centre_child_create(c, v, "{\"name\":\"x\"}", "{}", 0, NOW, &id2, number),
			 ERR_OK);
	assert_string_equal(number, "C2026-0002");
	assert_int_equal(count(c, "SELECT count(*) FROM ce_cases WHERE instr(person, '山田') > 0 "
				  "OR instr(contract, '北口') > 0"),
			 0);
	/* The terms: a route that does not exist is refused. */
	struct centre_terms t;
	json_t *j = json_pack("{s:s, s:s, s:i, s:[i, i, i], s:s, s:i, s:i}", "from", "2026-04-01",
			      "to", "2027-03-31", "days", 23, "weekdays", 1, 3, 5, "route", "east",
			      "unit_fee", 1200, "cap", 4600);
	assert_int_equal(centre_terms_parse(c, j, &t, why), ERR_INVALID);
	assert_non_null(strstr(why, "送迎ルート"));
	assert_int_equal(centre_route_put(c, "east", "東ルート", "08:30", "16:30", why), ERR_OK);
	assert_int_equal(centre_route_put(c, "East!", "x", "08:30", "16:30", why), ERR_INVALID);
	assert_int_equal(centre_route_put(c, "west", "西", "8時", "16:30", why), ERR_INVALID);
	assert_int_equal(centre_terms_parse(c, j, &t, why), ERR_OK);
	assert_int_equal(t.weekdays, (1 << 1) | (1 << 3) | (1 << 5));
	json_object_set_new(j, "days", json_integer(40));
	assert_int_equal(centre_terms_parse(c, j, &t, why), ERR_INVALID);
	json_object_set_new(j, "days", json_integer(23));
	json_object_set_new(j, "to", json_string("2026-03-31"));
	assert_int_equal(centre_terms_parse(c, j, &t, why), ERR_INVALID);
	json_object_set_new(j, "to", json_string("2027-03-31"));
	assert_int_equal(centre_terms_parse(c, j, &t, why), ERR_OK);
	json_decref(j);
	assert_int_equal(centre_contract_set(c, v, id, &t, NULL, NOW), ERR_OK);
	assert_int_equal(centre_contract_set(c, v, 999, &t, NULL, NOW), ERR_NOTFOUND);
	assert_int_equal(casework_assign(c, &centre_casework, id, staff, 0, NOW),
			 ERR_INVALID); /* not of the centre yet */
	assert_int_equal(casework_worker_set(c, &centre_casework, staff, CENTRE_UNIT, 0, NOW),
			 ERR_OK);
	assert_int_equal(casework_assign(c, &centre_casework, id, staff, 0, NOW), ERR_OK);
	/* The day's list: Monday 2026-11-30 is a contracted weekday, Tuesday is not. */
	json_t *day = NULL;
	assert_int_equal(centre_day_json(c, v, "2026-11-30", 1, 0, &day), ERR_OK);
	assert_int_equal(json_array_size(day), 1);
	json_t *d0 = json_array_get(day, 0);
	assert_string_equal(json_string_value(json_object_get(d0, "name")), "山田 花子");
	assert_string_equal(json_string_value(json_object_get(d0, "stop")), "北口");
	assert_string_equal(json_string_value(json_object_get(d0, "pickup")), "08:30");
	assert_true(json_is_true(json_object_get(d0, "bus")));
	json_decref(day);
	assert_int_equal(centre_day_json(c, v, "2026-12-01", 1, 0, &day), ERR_OK);
	assert_int_equal(json_array_size(day), 0);
	json_decref(day);
	/* A staff member sees their assigned children only. */
	assert_int_equal(centre_day_json(c, v, "2026-11-30", 0, parent, &day), ERR_OK);
	assert_int_equal(json_array_size(day), 0);
	json_decref(day);
	assert_int_equal(centre_day_json(c, v, "2026-13-01", 1, 0, &day), ERR_INVALID);
	/* Attendance in November: 4 present, 1 absent → 4 × 1,200 = 4,800, capped at 4,600. */
	const char *days[] = {"2026-11-02", "2026-11-04", "2026-11-06", "2026-11-09"};
	for (int i = 0; i < 4; i++)
		assert_int_equal(
		    centre_attendance_set(c, id, days[i], "present", 1, staff, NOW, why), ERR_OK);
	assert_int_equal(centre_attendance_set(c, id, "2026-11-11", "absent", 1, staff, NOW, why),
			 ERR_OK);
	assert_int_equal(centre_attendance_set(c, id, "2026-11-11", "late", 0, staff, NOW, why),
			 ERR_INVALID);
	assert_int_equal(centre_attendance_set(c, id, "2026-12-01", "present", 0, staff, NOW, why),
			 ERR_OK);
	assert_int_equal(centre_statements_make(c, "2026-11", 0, 0, NOW, &n), ERR_OK);
	assert_int_equal(n, 1); /* the application without a contract has none */
	json_t *ss = centre_statements_json(c, 0, "2026-11");
	assert_int_equal(json_array_size(ss), 1);
	json_t *s0 = json_array_get(ss, 0);
	assert_int_equal(json_integer_value(json_object_get(s0, "days")), 4);
	assert_int_equal(json_integer_value(json_object_get(s0, "amount")), 4600);
	int64_t sid = json_integer_value(json_object_get(s0, "id"));
	json_decref(ss);
	/* Made again after a correction: the same statement, new figures (3 × 1,200). */
	assert_int_equal(centre_attendance_set(c, id, "2026-11-09", "absent", 0, staff, NOW, why),
			 ERR_OK);
	assert_int_equal(centre_statements_make(c, "2026-11", id, 0, NOW, &n), ERR_OK);
	ss = centre_statements_json(c, id, NULL);
	assert_int_equal(json_array_size(ss), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ss, 0), "amount")),
			 3600);
	json_decref(ss);
	assert_int_equal(centre_statements_make(c, "2026-13", 0, 0, NOW, &n), ERR_INVALID);
	struct buf pdf;
	char name[64];
	int64_t child = 0;
	buf_init(&pdf, 4 * 1024 * 1024);
	assert_int_equal(centre_statement_pdf(c, v, sid, &child, name, &pdf), ERR_OK);
	assert_int_equal(child, id);
	assert_string_equal(name, "centre-statement-C2026-0001-2026-11.pdf");
	assert_true(pdf.len > 1000);
	assert_memory_equal(pdf.data, "%PDF", 4);
	buf_free(&pdf);
	buf_init(&pdf, 4 * 1024 * 1024);
	assert_int_equal(centre_statement_pdf(c, v, 999, &child, name, &pdf), ERR_NOTFOUND);
	buf_free(&pdf);
	/* Plans: the review six months on; reviews due. */
	json_t *plan = json_pack("{s:s, s:s, s:[s]}", "on_date", "2026-06-10", "policy", "遊びから",
				 "goals", "身振りで伝える");
	char review[11];
	assert_int_equal(centre_plan_add(c, v, id, plan, 0, NOW, &ver, review, why), ERR_OK);
	assert_int_equal(ver, 1);
	assert_string_equal(review, "2026-12-10");
	json_object_set_new(plan, "goals", json_array());
	assert_int_equal(centre_plan_add(c, v, id, plan, 0, NOW, &ver, review, why), ERR_INVALID);
	json_decref(plan);
	assert_int_not_equal(store_exec(c, "UPDATE ce_plans SET review_on = '2000-01-01'"), ERR_OK);
	json_t *due = centre_reviews_due(c, "2026-12-31");
	assert_int_equal(json_array_size(due), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(due, 0), "review_on")),
			    "2026-12-10");
	json_decref(due);
	due = centre_reviews_due(c, "2026-12-09");
	assert_int_equal(json_array_size(due), 0);
	json_decref(due);
	json_t *a = json_pack("{s:s, s:s}", "on_date", "2026-11-30", "summary", "発達の見立て");
	assert_int_equal(centre_assessment_add(c, v, id, a, 0, NOW, why), ERR_OK);
	json_object_del(a, "summary");
	assert_int_equal(centre_assessment_add(c, v, id, a, 0, NOW, why), ERR_INVALID);
	json_decref(a);
	/* The thread: the centre's message mails the parent a notice without the content. */
	assert_int_equal(centre_parent_link(c, v, parent, id, "ichiro@example.jp", 0, NOW), ERR_OK);
	assert_int_equal(centre_is_parent(c, parent, id), 1);
	assert_int_equal(centre_is_parent(c, parent, id2), 0);
	assert_int_equal(centre_message_add(c, v, id, staff, 0, "今日は公園で秘密の話", "https://x",
					    NOW, &mailed, why),
			 ERR_OK);
	assert_int_equal(mailed, 1);
	assert_int_equal(centre_message_add(c, v, id, parent, 1, "ありがとうございます", NULL, NOW,
					    &mailed, why),
			 ERR_OK);
	assert_int_equal(mailed, 0);
	assert_int_equal(centre_message_add(c, v, id, parent, 1, "", NULL, NOW, &mailed, why),
			 ERR_INVALID);
	assert_int_equal(count(c, "SELECT count(*) FROM outbox WHERE service = 'centre'"), 1);
	json_t *o = NULL;
	assert_int_equal(centre_child_json(c, v, id, &o), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(o, "messages")), 2);
	assert_true(json_is_true(
	    json_object_get(json_array_get(json_object_get(o, "messages"), 1), "from_parent")));
	assert_int_equal(json_array_size(json_object_get(o, "plans")), 1);
	assert_int_equal(json_array_size(json_object_get(o, "assessments")), 1);
	assert_int_equal(json_array_size(json_object_get(o, "parents")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "contracted");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "contract"), "cap")),
			 4600);
	json_decref(o);
	assert_int_equal(centre_child_json(c, v, 999, &o), ERR_NOTFOUND);
	/* Under another key nothing opens. */
	assert_int_equal(centre_child_json(c, e.v, id, &o), ERR_CRYPTO);
	store_release(c);
	store_env_close(&e);
}

static void test_welcome_link(void **state)
{
	(void)state;
	struct env_base e;
	int64_t uid = 0;
	store_env_open(&e, "centre-w");
	const struct vault *v = keyring_vault(e.k, CENTRE_SERVICE);
	struct store_conn *c = store_acquire(e.s);
	int64_t parent = add_user(&e, c, "parent1", "centre_parent");
	assert_int_equal(centre_welcome_issue(c, v, parent, "parent1", "p1@example.jp",
					      "https://ward.example", NOW),
			 ERR_OK);
	assert_int_equal(count(c, "SELECT count(*) FROM outbox WHERE service = 'centre'"), 1);
	assert_int_equal(count(c, "SELECT count(*) FROM ce_parent_tokens"), 1);
	/* Only the hash is stored, and the token is in the mail (sealed): read it back. */
	struct store_stmt *st = store_prepare(c, "SELECT body_enc FROM outbox");
	assert_non_null(st);
	assert_int_equal(store_step(st), STORE_ROW);
	char *body = NULL;
	assert_int_equal(vault_unseal_column(v, st, 0, "outbox.body", &body), ERR_OK);
	store_finish(st);
	char *t = strstr(body, "#t=");
	assert_non_null(t);
	char token[128];
	snprintf(token, sizeof token, "%.*s", (int)strcspn(t + 3, "\n"), t + 3);
	assert_non_null(strstr(body, "ログインID: parent1"));
	vault_wipe_free(body);
	assert_int_equal(centre_welcome_peek(c, "wrong-token", NOW, &uid), ERR_NOTFOUND);
	assert_int_equal(centre_welcome_peek(c, token, NOW + 8LL * 86400000, &uid), ERR_NOTFOUND);
	assert_int_equal(centre_welcome_peek(c, token, NOW, &uid), ERR_OK);
	assert_int_equal(uid, parent);
	assert_int_equal(centre_welcome_use(c, token, NOW), ERR_OK);
	assert_int_equal(centre_welcome_use(c, token, NOW), ERR_NOTFOUND);
	assert_int_equal(centre_welcome_peek(c, token, NOW, &uid), ERR_NOTFOUND);
	store_release(c);
	store_env_close(&e);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	setenv("MIMAMORI_PASSWORD_COST", "test", 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fee_and_review),
	    cmocka_unit_test(test_person_contact),
	    cmocka_unit_test(test_contract_day_fees_thread),
	    cmocka_unit_test(test_welcome_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
