/* SPDX-License-Identifier: MIT */
/* api.h — the service's HTTP handlers (routes in service.c) and their shared JSON helpers. */
#ifndef MIMAMORI_SCHOOLMAIL_API_H
#define MIMAMORI_SCHOOLMAIL_API_H
#include "http/http.h"
#include "schoolmail/schoolmail.h"

/* A school as JSON: code, name, kind, kind_label, grades (count), grade_labels [{grade,
 * label}], classes, registrants; with_code adds this year's security_code. */
json_t *schoolmail_school_json(const struct school *s, int with_code);

/* Guardians, by token (api_signup.c, api_manage.c). */
enum err api_school_signup_lookup(struct http_req *rq, struct http_resp *rs);
enum err api_school_signup(struct http_req *rq, struct http_resp *rs);
enum err api_school_manage_lookup(struct http_req *rq, struct http_resp *rs);
enum err api_school_manage_cancel(struct http_req *rq, struct http_resp *rs);
enum err api_school_manage_edit_link(struct http_req *rq, struct http_resp *rs);
enum err api_school_edit_lookup(struct http_req *rq, struct http_resp *rs);
enum err api_school_edit_update(struct http_req *rq, struct http_resp *rs);
enum err api_school_edit_cancel(struct http_req *rq, struct http_resp *rs);

/* Staff (api_schools.c, api_registrants.c, api_rollover.c). */
enum err api_schools_list(struct http_req *rq, struct http_resp *rs);
enum err api_school_counts(struct http_req *rq, struct http_resp *rs);
enum err api_school_letter(struct http_req *rq, struct http_resp *rs);
enum err api_school_users_list(struct http_req *rq, struct http_resp *rs);
enum err api_school_users_create(struct http_req *rq, struct http_resp *rs);
enum err api_school_registrants(struct http_req *rq, struct http_resp *rs);
enum err api_school_registrant_remove(struct http_req *rq, struct http_resp *rs);
enum err api_school_alerts(struct http_req *rq, struct http_resp *rs);
enum err api_school_alert_ack(struct http_req *rq, struct http_resp *rs);

/* Sends on the bulk layer (api_sends.c). */
enum err api_school_send_preview(struct http_req *rq, struct http_resp *rs);
enum err api_school_send_create(struct http_req *rq, struct http_resp *rs);
enum err api_school_sends_list(struct http_req *rq, struct http_resp *rs);
enum err api_school_send_get(struct http_req *rq, struct http_resp *rs);
enum err api_school_send_approve(struct http_req *rq, struct http_resp *rs);
enum err api_school_send_reject(struct http_req *rq, struct http_resp *rs);
enum err api_school_send_cancel(struct http_req *rq, struct http_resp *rs);
enum err api_school_send_resend(struct http_req *rq, struct http_resp *rs);
enum err api_school_templates(struct http_req *rq, struct http_resp *rs);
enum err api_school_template_save(struct http_req *rq, struct http_resp *rs);
enum err api_school_template_delete(struct http_req *rq, struct http_resp *rs);

#endif
