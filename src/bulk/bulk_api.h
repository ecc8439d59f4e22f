/* SPDX-License-Identifier: MIT */
/* bulk_api.h — the HTTP side of the bulk layer: the platform's own handlers (any send's
 * delivery and retry, unsubscribing) and the helpers a service's bulk-send routes call with its
 * kind of mail (bulk_api.c). */
#ifndef MIMAMORI_BULK_BULK_API_H
#define MIMAMORI_BULK_BULK_API_H
#include "http/http.h"

/* One send's delivery (api_send.c); addresses are never shown. */
/* GET /api/v1/mail/sends/{send_id} (ward roles, contractor): counts per state and per domain,
 * bounced and bounce_rate, unsubscribed, the newest failures with the server's reply. 404 when
 * the send has no mail. Audited once per caller and send per minute. */
enum err api_mail_send_get(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/mail/sends/{send_id}/retry (ward admin): the send's failed mail back to the
 * queue, except to addresses bouncing or unsubscribed now → {retried, skipped_bouncing,
 * skipped_unsubscribed}; 409 when nothing failed or every failed recipient was left out.
 * Audited (counts only). */
enum err api_mail_send_retry(struct http_req *rq, struct http_resp *rs);

/* List-Unsubscribe of bulk mail (api_unsubscribe.c); public, the token is the capability. */
/* GET /api/v1/unsubscribe/{token}: 303 to the page /unsubscribe/?t=TOKEN, which asks first
 * (mail scanners follow links); changes nothing. */
enum err api_unsubscribe_get(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/unsubscribe/{token} with "List-Unsubscribe=One-Click" (RFC 8058) or
 * {"via":"web"}: the message's recipient gets no more mail of its list →
 * {unsubscribed, list, already}. 404 for a token that is not valid; audited. */
enum err api_unsubscribe_post(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/unsubscribe/{token}/resubscribe ({}): asks to join the message's list again; a
 * confirmation link goes to the address itself → 202 {queued, list, label}. 404 link_invalid,
 * 409 not_unsubscribed, 429 after 3 asks a day. Audited. */
enum err api_resubscribe_request(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/resubscriptions {token}: the address is on its list again → {resubscribed, list,
 * label}; 404 link_invalid for an unknown, used or expired token. Audited. */
enum err api_resubscribe_confirm(struct http_req *rq, struct http_resp *rs);

/* Read confirmation (api_read.c); public, the token is the capability. */
/* POST /api/v1/reads/{token} (any body): records that the message's recipient read it →
 * {read, already}; a second press changes nothing. 404 link_invalid for a token that is not
 * valid. Audited (the first time). */
enum err api_read_post(struct http_req *rq, struct http_resp *rs);

/* ---- helpers of a service's bulk-send routes (bulk_api.c), for its kind k ---- */
struct bulk_kind;

/* POST: composes a send of k to audience (the service read and checked it from j) from j's
 * subject, body, at ("2026-12-01T07:30", Japan time; optional) and read_confirm (optional)
 * → 201 {id, state, recipients, delivery[, at]}; refusals 400/403 with their codes. */
enum err bulk_api_compose(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k,
			  json_t *j, const char *audience);
/* POST: the preview of such a draft → {recipients, approval_required, at}; nothing stored. */
enum err bulk_api_preview(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k,
			  json_t *j, const char *audience);
/* POST …/{id}/approve (approve 1) or …/reject (0) → {id, state, recipients, delivery[, at]}. */
enum err bulk_api_decide(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k,
			 int approve);
/* POST …/{id}/cancel: withdraws a send awaiting approval or scheduled. */
enum err bulk_api_cancel(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k);
/* POST …/{id}/resend: the send again to its recipients who have not read it → 201 {…, parent}. */
enum err bulk_api_resend(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k);
/* GET: the newest sends of k in the caller's scope, with counts → {sends: […]}. Audited. */
enum err bulk_api_list(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k);
/* GET …/{id}: one send, its message, its delivery and failures (never addresses); 403 outside
 * the caller's scope. Audited. */
enum err bulk_api_get(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k);
/* GET: the templates of k → {templates: [{id, name, subject, body, author, updated}]}. */
enum err bulk_api_templates_list(struct http_req *rq, struct http_resp *rs,
				 const struct bulk_kind *k);
/* POST (new: 201) or PUT …/{id} (200): {name, subject, body} → {id, name}; checked like a
 * message. */
enum err bulk_api_template_save(struct http_req *rq, struct http_resp *rs,
				const struct bulk_kind *k);
/* DELETE …/{id} → 204. */
enum err bulk_api_template_delete(struct http_req *rq, struct http_resp *rs,
				  const struct bulk_kind *k);

#endif
