/* SPDX-License-Identifier: MIT */
/* service.h — file exchange as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_EXCHANGE_SERVICE_H
#define MIMAMORI_EXCHANGE_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* Secure file exchange (ファイル授受, issue 17): contractors send files to the ward's staff. */
extern const struct service exchange_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route exchange_routes[];

#endif
