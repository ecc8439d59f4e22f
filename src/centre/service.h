/* SPDX-License-Identifier: MIT */
/* service.h — the child development support centre as the platform sees it (composed by
 * src/services.c). */
#ifndef MIMAMORI_CENTRE_SERVICE_H
#define MIMAMORI_CENTRE_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* The child development support centre (児童発達支援センター, seed 001); 要配慮個人情報. */
extern const struct service centre_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route centre_routes[];

#endif
