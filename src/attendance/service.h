/* SPDX-License-Identifier: MIT */
/* service.h — the entry/exit service as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_ATTENDANCE_SERVICE_H
#define MIMAMORI_ATTENDANCE_SERVICE_H
#include "app/service.h"

/* The entry/exit service (入退室管理, seed 000): routes, commands, demo, alerts, emergency mail. */
extern const struct service attendance_service;

#endif
