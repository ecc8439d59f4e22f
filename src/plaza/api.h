/* SPDX-License-Identifier: MIT */
/* api.h — the plazas' HTTP handlers (one file per resource) and what they share: the caller's
 * plaza (a plaza_staff account's, from plaza_staff) and the audit of their work. */
#ifndef MIMAMORI_PLAZA_API_H
#define MIMAMORI_PLAZA_API_H
#include <jansson.h>

#include "http/http.h"
#include "plaza/plaza.h"

/* Writes the caller's plaza into *plaza_id: a plaza_staff account's own (403 no_plaza when it
 * has none), or 0 (every plaza) for the ward's roles. */
enum err plaza_scope(struct http_req *rq, struct http_resp *rs, int64_t *plaza_id);
/* Ends the transaction on c that a write (result e) began: commits it when e is ERR_OK, else
 * rolls it back; then reads user id into *u (zeroed first; the caller clears it). Returns e, the
 * commit's or the read's error. */
enum err plaza_commit_load(struct store_conn *c, const struct vault *v, enum err e, int64_t id,
			   struct plaza_user *u);
/* Returns the JSON of u as the desk sees it (the age computed on today). */
json_t *plaza_user_json(const struct plaza_user *u, const char *today);

/* api_users.c: the desk — who am I, search, registration, a user, cards */
enum err api_plaza_me(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_search(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_user_add(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_user(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_user_update(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_cards(struct http_req *rq, struct http_resp *rs);
/* api_visits.c: a card scanned, the counts */
enum err api_plaza_visit(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_counts(struct http_req *rq, struct http_resp *rs);
/* api_admin.c: the ward's yearly work and the staff's plazas */
enum err api_plaza_grade_runs(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_grade_update(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_inactive(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_inactive_delete(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_staff(struct http_req *rq, struct http_resp *rs);
enum err api_plaza_staff_set(struct http_req *rq, struct http_resp *rs);

#endif
