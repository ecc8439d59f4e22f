/* SPDX-License-Identifier: MIT */
/* day_status.c — the one rule for a child's status on a day, shared by the board and the daily
 * report so that they cannot disagree: scans first, then the absence notice, then the plan. */
#include "attendance/plan.h"

#include <string.h>

static const struct {
	const char *name, *label;
} names[DAY_STATUS_COUNT] = {
    [DAY_EXPECTED] = {"expected", "来所予定"}, [DAY_NOT_ARRIVED] = {"not_arrived", "未到着"},
    [DAY_PRESENT] = {"present", "在室"},       [DAY_LEFT] = {"left", "退室"},
    [DAY_ABSENT] = {"absent", "欠席"},         [DAY_OFF] = {"off", "予定なし"},
    [DAY_NO_EXIT] = {"no_exit", "退室未記録"},
};

enum day_status day_status_decide(const char *last_direction, enum plan_status plan,
				  int not_arrived_alert, int past)
{
	if (last_direction && strcmp(last_direction, "in") == 0)
		return past ? DAY_NO_EXIT : DAY_PRESENT;
	if (last_direction)
		return DAY_LEFT;
	if (plan == PLAN_ABSENT)
		return DAY_ABSENT;
	if (plan != PLAN_ATTEND)
		return DAY_OFF;
	/* Planned and never in: on a past day the child did not come, unannounced. */
	if (past || not_arrived_alert)
		return DAY_NOT_ARRIVED;
	return DAY_EXPECTED;
}

const char *day_status_name(enum day_status s)
{
	return s < DAY_STATUS_COUNT ? names[s].name : "off";
}

const char *day_status_label(enum day_status s)
{
	return s < DAY_STATUS_COUNT ? names[s].label : "";
}
