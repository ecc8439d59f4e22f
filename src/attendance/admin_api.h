/* SPDX-License-Identifier: MIT */
/* admin_api.h — handlers of the ward administrator's attendance routes (issue 11: the sites at a
 * glance, cards, kiosks) and the shared hand-over of a download (one file per resource:
 * api_overview.c, api_card.c, api_kiosk.c). */
#ifndef MIMAMORI_ATTENDANCE_ADMIN_API_H
#define MIMAMORI_ATTENDANCE_ADMIN_API_H
#include "http/http.h"

struct report_out;
/* Records out in the handover ledger for the caller (with its audit entry) and moves its bytes
 * into the response as an attachment (Content-Disposition, X-Mimamori-Ledger-Id, and for CP932
 * the lost rows). On an error nothing is sent. */
enum err api_report_send(struct http_req *rq, struct http_resp *rs, struct report_out *out);

/* GET /api/v1/overview (ward admin): every site's counts today (enrolled, present, left,
 * expected, not arrived, absent, off, children with an active alert, still present after
 * closing), those needing attention first; one query, no names. */
enum err api_overview_get(struct http_req *rq, struct http_resp *rs);

/* GET /api/v1/sites/{code}/cards (ward admin): the site's active children with their card
 * state (issued_at of the valid card, revoked cards). Audited once per caller and minute. */
enum err api_card_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/sites/{code}/cards (ward admin): {children: [child_no…]} a first card for each
 * (409 when one has a valid card), or {missing: true} a card for every child without one →
 * 201 {issued}. Other children's cards stay valid. */
enum err api_card_issue(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/sites/{code}/cards/{child_no}/reissue (ward admin): a new card for the child,
 * the old one revoked → 201 {issued: 1}. */
enum err api_card_reissue(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites/{code}/cards/sheet[?children=C1,C2] (ward admin): the A4 card sheet (PDF)
 * of the site's valid cards or of the children named, recorded in the handover ledger. */
enum err api_card_sheet(struct http_req *rq, struct http_resp *rs);

/* GET /api/v1/kiosks[?site=CODE] (ward admin): kiosks with site, label, times and today's
 * scans. */
enum err api_kiosk_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/sites/{code}/kiosks (ward admin): {label} → 201 {kiosk, token}; the token is
 * shown this once. */
enum err api_kiosk_create(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/kiosks/{id}/revoke (ward admin): the kiosk's token stops working → {kiosk}. */
enum err api_kiosk_revoke(struct http_req *rq, struct http_resp *rs);

#endif
