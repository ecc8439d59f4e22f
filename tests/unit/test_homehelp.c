/* SPDX-License-Identifier: MIT */
/* test_homehelp.c — household support's hour caps (src/homehelp/caps.c), every row of 別表1
 * (多胎児以外) and 別表2 (多胎児) of seed 001, the 保育要件 (a 1- or 2-year-old in childcare has
 * none), the 14 free hours of a 0-year-old without childcare, the stage the hours count in (a
 * birthday starts another), and the fee. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "homehelp/homehelp.h"

#define DAY "2026-12-01"

/* A child born on birth, multiple or not, in childcare or not. */
static struct hh_child kid(const char *birth, int multiple, int childcare)
{
	struct hh_child k = {{0}, multiple, childcare};
	strcpy(k.birth, birth);
	return k;
}

/* The cap of kids on DAY; asserts the row (table, row) and its hours. */
static void expect(const struct hh_child *kids, size_t n, int pregnant, int table, int row,
		   int hours)
{
	struct hh_cap c;
	assert_int_equal(homehelp_cap(kids, n, pregnant, "2026-04-01", DAY, &c), 1);
	assert_int_equal(c.row->table, table);
	assert_int_equal(c.row->row, row);
	assert_int_equal(c.hours, hours);
}

static void test_table1_zero(void **state)
{
	(void)state;
	/* 0歳児 第1子 60h; with a 1-year-old 180h; with a 2-year-old 180h; with 3+ 20h */
	struct hh_child a[] = {kid("2026-05-10", 0, 0)};
	expect(a, 1, 0, 1, 1, 60);
	struct hh_child b[] = {kid("2026-05-10", 0, 0), kid("2025-06-01", 0, 0)};
	expect(b, 2, 0, 1, 2, 180);
	struct hh_child c[] = {kid("2026-05-10", 0, 0), kid("2024-06-01", 0, 1)};
	expect(c, 2, 0, 1, 3, 180);
	struct hh_child d[] = {kid("2026-05-10", 0, 0), kid("2021-06-01", 0, 1)};
	expect(d, 2, 0, 1, 4, 20);
	/* 保育要件 有 for row 4: a 0-year-old in childcare with a 3+ sibling has no cap */
	struct hh_cap cap;
	struct hh_child e[] = {kid("2026-05-10", 0, 1), kid("2021-06-01", 0, 1)};
	assert_int_equal(homehelp_cap(e, 2, 0, "2026-04-01", DAY, &cap), 0);
}

static void test_table1_one(void **state)
{
	(void)state;
	struct hh_child a[] = {kid("2025-05-10", 0, 0)};
	expect(a, 1, 0, 1, 5, 20);
	struct hh_child b[] = {kid("2025-05-10", 0, 0), kid("2024-06-01", 0, 0)};
	expect(b, 2, 0, 1, 6, 40);
	/* the 2-year-old sibling uses childcare: 20 hours (備考) */
	struct hh_child c[] = {kid("2025-05-10", 0, 0), kid("2024-06-01", 0, 1)};
	expect(c, 2, 0, 1, 7, 20);
	struct hh_child d[] = {kid("2025-05-10", 0, 0), kid("2020-06-01", 0, 1)};
	expect(d, 2, 0, 1, 8, 20);
	/* a 1-year-old in childcare: 保育要件 not met */
	struct hh_cap cap;
	struct hh_child e[] = {kid("2025-05-10", 0, 1)};
	assert_int_equal(homehelp_cap(e, 1, 0, "2026-04-01", DAY, &cap), 0);
}

static void test_table1_two(void **state)
{
	(void)state;
	struct hh_child a[] = {kid("2024-05-10", 0, 0)};
	expect(a, 1, 0, 1, 9, 20);
	struct hh_child b[] = {kid("2024-05-10", 0, 0), kid("2021-06-01", 0, 0)};
	expect(b, 2, 0, 1, 10, 20);
	struct hh_cap cap;
	struct hh_child c[] = {kid("2024-05-10", 0, 1)};
	assert_int_equal(homehelp_cap(c, 1, 0, "2026-04-01", DAY, &cap), 0);
	/* 3 and over only: no child under 3 */
	struct hh_child d[] = {kid("2023-05-10", 0, 0)};
	assert_int_equal(homehelp_cap(d, 1, 0, "2026-04-01", DAY, &cap), 0);
}

static void test_table2(void **state)
{
	(void)state;
	/* a multiple pregnancy: 240 hours from the start */
	expect(NULL, 0, 1, 2, 1, 240);
	struct hh_child a[] = {kid("2026-05-10", 1, 0), kid("2026-05-10", 1, 0)};
	expect(a, 2, 0, 2, 1, 240);
	struct hh_child b[] = {kid("2025-05-10", 1, 1), kid("2025-05-10", 1, 1)};
	expect(b, 2, 0, 2, 2, 180); /* 保育要件 無: childcare does not matter */
	struct hh_child c[] = {kid("2024-05-10", 1, 0), kid("2024-05-10", 1, 0)};
	expect(c, 2, 0, 2, 3, 120);
	/* twins of 2 and a single 0-year-old: the larger (別表1 0歳児・2歳児の兄弟 180 > 120) */
	struct hh_child d[] = {kid("2024-05-10", 1, 0), kid("2024-05-10", 1, 0),
			       kid("2026-06-01", 0, 0)};
	expect(d, 3, 0, 1, 3, 180);
}

static void test_free_hours_and_stage(void **state)
{
	(void)state;
	struct hh_cap c;
	struct hh_child a[] = {kid("2026-05-10", 0, 0)};
	assert_int_equal(homehelp_cap(a, 1, 0, "2026-06-01", DAY, &c), 1);
	assert_int_equal(c.free_hours, 14);
	assert_string_equal(c.stage_from, "2026-05-10");
	assert_string_equal(c.stage_to, "2027-05-09");
	/* in childcare: no free hours */
	struct hh_child b[] = {kid("2026-05-10", 0, 1)};
	assert_int_equal(homehelp_cap(b, 1, 0, "2026-06-01", DAY, &c), 1);
	assert_int_equal(c.free_hours, 0);
	/* the birthday starts the next stage, with the next row */
	assert_int_equal(homehelp_cap(a, 1, 0, "2026-06-01", "2027-05-10", &c), 1);
	assert_int_equal(c.row->row, 5);
	assert_string_equal(c.stage_from, "2027-05-10");
	/* twins born after the pregnancy's start: the 240 hours run on from the start */
	struct hh_child t[] = {kid("2026-05-10", 1, 0), kid("2026-05-10", 1, 0)};
	assert_int_equal(homehelp_cap(t, 2, 1, "2026-01-15", DAY, &c), 1);
	assert_string_equal(c.stage_from, "2026-01-15");
	assert_string_equal(c.stage_to, "2027-05-09");
	/* 29 February */
	struct hh_child l[] = {kid("2028-02-29", 0, 0)};
	assert_int_equal(homehelp_cap(l, 1, 0, "2028-03-01", "2028-12-01", &c), 1);
	assert_string_equal(c.stage_to, "2029-02-28");
}

static void test_fee(void **state)
{
	(void)state;
	assert_int_equal(homehelp_fee(120, 0, 1000), 2000);
	assert_int_equal(homehelp_fee(150, 60, 1000), 1500);
	assert_int_equal(homehelp_fee(120, 120, 1000), 0);
	assert_int_equal(homehelp_fee(125, 0, 1000), 2083);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table1_zero),	  cmocka_unit_test(test_table1_one),
	    cmocka_unit_test(test_table1_two),	  cmocka_unit_test(test_table2),
	    cmocka_unit_test(test_free_hours_and_stage), cmocka_unit_test(test_fee),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
