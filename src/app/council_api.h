/* SPDX-License-Identifier: MIT */
/* council_api.h — the ward administrator's downloads of the privacy council's paperwork. */
#ifndef MIMAMORI_APP_COUNCIL_API_H
#define MIMAMORI_APP_COUNCIL_API_H
#include "http/http.h"

/* GET /api/v1/council/items?format=md|pdf|xlsx[&service=NAME]: the item lists as a download. */
enum err api_council_items(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/council/staff[?service=NAME]: the units and their designated handlers (JSON). */
enum err api_council_staff(struct http_req *rq, struct http_resp *rs);

#endif
