/* SPDX-License-Identifier: MIT */
/* attendance_api.h — handlers of the attendance routes (one file per resource). */
#ifndef MIMAMORI_ATTENDANCE_API_H
#define MIMAMORI_ATTENDANCE_API_H
#include "http/http.h"

/* POST /api/v1/scans (kiosk): {code} → the child's name, direction and time. */
enum err api_scan_create(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/kiosk (kiosk): the kiosk's site and the ward's words (as GET /api/v1/ward). */
enum err api_kiosk_get(struct http_req *rq, struct http_resp *rs);
struct app;
/* Returns a new JSON object {entry_word, exit_word}: the ward's words for entry and exit
 * (入室/退室 unless mimamori.conf [ward] says otherwise); the caller owns the reference. */
json_t *api_ward_words(const struct app *a);
/* GET /api/v1/ward (public): the ward's words, api_ward_words. */
enum err api_ward_get(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites (staff): the sites the caller may see. */
enum err api_site_list(struct http_req *rq, struct http_resp *rs);
struct site;
struct store_conn;
/* Loads the site named by the route's first {} parameter into *site, on c, if the caller may
 * act there. Otherwise returns the error with rs's message set: 404 for no such site, 403
 * (denied_msg) for site staff of other sites, the denial audited with `what`. */
enum err api_site_for_caller(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     struct site *site, const char *what, const char *denied_msg);
/* PATCH /api/v1/sites/{code} (ward admin): {opens, closes, arrival, grace_min, deadline, phone,
 * alert_email, alert_guardians} (any of them) → the site. */
enum err api_site_patch(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites/{code}/board (staff): today's children at the site from plans and scans,
 * with plans, pickups and active alerts. */
enum err api_board_get(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/sites/{code}/manual-scans (staff; site staff for their own sites):
 * {child_no, direction, reason} records a manual entry/exit → the child's name, direction and
 * time, "manual": true. */
enum err api_manual_scan_create(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/sites/{code}/checkouts (staff; site staff for their own sites):
 * {child_no, pickup_id} records who collected the child → {child_no, name, at, time,
 * collected_by}. */
enum err api_checkout_create(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/confirmations (public): {token} confirms a guardian's address. */
enum err api_confirmation_create(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites/{code}/reports/daily?date=&format=pdf|csv[&encoding=cp932] (ward roles;
 * site staff for their own sites): the daily list as a download, recorded in the ledger. */
enum err api_report_daily(struct http_req *rq, struct http_resp *rs);
struct report_out;
/* Records out in the handover ledger for the caller (and audits it), then moves its bytes
 * into the response as an attachment (out keeps nothing to free but itself). */
enum err api_report_send(struct http_req *rq, struct http_resp *rs, struct report_out *out);
/* GET /api/v1/sites/{code}/plans?from=YYYY-MM-DD&days=1-14 (staff; site staff for their own
 * sites): each day's children planned or with a notice, with the changes and their authors. */
enum err api_plans_get(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/sites/{code}/reports/plans?from=&days=&format=pdf (ward roles; site staff for
 * their own sites): the plan list (出欠予定表) as a download, recorded in the ledger. */
enum err api_report_plans(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/reports/monthly?month=YYYY-MM&format=xlsx|csv (ward roles): the monthly usage
 * as a download, recorded in the ledger. */
enum err api_report_monthly(struct http_req *rq, struct http_resp *rs);

/* Emergency mail (api_emergency.c, over src/bulk/bulk_api.h with emergency_kind). */
/* POST /api/v1/emergency-sends (ward admin, contractor): {sites: [codes] | "all", subject,
 * body[, at, read_confirm]} → 201 {id, state, recipients, delivery[, at]}. */
enum err api_emergency_create(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/emergency-sends/preview (ward admin, contractor): the same body → {recipients,
 * approval_required, at}; nothing stored, refusals as composing. */
enum err api_emergency_preview(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/emergency-sends (ward roles, contractor; site staff see those of their sites):
 * every send with its counts. */
enum err api_emergency_list(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/emergency-sends/{id}: one send, its message and its delivery (recipients, sent,
 * failed with the SMTP replies, pending, reads); never addresses. */
enum err api_emergency_get(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/emergency-sends/{id}/approve (ward admin, contractor, site staff of every site
 * it goes to; never the author). */
enum err api_emergency_approve(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/emergency-sends/{id}/reject (as approve; never the author). */
enum err api_emergency_reject(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/emergency-sends/{id}/cancel (the author, or the ward admin): withdraws a send
 * awaiting approval or scheduled. */
enum err api_emergency_cancel(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/emergency-sends/{id}/resend (ward admin, contractor): the send again to those
 * who have not said 「読みました」. */
enum err api_emergency_resend(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/emergency-templates (ward admin, contractor): the templates. */
enum err api_emergency_templates(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/emergency-templates, PUT /api/v1/emergency-templates/{id}: {name, subject,
 * body}. */
enum err api_emergency_template_save(struct http_req *rq, struct http_resp *rs);
/* DELETE /api/v1/emergency-templates/{id}. */
enum err api_emergency_template_delete(struct http_req *rq, struct http_resp *rs);

/* Bouncing addresses (api_bouncing.c); addresses themselves are never shown. */
/* GET /api/v1/mail/bouncing (ward roles): guardians whose address is bouncing, with name,
 * children (child_no, site), hard/soft counts, last status, diagnostic and time. Audited. */
enum err api_mail_bouncing_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/mail/bouncing/{guardian_id}/confirmation (ward roles): mails that guardian a
 * new confirmation link (202); confirming it clears the bouncing state. 404 when the guardian's
 * address is not bouncing. Audited. */
enum err api_mail_bouncing_confirm(struct http_req *rq, struct http_resp *rs);

/* Guardians (/parent/, api_parent_session.c, api_parent_plan.c). */
/* POST /api/v1/parent/login-links (public): {email} → 202, a sign-in link mailed when the
 * address is a confirmed guardian's (the answer never says whether it is). */
enum err api_parent_link_create(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/parent/session (public): {token} → the guardian and a CSRF token, with the
 * parent session cookie set. */
enum err api_parent_session_create(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/parent/session (guardian): the guardian's name and CSRF token. */
enum err api_parent_session_get(struct http_req *rq, struct http_resp *rs);
/* DELETE /api/v1/parent/session (guardian): signs out (204). */
enum err api_parent_session_delete(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/parent/children (guardian): the guardian's own children and their sites. */
enum err api_parent_children(struct http_req *rq, struct http_resp *rs);
/* Returns a new JSON object of site s as guardians see it (code, name, phone, deadline,
 * opens, closes). */
json_t *api_parent_site_json(const struct site *s);
/* Loads the caller's (a guardian's) child named by the route's first {} into *child_id and
 * its *site, on c; 404 "no such child" for anyone else's child. */
enum err api_parent_child(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  int64_t *child_id, struct site *site);
/* GET /api/v1/parent/children/{no}/plan?month=YYYY-MM: the month calendar. */
enum err api_parent_plan_get(struct http_req *rq, struct http_resp *rs);
/* PUT /api/v1/parent/children/{no}/weekly: the weekly pattern. */
enum err api_parent_weekly_put(struct http_req *rq, struct http_resp *rs);
/* PUT /api/v1/parent/children/{no}/days/{day}: a day's plan or an absence notice. */
enum err api_parent_day_put(struct http_req *rq, struct http_resp *rs);
/* DELETE /api/v1/parent/children/{no}/days/{day}: the day back to the weekly pattern. */
enum err api_parent_day_delete(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/parent/children/{no}/pickups: the pickup list. */
enum err api_parent_pickups_get(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/parent/children/{no}/pickups: {name, relation} → 201 the new person. */
enum err api_parent_pickup_create(struct http_req *rq, struct http_resp *rs);
/* DELETE /api/v1/parent/children/{no}/pickups/{id} → 204. */
enum err api_parent_pickup_delete(struct http_req *rq, struct http_resp *rs);

#endif
