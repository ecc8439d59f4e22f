/* SPDX-License-Identifier: MIT */
/* service.h — the babysitter subsidy as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_SITTER_SERVICE_H
#define MIMAMORI_SITTER_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* The babysitter subsidy (ベビーシッター利用支援事業, seed 004): apply, pre-screen, decide,
 * notify, pay. */
extern const struct service sitter_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route sitter_routes[];

#endif
