/* SPDX-License-Identifier: MIT */
/* services.c — the one place that names the services: each is its own folder and its own
 * personal-information file (own tables, own data key); the platform only iterates this list. */
#include "services.h"

#include "attendance/service.h"

const struct service *const services[] = {
    &attendance_service, /* 入退室管理 (seed 000) */
    NULL,
};
