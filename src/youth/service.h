/* SPDX-License-Identifier: MIT */
/* service.h — youth support casework as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_YOUTH_SERVICE_H
#define MIMAMORI_YOUTH_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* Youth support casework (ユースサポート, seed 001): cases, notes, plans; 要配慮個人情報. */
extern const struct service youth_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route youth_routes[];

#endif
