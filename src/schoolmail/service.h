/* SPDX-License-Identifier: MIT */
/* service.h — the schools' mass mail as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_SCHOOLMAIL_SERVICE_H
#define MIMAMORI_SCHOOLMAIL_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* The schools' mass mail (一斉メール配信, seed 003): routes, commands, demo, the empty-mail
 * sign-up (mail-in), the term passwords of school staff, its kind of bulk mail. */
extern const struct service schoolmail_service;

/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route schoolmail_routes[];

#endif
