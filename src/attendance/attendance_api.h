/* SPDX-License-Identifier: MIT */
/* attendance_api.h — handlers of the attendance routes (one file per resource). */
#ifndef MIMAMORI_ATTENDANCE_API_H
#define MIMAMORI_ATTENDANCE_API_H
#include "http/http.h"

/* POST /api/v1/scans (kiosk): {code} → the child's name, direction and time. */
enum err api_scan_create(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/kiosk (kiosk): the kiosk's site. */
enum err api_kiosk_get(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites (staff): the sites the caller may see. */
enum err api_site_list(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites/{code}/board (staff): today's children at the site and their state. */
enum err api_board_get(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/confirmations (public): {token} confirms a guardian's address. */
enum err api_confirmation_create(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites/{code}/reports/daily?date=&format=pdf|csv[&encoding=cp932] (ward roles;
 * site staff for their own sites): the daily list as a download, recorded in the ledger. */
enum err api_report_daily(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/reports/monthly?month=YYYY-MM&format=xlsx|csv (ward roles): the monthly usage
 * as a download, recorded in the ledger. */
enum err api_report_monthly(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/ledger (ward admin): every export, oldest first. */
enum err api_ledger_list(struct http_req *rq, struct http_resp *rs);

#endif
