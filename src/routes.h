/* SPDX-License-Identifier: MIT */
/* routes.h — the whole API as one static table. */
#ifndef MIMAMORI_ROUTES_H
#define MIMAMORI_ROUTES_H
#include "http/http.h"

/* The route table, ending with a zero entry. */
extern const struct http_route routes[];

#endif
