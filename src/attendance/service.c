/* SPDX-License-Identifier: MIT */
/* service.c — the entry/exit service (seed 000) as the platform sees it: its name and key. */
#include "attendance/service.h"

#include "app.h"
#include "attendance/attendance.h"

const struct vault *attendance_vault(struct app *a)
{
	return app_vault(a, ATTENDANCE_SERVICE);
}

const struct service attendance_service = {
	.name = ATTENDANCE_SERVICE,
	.label_ja = "入退室管理",
};
