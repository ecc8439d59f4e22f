/* SPDX-License-Identifier: MIT */
/* service.h — the plazas' registrations as the platform sees them (composed by src/services.c). */
#ifndef MIMAMORI_PLAZA_SERVICE_H
#define MIMAMORI_PLAZA_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* The plazas' user registrations (共育プラザ, seed 001): users, cards, visits, counts. */
extern const struct service plaza_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route plaza_routes[];

#endif
