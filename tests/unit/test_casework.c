/* SPDX-License-Identifier: MIT */
/* test_casework.c — the platform's casework layer (src/casework/) on a real SQLite store: who
 * reaches a case (an assigned worker of the case's unit, the supervisor; nobody else, not even
 * for a case that does not exist), assignment only within the unit, openings with the reason of
 * the day and their audit entries, break-glass and its review, versioned notes that the
 * database refuses to change, case numbers by fiscal year, a person's fields and birth date.
 * Runs on the tables of sql/0029_youth.sql (prefix "yo"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/role.h"
#include "auth/user.h"
#include "base/clock.h"
#include "casework/casework.h"
#include "store/store.h"
#include "store_env.h"
#include "vault/keyring.h"
#include "vault/vault.h"

static const struct casework_kind kind = {
    .prefix = "yo",
    .object = "test_case",
    .worker_role = ROLE_YOUTH_WORKER,
    .supervisor_role = ROLE_YOUTH_SUPERVISOR,
    .number_letter = 'T',
};

struct fx {
	struct env_base e;
	const struct vault *sv; /* the service's key */
	struct store_conn *c;
	int64_t sup, hirai, hirai2, kasai, ward;
	int64_t case_h, case_k;
	int64_t now;
};

static int64_t add_user(struct fx *f, const char *login, const char *role)
{
	const char *why = NULL;
	assert_int_equal(
	    user_add(f->e.s, f->e.v, login, role, NULL, 0, "Kotoba-no-Mori-2026", &why), ERR_OK);
	struct store_stmt *st = store_prepare(f->c, "SELECT id FROM users WHERE login = ?1");
	store_bind_text(st, 1, login);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t id = store_col_int(st, 0);
	store_finish(st);
	return id;
}

static int64_t add_case(struct fx *f, const char *unit, const char *number)
{
	struct store_stmt *st = store_prepare(
	    f->c, "INSERT INTO yo_cases (number, unit, person, profile, created_ms, updated_ms) "
		  "VALUES (?1, ?2, x'00', x'00', 1, 1)");
	store_bind_text(st, 1, number);
	store_bind_text(st, 2, unit);
	assert_int_equal(store_run(st), ERR_OK);
	return store_last_id(f->c);
}

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof f);
	store_env_open(&f.e, "casework");
	f.sv = keyring_vault(f.e.k, "youth");
	assert_non_null(f.sv);
	f.c = store_acquire(f.e.s);
	f.sup = add_user(&f, "sv", "youth_supervisor");
	f.hirai = add_user(&f, "w-hirai", "youth_worker");
	f.hirai2 = add_user(&f, "w-hirai2", "youth_worker");
	f.kasai = add_user(&f, "w-kasai", "youth_worker");
	f.ward = add_user(&f, "ward1", "ward_staff");
	f.now = 1796000000000; /* 2026-11-30 */
	assert_int_equal(casework_worker_set(f.c, &kind, f.hirai, "hirai", f.sup, f.now), ERR_OK);
	assert_int_equal(casework_worker_set(f.c, &kind, f.hirai2, "hirai", f.sup, f.now), ERR_OK);
	assert_int_equal(casework_worker_set(f.c, &kind, f.kasai, "kasai", f.sup, f.now), ERR_OK);
	f.case_h = add_case(&f, "hirai", "Y2026-0001");
	f.case_k = add_case(&f, "kasai", "Y2026-0002");
	assert_int_equal(casework_assign(f.c, &kind, f.case_h, f.hirai, f.sup, f.now), ERR_OK);
	assert_int_equal(casework_assign(f.c, &kind, f.case_k, f.kasai, f.sup, f.now), ERR_OK);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_release(f->c);
	store_env_close(&f->e);
	return 0;
}

static enum casework_access how(struct fx *f, int64_t user, unsigned role, int64_t id,
				enum err want)
{
	enum casework_access h = CASEWORK_NONE;
	char day[11];
	clock_jst_date(f->now, day, sizeof day);
	assert_int_equal(casework_access(f->c, &kind, user, role, id, day, &h), want);
	return h;
}

static void test_rule(void **state)
{
	struct fx *f = *state;
	assert_int_equal(how(f, f->sup, ROLE_YOUTH_SUPERVISOR, f->case_h, ERR_OK),
			 CASEWORK_SUPERVISOR);
	assert_int_equal(how(f, f->sup, ROLE_YOUTH_SUPERVISOR, f->case_k, ERR_OK),
			 CASEWORK_SUPERVISOR);
	assert_int_equal(how(f, f->hirai, ROLE_YOUTH_WORKER, f->case_h, ERR_OK), CASEWORK_ASSIGNED);
	/* A worker of 平井 cannot reach a case of 葛西; an unassigned worker of 平井 neither. */
	assert_int_equal(how(f, f->hirai, ROLE_YOUTH_WORKER, f->case_k, ERR_NOTFOUND),
			 CASEWORK_NONE);
	assert_int_equal(how(f, f->hirai2, ROLE_YOUTH_WORKER, f->case_h, ERR_NOTFOUND),
			 CASEWORK_NONE);
	/* Ward staff (another role) and a case that does not exist look the same: none. */
	how(f, f->ward, ROLE_WARD_STAFF, f->case_h, ERR_NOTFOUND);
	how(f, f->ward, ROLE_WARD_ADMIN, f->case_h, ERR_NOTFOUND);
	how(f, f->sup, ROLE_YOUTH_SUPERVISOR, 9999, ERR_NOTFOUND);
	/* Assignment stays within the case's unit. */
	assert_int_equal(casework_assign(f->c, &kind, f->case_k, f->hirai2, f->sup, f->now),
			 ERR_INVALID);
	assert_int_equal(casework_assign(f->c, &kind, 9999, f->hirai2, f->sup, f->now),
			 ERR_NOTFOUND);
	/* A worker whose unit changes keeps no case of the old unit. */
	assert_int_equal(casework_assign(f->c, &kind, f->case_h, f->hirai2, f->sup, f->now),
			 ERR_OK);
	how(f, f->hirai2, ROLE_YOUTH_WORKER, f->case_h, ERR_OK);
	assert_int_equal(casework_worker_set(f->c, &kind, f->hirai2, "kasai", f->sup, f->now),
			 ERR_OK);
	how(f, f->hirai2, ROLE_YOUTH_WORKER, f->case_h, ERR_NOTFOUND);
	json_t *w = casework_assigned_json(f->c, &kind, f->case_h);
	assert_int_equal(json_array_size(w), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "login")),
			    "w-hirai");
	json_decref(w);
	assert_int_equal(casework_worker_set(f->c, &kind, f->hirai2, "hirai", f->sup, f->now),
			 ERR_OK);
}

/* Returns the number of audit entries of action whose detail contains text. */
static int64_t audits(struct fx *f, const char *action, const char *text)
{
	struct store_stmt *st = store_prepare(
	    f->c, "SELECT count(*) FROM audit WHERE action = ?1 AND instr(detail, ?2) > 0");
	store_bind_text(st, 1, action);
	store_bind_text(st, 2, text);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int(st, 0);
	store_finish(st);
	return n;
}

static void test_open_reason(void **state)
{
	struct fx *f = *state;
	enum casework_access h;
	const char *why = NULL;
	/* The first open of the day asks a reason. */
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:2", f->hirai, ROLE_YOUTH_WORKER,
				       f->case_h, "", 0, f->now, &h, &why),
			 ERR_INVALID);
	assert_non_null(why);
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:2", f->hirai, ROLE_YOUTH_WORKER,
				       f->case_h, "面談\n改行", 0, f->now, &h, &why),
			 ERR_INVALID);
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:2", f->hirai, ROLE_YOUTH_WORKER,
				       f->case_h, "学習サポート面談の準備", 0, f->now, &h, &why),
			 ERR_OK);
	assert_int_equal(h, CASEWORK_ASSIGNED);
	assert_int_equal(audits(f, "casework.open", "学習サポート面談の準備"), 1);
	/* Later the same day: no reason needed, still recorded and audited. */
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:2", f->hirai, ROLE_YOUTH_WORKER,
				       f->case_h, NULL, 0, f->now + 60000, &h, &why),
			 ERR_OK);
	assert_int_equal(audits(f, "casework.open", "opened earlier today"), 1);
	/* The next day asks again. */
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:2", f->hirai, ROLE_YOUTH_WORKER,
				       f->case_h, "", 0, f->now + 86400000, &h, &why),
			 ERR_INVALID);
	/* No access: not found, and nothing recorded. */
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:4", f->kasai, ROLE_YOUTH_WORKER,
				       f->case_h, "見たい", 0, f->now, &h, &why),
			 ERR_NOTFOUND);
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:5", f->ward, ROLE_WARD_STAFF,
				       f->case_h, "見たい", 1, f->now, &h, &why),
			 ERR_NOTFOUND);
	assert_int_equal(audits(f, "casework.open", "見たい"), 0);
	json_t *o = casework_opens_json(f->c, &kind, f->case_h, 0);
	assert_int_equal(json_array_size(o), 2);
	json_decref(o);
}

static void test_break_glass(void **state)
{
	struct fx *f = *state;
	enum casework_access h;
	const char *why = NULL;
	int64_t case_id = 0;
	/* An emergency: the 葛西 worker opens the 平井 case; the reason is mandatory. */
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:4", f->kasai, ROLE_YOUTH_WORKER,
				       f->case_h, "", 1, f->now, &h, &why),
			 ERR_INVALID);
	assert_int_equal(casework_open(f->c, f->e.v, &kind, "user:4", f->kasai, ROLE_YOUTH_WORKER,
				       f->case_h, "本人から緊急の電話、担当不在", 1, f->now, &h,
				       &why),
			 ERR_OK);
	assert_int_equal(h, CASEWORK_BREAK_GLASS);
	assert_int_equal(audits(f, "casework.break_glass", "本人から緊急の電話"), 1);
	/* That day the worker reaches it; the next day no more. */
	assert_int_equal(how(f, f->kasai, ROLE_YOUTH_WORKER, f->case_h, ERR_OK),
			 CASEWORK_BREAK_GLASS);
	char day[11];
	enum casework_access hh;
	clock_jst_date(f->now + 86400000, day, sizeof day);
	assert_int_equal(
	    casework_access(f->c, &kind, f->kasai, ROLE_YOUTH_WORKER, f->case_h, day, &hh),
	    ERR_NOTFOUND);
	json_t *p = casework_opens_json(f->c, &kind, 0, 1);
	assert_int_equal(json_array_size(p), 1);
	json_t *one = json_array_get(p, 0);
	int64_t oid = (int64_t)json_integer_value(json_object_get(one, "id"));
	assert_string_equal(json_string_value(json_object_get(one, "login")), "w-kasai");
	assert_true(json_is_true(json_object_get(one, "break_glass")));
	json_decref(p);
	assert_int_equal(
	    casework_review(f->c, &kind, oid, f->sup, "緊急性を確認", f->now, &case_id), ERR_OK);
	assert_int_equal(case_id, f->case_h);
	assert_int_equal(casework_review(f->c, &kind, oid, f->sup, "", f->now, &case_id),
			 ERR_CONFLICT);
	p = casework_opens_json(f->c, &kind, 0, 1);
	assert_int_equal(json_array_size(p), 0);
	json_decref(p);
	/* An ordinary open is no break-glass to review. */
	assert_int_equal(casework_review(f->c, &kind, 1, f->sup, "", f->now, &case_id),
			 ERR_NOTFOUND);
}

static void test_notes_versions(void **state)
{
	struct fx *f = *state;
	int64_t note = 0, case_id = 0;
	const char *why = NULL;
	json_t *arr = NULL;
	assert_int_equal(casework_note_add(f->c, f->sv, &kind, f->case_h, "学習サポート面談",
					   "2026-11-30", "数学を30分。", f->hirai, f->now, &note,
					   &why),
			 ERR_OK);
	assert_int_equal(casework_note_add(f->c, f->sv, &kind, f->case_h, "学習サポート面談",
					   "2026-13-01", "x", f->hirai, f->now, &note, &why),
			 ERR_INVALID);
	assert_int_equal(casework_note_add(f->c, f->sv, &kind, f->case_h, "学習サポート面談",
					   "2026-11-30", "", f->hirai, f->now, &note, &why),
			 ERR_INVALID);
	/* A day still to come is refused (f->now is 2026-11-30). */
	assert_int_equal(casework_note_add(f->c, f->sv, &kind, f->case_h, "学習サポート面談",
					   "2030-01-01", "x", f->hirai, f->now, &note, &why),
			 ERR_INVALID);
	assert_string_equal(why, "面談などの日付は、今日までの日付で入力してください。");
	note = 1;
	assert_int_equal(casework_note_case(f->c, &kind, note, &case_id), ERR_OK);
	assert_int_equal(case_id, f->case_h);
	assert_int_equal(casework_note_edit(f->c, f->sv, &kind, note, 1, "数学を40分。", f->hirai,
					    f->now + 1000, &why),
			 ERR_OK);
	/* An edit on a stale version: refused (someone else edited it). */
	assert_int_equal(casework_note_edit(f->c, f->sv, &kind, note, 1, "上書き", f->hirai2,
					    f->now + 2000, &why),
			 ERR_CONFLICT);
	assert_int_equal(
	    casework_note_edit(f->c, f->sv, &kind, 999, 1, "x", f->hirai, f->now + 2000, &why),
	    ERR_NOTFOUND);
	assert_int_equal(casework_notes_json(f->c, f->sv, &kind, f->case_h, &arr), ERR_OK);
	assert_int_equal(json_array_size(arr), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "version")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "body")),
			    "数学を40分。");
	json_decref(arr);
	assert_int_equal(casework_note_history(f->c, f->sv, &kind, note, &arr), ERR_OK);
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "body")),
			    "数学を30分。");
	json_decref(arr);
	/* The bodies are sealed, and no version can be changed or deleted. */
	struct store_stmt *st = store_prepare(
	    f->c, "SELECT count(*) FROM yo_note_versions WHERE instr(body, '数学') > 0");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 0);
	store_finish(st);
	assert_int_not_equal(store_exec(f->c, "UPDATE yo_note_versions SET user_id = NULL"),
			     ERR_OK);
	assert_int_not_equal(store_exec(f->c, "DELETE FROM yo_note_versions"), ERR_OK);
	/* Only the erasure empties them: inside its transaction, the table marked meanwhile
	 * (purge_marks); never outside one, and the mark is gone when it returns. */
	int64_t rows = 0;
	assert_int_equal(store_purge_mark(f->c, "yo_note_versions", 1), ERR_INVALID);
	assert_int_equal(store_table_clear(f->c, "yo_note_versions", &rows), ERR_INVALID);
	assert_int_equal(store_begin(f->c), ERR_OK);
	assert_int_equal(store_table_clear(f->c, "yo_note_versions", &rows), ERR_OK);
	assert_int_equal(rows, 2);
	st = store_prepare(f->c, "SELECT (SELECT count(*) FROM purge_marks), (SELECT count(*) "
				 "FROM yo_note_versions)");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 0);
	assert_int_equal(store_col_int(st, 1), 0);
	store_finish(st);
	store_rollback(f->c);
	st = store_prepare(f->c, "SELECT count(*) FROM yo_note_versions");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 2);
	store_finish(st);
	/* Sealed under the service's key: the platform's does not open them. */
	assert_int_equal(casework_notes_json(f->c, f->e.v, &kind, f->case_h, &arr), ERR_CRYPTO);
	json_decref(arr);
}

static void test_numbers_person(void **state)
{
	struct fx *f = *state;
	char n[16], why[200];
	/* The sequence of the fiscal year (April to March, Asia/Tokyo), with the kind's letter. */
	assert_int_equal(casework_number_next(f->c, &kind, f->now, n), ERR_OK);
	assert_string_equal(n, "T2026-0001");
	assert_int_equal(casework_number_next(f->c, &kind, 1806505140000, n), ERR_OK);
	assert_string_equal(n, "T2026-0002"); /* 2027-03-31 23:59 JST */
	assert_int_equal(casework_number_next(f->c, &kind, 1806505200000, n), ERR_OK);
	assert_string_equal(n, "T2027-0001"); /* 2027-04-01 00:00 JST */
	static const struct casework_field fl[] = {{"name", "氏名", 4, 0}, {"note", "備考", 8, 1}};
	json_t *j = json_pack("{s:s, s:s}", "name", "山田 𠮷", "birth", "2020-02-29");
	char *t = casework_person_parse(j, fl, 2, "2026-11-30", why, sizeof why);
	assert_non_null(t);
	assert_string_equal(t, "{\"name\":\"山田 𠮷\",\"note\":\"\",\"birth\":\"2020-02-29\"}");
	free(t);
	json_object_set_new(j, "birth", json_string("2026-12-01"));
	assert_null(casework_person_parse(j, fl, 2, "2026-11-30", why, sizeof why));
	assert_non_null(strstr(why, "生年月日"));
	json_object_set_new(j, "birth", json_string("2021-02-29"));
	assert_null(casework_person_parse(j, fl, 2, "2026-11-30", why, sizeof why));
	json_object_set_new(j, "name", json_string("山田 𠮷男"));
	assert_null(casework_fields_take(j, fl, 2, why, sizeof why));
	assert_string_equal(why, "氏名を4文字以内で入力してください。");
	/* Left empty (or blank, or missing): asked for, not "too long". */
	json_object_set_new(j, "name", json_string("\xe3\x80\x80 "));
	assert_null(casework_fields_take(j, fl, 2, why, sizeof why));
	assert_string_equal(why, "氏名を入力してください。");
	json_object_del(j, "name");
	assert_null(casework_fields_take(j, fl, 2, why, sizeof why));
	assert_string_equal(why, "氏名を入力してください。");
	json_object_set_new(j, "name", json_string("山田\n花子"));
	assert_null(casework_fields_take(j, fl, 2, why, sizeof why));
	assert_string_equal(why, "氏名は1行で入力してください（改行は使えません）。");
	json_decref(j);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule),	   cmocka_unit_test(test_open_reason),
	    cmocka_unit_test(test_break_glass),	   cmocka_unit_test(test_notes_versions),
	    cmocka_unit_test(test_numbers_person),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
