/* SPDX-License-Identifier: MIT */
/* retention_api.h — the ward administrator's screen of retention periods and the monthly audit
 * report (issue 19). */
#ifndef MIMAMORI_HTTP_RETENTION_API_H
#define MIMAMORI_HTTP_RETENTION_API_H

#include "http/http.h"

/* GET /api/v1/retention: every period (key, label, days), the audit log's months, the last
 * run's counts and the newest audit checkpoint. */
enum err api_retention_get(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/audit/report?month=YYYY-MM: reads, exports and denials per staff user with the
 * off-hours and volume flags (audited as a read of the audit log). */
enum err api_audit_report(struct http_req *rq, struct http_resp *rs);

#endif
