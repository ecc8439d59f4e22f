/* SPDX-License-Identifier: MIT */
/* service.h — the bath-pass ledger as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_BATHPASS_SERVICE_H
#define MIMAMORI_BATHPASS_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* The bath-pass ledger (ふれあい入浴証, seed 002): the host import, the ledger, the counter. */
extern const struct service bathpass_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route bathpass_routes[];

#endif
