/* SPDX-License-Identifier: MIT */
/* test_course.c — course sign-up (src/course/) on a real SQLite store: the forms (a sign-up, a
 * course and its sessions, each bad item refused with its sentence); the places (the first
 * choice with room, the next when full, the waitlists in order of sign-up); a cancellation moves
 * the first waiting up (one mail), dropping their other choices; a capacity raised moves the
 * waitlist up, one lowered below the places taken is refused; a session cancelled places its
 * people on their other choices; the reminder of the day before is queued once; a course's
 * sign-ups are erased only once it is over, with an audit entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "course/course.h"
#include "store/store.h"
#include "store_env.h"
#include "vault/vault.h"

static void form_ok_and_refusals(void **state)
{
	(void)state;
	struct course_signup_form f;
	char why[COURSE_WHY_MAX];
	json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:i, s:[i,i]}", "course", 3, "name", "架空 太郎",
			      "email", "kaku.taro@example.jp", "phone", "090-1234-5678", "child_age",
			      2, "sessions", 7, 5);
	assert_int_equal(course_signup_parse(j, &f, why), ERR_OK);
	assert_int_equal(f.course_id, 3);
	assert_int_equal(f.nchoices, 2);
	assert_int_equal(f.choices[0], 7);
	assert_int_equal(f.choices[1], 5);
	assert_string_equal(f.person.name, "架空 太郎");
	course_person_clear(&f.person);
	/* each bad item, its sentence */
	struct {
		const char *key;
		json_t *value;
		const char *says;
	} bad[] = {
	    {"email", json_string("kaku.taro"), "メールアドレスが正しくありません"},
	    {"phone", json_string("〇九〇"), "電話番号は数字とハイフン"},
	    {"child_age", json_integer(19), "お子さまの年齢を選んでください"},
	    {"child_age", json_string("2"), "お子さまの年齢を選んでください"},
	    {"sessions", json_pack("[i,i]", 5, 5), "同じ日を2回選んでいます（第1希望と第2希望）"},
	    {"sessions", json_array(), "希望する日を1つ以上"},
	    {"name", json_string("架空\n太郎"), "お名前は1行で入力してください"},
	    {"name", json_string(""), "お名前を入力してください"},
	    {"name", json_string("架空太郎架空太郎架空太郎架空太郎架空太郎架空太郎架空太郎架空太郎"
				 "架空太郎架空太郎架"),
	     "お名前を40文字以内"},
	    {"course", json_integer(0), "申し込む講座を選んでください"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *b = json_deep_copy(j);
		json_object_set_new(b, bad[i].key, bad[i].value);
		assert_int_equal(course_signup_parse(b, &f, why), ERR_INVALID);
		assert_non_null(strstr(why, bad[i].says));
		course_person_clear(&f.person);
		json_decref(b);
	}
	json_decref(j);
	/* a course: the sessions' days, hours and capacities */
	struct course_in *c = calloc(1, sizeof *c);
	j = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:i}]}", "title", "父親ピアサポート",
		      "contact", "子育て支援課", "sessions", "date", "2026-12-05", "start", "10:00",
		      "end", "12:00", "place", "会議室", "capacity", 6);
	assert_int_equal(course_parse(j, "2026-12-01", c, why), ERR_OK);
	assert_int_equal(c->nsessions, 1);
	assert_int_equal(c->sessions[0].start_min, 600);
	assert_int_equal(course_parse(j, "2026-12-06", c, why), ERR_INVALID); /* past */
	assert_non_null(strstr(why, "1回目の開催日"));
	json_t *s0 = json_array_get(json_object_get(j, "sessions"), 0);
	json_object_set_new(s0, "end", json_string("09:00"));
	assert_int_equal(course_parse(j, "2026-12-01", c, why), ERR_INVALID);
	assert_non_null(strstr(why, "終了は開始より後"));
	json_object_set_new(s0, "end", json_string("12:00"));
	json_object_set_new(s0, "capacity", json_integer(0));
	assert_int_equal(course_parse(j, "2026-12-01", c, why), ERR_INVALID);
	assert_non_null(strstr(why, "定員を1〜500人"));
	json_decref(j);
	free(c);
	char label[96];
	course_when_label("2026-12-05", 600, 720, label, sizeof label);
	assert_string_equal(label, "2026年12月5日（土）10:00〜12:00");
}

/* The test's store, key and clock (2026-12-01 12:00 JST). */
struct env {
	struct env_base b;
	struct store_conn *c;
	struct course_ctx x;
	int64_t course, a, bb; /* the course, session A (tomorrow, capacity 2), B (capacity 1) */
};

static int64_t noon(void)
{
	int64_t m = 0;
	clock_day_parse("2026-12-01", &m, NULL);
	return m + 12 * 3600000LL;
}

static int64_t scalar(struct store_conn *c, const char *sql)
{
	struct store_stmt *st = store_prepare(c, sql);
	int64_t v = -1;
	assert_non_null(st);
	if (store_step(st) == STORE_ROW)
		v = store_col_int(st, 0);
	store_finish(st);
	return v;
}

static void env_open(struct env *e)
{
	memset(e, 0, sizeof *e);
	store_env_open(&e->b, "course");
	e->c = store_acquire(e->b.s);
	course_ctx_init(&e->x, e->c, e->b.v, "https://ku.example.jp", noon());
	assert_string_equal(e->x.today, "2026-12-01");
	assert_int_equal(store_exec(e->c, "INSERT INTO course_courses (id, title, contact, created_ms, "
					 "updated_ms) VALUES (1, '父親ピアサポート', '子育て支援課', 0, 0);"
					 "INSERT INTO course_sessions (id, course_id, on_date, start_min, "
					 "end_min, place, capacity, created_ms, updated_ms) VALUES (1, 1, "
					 "'2026-12-02', 600, 720, '会議室A', 2, 0, 0), (2, 1, "
					 "'2026-12-10', 600, 720, '会議室B', 1, 0, 0);"),
			 ERR_OK);
	e->course = 1;
	e->a = 1;
	e->bb = 2;
}

static void env_close(struct env *e)
{
	store_release(e->c);
	store_env_close(&e->b);
}

/* Signs up person n choosing sessions s[0..k); returns its id. */
static int64_t sign(struct env *e, int n, const int64_t *s, size_t k)
{
	struct course_signup_form f = {0};
	char name[32], mail[48], why[COURSE_WHY_MAX], token[65];
	int64_t id = 0;
	snprintf(name, sizeof name, "架空 %d郎", n);
	snprintf(mail, sizeof mail, "p%d@example.jp", n);
	f.course_id = e->course;
	f.person.name = name;
	f.person.email = mail;
	f.person.phone = "090-0000-0000";
	f.person.child_age = n % 3;
	f.nchoices = k;
	memcpy(f.choices, s, k * sizeof *s);
	assert_int_equal(store_begin(e->c), ERR_OK);
	assert_int_equal(course_signup_create(&e->x, &f, &id, token, why), ERR_OK);
	assert_int_equal(store_commit(e->c), ERR_OK);
	int64_t found = 0;
	assert_int_equal(course_signup_by_token(e->c, e->b.v, token, &found), ERR_OK);
	assert_int_equal(found, id);
	return id;
}

/* The state of sign-up id's choice of session sid. */
static const char *state_of(struct env *e, int64_t id, int64_t sid)
{
	static char out[16];
	struct store_stmt *st = store_prepare(
	    e->c, "SELECT state FROM course_entries WHERE signup_id = ?1 AND session_id = ?2");
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, sid);
	snprintf(out, sizeof out, "%s", store_step(st) == STORE_ROW ? store_col_text(st, 0) : "-");
	store_finish(st);
	return out;
}

static int64_t mails(struct env *e, const char *send_id)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE send_id = '%s'", send_id);
	return scalar(e->c, sql);
}

static void places_waitlist_and_moves(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	const int64_t A[] = {1}, AB[] = {1, 2};
	int64_t p1 = sign(&e, 1, A, 1), p2 = sign(&e, 2, A, 1), p3 = sign(&e, 3, A, 1);
	assert_string_equal(state_of(&e, p1, 1), "booked");
	assert_string_equal(state_of(&e, p2, 1), "booked");
	assert_string_equal(state_of(&e, p3, 1), "waiting"); /* A is full */
	int64_t p4 = sign(&e, 4, AB, 2), p5 = sign(&e, 5, AB, 2);
	assert_string_equal(state_of(&e, p4, 1), "off"); /* the second choice had room */
	assert_string_equal(state_of(&e, p4, 2), "booked");
	assert_string_equal(state_of(&e, p5, 1), "waiting"); /* both full: waits on both */
	assert_string_equal(state_of(&e, p5, 2), "waiting");
	assert_int_equal(mails(&e, "course:received"), 5);
	int64_t w5 = scalar(e.c, "SELECT id FROM course_entries WHERE signup_id = 5 AND session_id "
				 "= 1");
	assert_int_equal(course_wait_position(e.c, w5), 2); /* behind p3 on A */
	/* p1 cancels: p3, the first waiting on A, gets the place and a mail */
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_signup_cancel(&e.x, p1), ERR_OK);
	assert_int_equal(store_commit(e.c), ERR_OK);
	assert_string_equal(state_of(&e, p1, 1), "cancelled");
	assert_string_equal(state_of(&e, p3, 1), "booked");
	assert_int_equal(mails(&e, "course:moved_up"), 1);
	assert_int_equal(mails(&e, "course:cancelled"), 1);
	assert_int_equal(course_wait_position(e.c, w5), 1);
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_signup_cancel(&e.x, p1), ERR_CONFLICT); /* only once */
	store_rollback(e.c);
	/* p4 cancels B: p5 moves up there and stops waiting on A */
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_signup_cancel(&e.x, p4), ERR_OK);
	assert_int_equal(store_commit(e.c), ERR_OK);
	assert_string_equal(state_of(&e, p5, 2), "booked");
	assert_string_equal(state_of(&e, p5, 1), "off");
	assert_int_equal(mails(&e, "course:moved_up"), 2);
	/* A lowered below its places is refused; raised, the waitlist moves up */
	int64_t p6 = sign(&e, 6, A, 1);
	assert_string_equal(state_of(&e, p6, 1), "waiting");
	struct course_session_in in = {"2026-12-02", 600, 720, "会議室A", 1};
	char why[COURSE_WHY_MAX];
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_session_update(&e.x, 1, &in, why), ERR_CONFLICT);
	assert_non_null(strstr(why, "2人"));
	in.capacity = 3;
	assert_int_equal(course_session_update(&e.x, 1, &in, why), ERR_OK);
	assert_int_equal(store_commit(e.c), ERR_OK);
	assert_string_equal(state_of(&e, p6, 1), "booked");
	assert_int_equal(mails(&e, "course:session_changed"), 0); /* day, hours, place the same */
	/* the reminder of the day before (A is tomorrow), once */
	size_t sent = 0;
	assert_int_equal(course_remind(&e.x, &sent), ERR_OK);
	assert_int_equal(sent, 3); /* p2, p3, p6 */
	assert_int_equal(course_remind(&e.x, &sent), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(mails(&e, "course:reminder"), 3);
	/* the staff cancel A: its three are told; none has another choice */
	size_t told = 0;
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_session_cancel(&e.x, 1, &told), ERR_OK);
	assert_int_equal(store_commit(e.c), ERR_OK);
	assert_int_equal(told, 3);
	assert_int_equal(mails(&e, "course:session_cancelled"), 3);
	assert_int_equal(scalar(e.c, "SELECT count(*) FROM course_entries WHERE session_id = 1 AND "
				     "state IN ('booked', 'waiting')"),
			 0);
	/* a sealed person: no name in the clear */
	assert_int_equal(scalar(e.c, "SELECT count(*) FROM course_signups WHERE CAST(person AS "
				     "TEXT) LIKE '%example.jp%'"),
			 0);
	env_close(&e);
}

static void cancelled_session_moves_to_next_choice(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	assert_int_equal(store_exec(e.c, "UPDATE course_sessions SET capacity = 5 WHERE id = 2"),
			 ERR_OK);
	const int64_t AB[] = {1, 2};
	int64_t p1 = sign(&e, 1, AB, 2);
	assert_string_equal(state_of(&e, p1, 1), "booked");
	size_t told = 0;
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_session_cancel(&e.x, 1, &told), ERR_OK);
	assert_int_equal(store_commit(e.c), ERR_OK);
	assert_int_equal(told, 1);
	assert_string_equal(state_of(&e, p1, 2), "booked");
	/* a cancelled session takes no more sign-ups */
	struct course_signup_form f = {0};
	char why[COURSE_WHY_MAX], token[65];
	int64_t id;
	f.course_id = 1;
	f.person.name = "架空 花子";
	f.person.email = "h@example.jp";
	f.person.phone = "03-0000-0000";
	f.nchoices = 1;
	f.choices[0] = 1;
	assert_int_equal(store_begin(e.c), ERR_OK);
	assert_int_equal(course_signup_create(&e.x, &f, &id, token, why), ERR_CONFLICT);
	assert_non_null(strstr(why, "第1希望の回は受付を終えています"));
	f.choices[0] = 99;
	assert_int_equal(course_signup_create(&e.x, &f, &id, token, why), ERR_INVALID);
	store_rollback(e.c);
	env_close(&e);
}

static void erase_after_the_end(void **state)
{
	(void)state;
	struct env e;
	char why[COURSE_WHY_MAX];
	size_t n = 0;
	env_open(&e);
	const int64_t A[] = {1};
	sign(&e, 1, A, 1);
	sign(&e, 2, A, 1);
	assert_int_equal(course_erase(e.c, e.b.v, 1, "2026-12-01", "cli", &n, why), ERR_CONFLICT);
	assert_non_null(strstr(why, "まだ終わっていない回（2回）"));
	assert_int_equal(course_erase(e.c, e.b.v, 1, "2026-12-11", "cli", &n, why), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(scalar(e.c, "SELECT count(*) FROM course_signups"), 0);
	assert_int_equal(scalar(e.c, "SELECT count(*) FROM course_entries"), 0);
	assert_int_equal(scalar(e.c, "SELECT count(*) FROM audit WHERE action = 'course.erase' AND "
				     "object = 'course:1' AND detail = 'signups=2'"),
			 1);
	assert_int_equal(course_erase(e.c, e.b.v, 1, "2026-12-11", "cli", &n, why), ERR_CONFLICT);
	assert_int_equal(course_erase(e.c, e.b.v, 9, "2026-12-11", "cli", &n, why), ERR_NOTFOUND);
	env_close(&e);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(form_ok_and_refusals),
	    cmocka_unit_test(places_waitlist_and_moves),
	    cmocka_unit_test(cancelled_session_moves_to_next_choice),
	    cmocka_unit_test(erase_after_the_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
