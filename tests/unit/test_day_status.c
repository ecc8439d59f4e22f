/* SPDX-License-Identifier: MIT */
/* test_day_status.c — unit tests for the one rule of a child's status on a day, which the board
 * and the daily report share: scans first, then the absence notice, then the plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "attendance/plan.h"

static void test_scans_win(void **state)
{
	(void)state;
	/* A child who came is here or gone, whatever the plan said (a notice shows beside it). */
	for (int p = PLAN_OFF; p <= PLAN_ABSENT; p++) {
		assert_int_equal(day_status_decide("in", (enum plan_status)p, 0, 0), DAY_PRESENT);
		assert_int_equal(day_status_decide("in", (enum plan_status)p, 1, 1), DAY_NO_EXIT);
		assert_int_equal(day_status_decide("out", (enum plan_status)p, 0, 0), DAY_LEFT);
		assert_int_equal(day_status_decide("out", (enum plan_status)p, 0, 1), DAY_LEFT);
	}
}

static void test_notice_and_plan(void **state)
{
	(void)state;
	/* An absence notice is 欠席, today or on a past day, alert or not; no plan is 予定なし. */
	for (int past = 0; past <= 1; past++) {
		assert_int_equal(day_status_decide(NULL, PLAN_ABSENT, 1, past), DAY_ABSENT);
		assert_int_equal(day_status_decide(NULL, PLAN_OFF, 1, past), DAY_OFF);
	}
	/* Planned and not in: to come, not arrived once alerted, and on a past day not arrived. */
	assert_int_equal(day_status_decide(NULL, PLAN_ATTEND, 0, 0), DAY_EXPECTED);
	assert_int_equal(day_status_decide(NULL, PLAN_ATTEND, 1, 0), DAY_NOT_ARRIVED);
	assert_int_equal(day_status_decide(NULL, PLAN_ATTEND, 0, 1), DAY_NOT_ARRIVED);
}

static void test_names_and_labels(void **state)
{
	(void)state;
	static const char *const want[DAY_STATUS_COUNT][2] = {
	    {"expected", "来所予定"}, {"not_arrived", "未到着"}, {"present", "在室"},
	    {"left", "退室"},         {"absent", "欠席"},        {"off", "予定なし"},
	    {"no_exit", "退室未記録"},
	};
	for (int s = 0; s < DAY_STATUS_COUNT; s++) {
		assert_string_equal(day_status_name((enum day_status)s), want[s][0]);
		assert_string_equal(day_status_label((enum day_status)s), want[s][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scans_win),
	    cmocka_unit_test(test_notice_and_plan),
	    cmocka_unit_test(test_names_and_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
