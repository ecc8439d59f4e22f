/* SPDX-License-Identifier: MIT */
/* service.h — the entry/exit service as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_ATTENDANCE_SERVICE_H
#define MIMAMORI_ATTENDANCE_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* The entry/exit service (入退室管理, seed 000): routes, commands, demo, alerts, emergency mail. */
extern const struct service attendance_service;

/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route attendance_routes[];

#endif
