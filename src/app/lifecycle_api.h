/* SPDX-License-Identifier: MIT */
/* lifecycle_api.h — the ward administrator's API handlers for backups and erasure (routes in
 * src/routes.c; src/app/lifecycle_api.c). */
#ifndef MIMAMORI_APP_LIFECYCLE_API_H
#define MIMAMORI_APP_LIFECYCLE_API_H
#include "http/http.h"

/* GET /api/v1/backups: the settings, the last success, the recent runs, the files. */
enum err api_backup_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/backups: a backup now, into [backup] dir (201 with its file). */
enum err api_backup_create(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/erasures: the services that can be erased and the requests. */
enum err api_erasure_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/erasures {"service"}: ask (201; 409 erase_pending). */
enum err api_erasure_create(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/erasures/{id}/confirm: another administrator confirms; the service is erased
 * (403 same_person for the one who asked). */
enum err api_erasure_confirm(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/erasures/{id}/cancel. */
enum err api_erasure_cancel(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/erasures/{id}/certificate: the 消去証明書 (PDF), its reading audited. */
enum err api_erasure_certificate(struct http_req *rq, struct http_resp *rs);

#endif
