/* SPDX-License-Identifier: MIT */
/* routes.h — the API as one table: the platform's routes and every service's, composed. */
#ifndef MIMAMORI_ROUTES_H
#define MIMAMORI_ROUTES_H
#include "http/http.h"

struct service;

/* Composes the platform's routes and those of each service of list (ending with NULL), in that
 * order, into one table ending with a zero entry, in *out (valid until routes_free; GET
 * /api/v1/routes lists it). ERR_CONFLICT (logged) when two declare the same method and
 * pattern. */
enum err routes_compose(const struct service *const *list, const struct http_route **out);
/* Returns the platform's own routes (ending with a zero entry; static): the council's item
 * lists name who may read or change the platform's tables from them. */
const struct http_route *routes_platform(void);
/* Frees the composed table. */
void routes_free(void);

#endif
