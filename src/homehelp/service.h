/* SPDX-License-Identifier: MIT */
/* service.h — household support as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_HOMEHELP_SERVICE_H
#define MIMAMORI_HOMEHELP_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* Household support (家事・育児支援事業, seed 001): households, supporters, visits, caps. */
extern const struct service homehelp_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route homehelp_routes[];

#endif
