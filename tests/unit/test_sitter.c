/* SPDX-License-Identifier: MIT */
/* test_sitter.c — the babysitter subsidy's rules (src/sitter/rules.c): the day and night rates
 * split where a use crosses 22:00, 07:00 or midnight; the yearly cap per child (143.5 hours used
 * + a one-hour use, multiple births, March 31st to April 1st); never above what was paid; the
 * age limit on both sides of April 1st; and the benefit path's moves (src/grant/path.c): no
 * state skipped, the contractor never decides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "grant/path.h"
#include "sitter/sitter.h"

static const struct sitter_rates R = {2500, 3500, 22 * 60, 7 * 60, 144, 288};

/* A form of one child (born birth, multiple or not) and one use of date start–end paid yen. */
static void one_use(struct sitter_form *f, const char *birth, int multiple, const char *date,
		    int start, int end, int64_t paid)
{
	memset(f, 0, sizeof *f);
	f->nchildren = 1;
	strcpy(f->children[0].birth, birth);
	f->children[0].multiple = multiple;
	f->nuses = 1;
	strcpy(f->uses[0].date, date);
	f->uses[0].start_min = start;
	f->uses[0].end_min = end;
	f->uses[0].children = 1;
	f->uses[0].paid_yen = paid;
}

static int before_value;
static int before_fy;
/* Minutes counted elsewhere: before_value in fiscal year before_fy, none in others. */
static int before(void *arg, int child, int fy)
{
	(void)arg;
	(void)child;
	return fy == before_fy ? before_value : 0;
}

static void test_day_rate(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	one_use(&f, "2024-05-01", 0, "2026-11-20", 9 * 60, 12 * 60, 100000);
	sitter_calc(&R, &f, NULL, NULL, &c);
	assert_int_equal(c.uses[0].day_min, 180);
	assert_int_equal(c.uses[0].night_min, 0);
	assert_int_equal(c.uses[0].subsidy_yen, 7500);
	assert_int_equal(c.grant_yen, 7500);
}

static void test_never_above_paid(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	one_use(&f, "2024-05-01", 0, "2026-11-20", 9 * 60, 12 * 60, 6000);
	sitter_calc(&R, &f, NULL, NULL, &c);
	assert_int_equal(c.uses[0].rate_yen, 7500);
	assert_int_equal(c.uses[0].subsidy_yen, 6000);
	assert_int_equal(c.paid_yen, 6000);
}

static void test_night_across_midnight(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	/* 21:00 to 08:00 the next day: 1 h day, 9 h night (22:00-07:00), 1 h day */
	one_use(&f, "2024-05-01", 0, "2026-11-20", 21 * 60, 8 * 60, 1000000);
	sitter_calc(&R, &f, NULL, NULL, &c);
	assert_int_equal(c.uses[0].day_min, 120);
	assert_int_equal(c.uses[0].night_min, 540);
	assert_int_equal(c.uses[0].subsidy_yen, 2 * 2500 + 9 * 3500);
	/* a half hour either side of 22:00 */
	one_use(&f, "2024-05-01", 0, "2026-11-20", 21 * 60 + 30, 22 * 60 + 30, 1000000);
	sitter_calc(&R, &f, NULL, NULL, &c);
	assert_int_equal(c.uses[0].day_min, 30);
	assert_int_equal(c.uses[0].night_min, 30);
	assert_int_equal(c.uses[0].subsidy_yen, 1250 + 1750);
}

static void test_two_children(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	one_use(&f, "2024-05-01", 0, "2026-11-20", 10 * 60, 12 * 60, 1000000);
	f.nchildren = 2;
	strcpy(f.children[1].birth, "2022-01-10");
	f.uses[0].children = 3;
	sitter_calc(&R, &f, NULL, NULL, &c);
	assert_int_equal(c.uses[0].day_min, 240); /* per child */
	assert_int_equal(c.uses[0].subsidy_yen, 10000);
	assert_int_equal(c.nkids, 2);
}

static void test_cap_143_5_plus_1(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	before_value = 143 * 60 + 30;
	before_fy = 2026;
	one_use(&f, "2024-05-01", 0, "2026-11-20", 10 * 60, 11 * 60, 1000000);
	sitter_calc(&R, &f, before, NULL, &c);
	assert_int_equal(c.kids[0].cap_min, 144 * 60);
	assert_int_equal(c.kids[0].claim_min, 60);
	assert_int_equal(c.kids[0].counted_min, 30);
	assert_int_equal(c.uses[0].over_min, 30);
	assert_int_equal(c.uses[0].subsidy_yen, 1250);
	assert_int_equal(c.over_min, 30);
}

static void test_cap_multiple_birth(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	before_value = 200 * 60; /* over 144, under 288 */
	before_fy = 2026;
	one_use(&f, "2024-05-01", 1, "2026-11-20", 10 * 60, 11 * 60, 1000000);
	sitter_calc(&R, &f, before, NULL, &c);
	assert_int_equal(c.kids[0].cap_min, 288 * 60);
	assert_int_equal(c.kids[0].counted_min, 60);
	one_use(&f, "2024-05-01", 0, "2026-11-20", 10 * 60, 11 * 60, 1000000);
	sitter_calc(&R, &f, before, NULL, &c);
	assert_int_equal(c.kids[0].counted_min, 0);
	assert_int_equal(c.uses[0].subsidy_yen, 0);
}

static void test_fiscal_year_boundary(void **state)
{
	(void)state;
	struct sitter_form f;
	struct sitter_calc c;
	/* the old year's cap is used up; 23:00 on March 31st to 01:00 on April 1st: only the hour
	 * after midnight counts, in the new year */
	before_value = 144 * 60;
	before_fy = 2026;
	one_use(&f, "2024-05-01", 0, "2027-03-31", 23 * 60, 1 * 60, 1000000);
	sitter_calc(&R, &f, before, NULL, &c);
	assert_int_equal(c.nkids, 2);
	assert_int_equal(c.kids[0].fiscal_year, 2026);
	assert_int_equal(c.kids[0].counted_min, 0);
	assert_int_equal(c.kids[1].fiscal_year, 2027);
	assert_int_equal(c.kids[1].counted_min, 60);
	assert_int_equal(c.uses[0].night_min, 60);
	assert_int_equal(c.uses[0].subsidy_yen, 3500);
}

static void test_eligible_age(void **state)
{
	(void)state;
	/* born 2020-04-02: turns 6 on 2026-04-02 (FY2026): eligible to 2027-03-31 */
	assert_true(sitter_child_eligible("2020-04-02", "2027-03-31"));
	assert_false(sitter_child_eligible("2020-04-02", "2027-04-01"));
	/* born 2020-04-01: turns 6 (by law) on 2026-03-31 (FY2025): to 2026-03-31 only */
	assert_true(sitter_child_eligible("2020-04-01", "2026-03-31"));
	assert_false(sitter_child_eligible("2020-04-01", "2026-04-01"));
	/* not before birth */
	assert_false(sitter_child_eligible("2026-11-20", "2026-11-19"));
	assert_true(sitter_child_eligible("2026-11-20", "2026-11-20"));
}

static void test_dates(void **state)
{
	(void)state;
	char out[11];
	assert_int_equal(sitter_date_add("2027-02-28", 1, out), 0);
	assert_string_equal(out, "2027-03-01");
	assert_int_equal(sitter_date_add("2028-02-28", 1, out), 0);
	assert_string_equal(out, "2028-02-29");
	assert_int_equal(sitter_date_add("2026-01-01", -1, out), 0);
	assert_string_equal(out, "2025-12-31");
	assert_int_equal(sitter_fiscal_year("2027-03-31"), 2026);
	assert_int_equal(sitter_fiscal_year("2027-04-01"), 2027);
}

static void test_path(void **state)
{
	(void)state;
	/* the contractor pre-screens but never decides; the ward's approver decides */
	assert_true(grant_move_allowed(GRANT_SUBMITTED, GRANT_SCREENED, ROLE_GRANT_OPERATOR));
	assert_false(grant_move_allowed(GRANT_SCREENED, GRANT_APPROVED, ROLE_GRANT_OPERATOR));
	assert_false(grant_move_allowed(GRANT_SCREENED, GRANT_APPROVED, ROLE_GRANT_SUPERVISOR));
	assert_false(grant_move_allowed(GRANT_SCREENED, GRANT_APPROVED, ROLE_GRANT_STAFF));
	assert_true(grant_move_allowed(GRANT_SCREENED, GRANT_APPROVED, ROLE_GRANT_APPROVER));
	/* no state is skipped */
	assert_false(grant_move_allowed(GRANT_SUBMITTED, GRANT_APPROVED, ROLE_GRANT_APPROVER));
	assert_false(grant_move_allowed(GRANT_APPROVED, GRANT_PAID, ROLE_GRANT_APPROVER));
	assert_false(grant_move_allowed(GRANT_DRAFT, GRANT_SCREENED, ROLE_GRANT_OPERATOR));
	/* the applicant sends and corrects only */
	assert_true(grant_move_allowed(GRANT_DRAFT, GRANT_SUBMITTED, GRANT_BY_APPLICANT));
	assert_true(grant_move_allowed(GRANT_UNPAID, GRANT_NOTIFIED, GRANT_BY_APPLICANT));
	assert_false(grant_move_allowed(GRANT_SUBMITTED, GRANT_SCREENED, GRANT_BY_APPLICANT));
	assert_int_equal(grant_state_parse("unpaid"), GRANT_UNPAID);
	assert_int_equal(grant_state_parse("paid!"), -1);
	assert_string_equal(grant_state_label(GRANT_NOTIFIED, 0), "不交付決定・通知済");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_day_rate),
	    cmocka_unit_test(test_never_above_paid),
	    cmocka_unit_test(test_night_across_midnight),
	    cmocka_unit_test(test_two_children),
	    cmocka_unit_test(test_cap_143_5_plus_1),
	    cmocka_unit_test(test_cap_multiple_birth),
	    cmocka_unit_test(test_fiscal_year_boundary),
	    cmocka_unit_test(test_eligible_age),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
