/* SPDX-License-Identifier: MIT */
/* api.h — the babysitter subsidy's HTTP handlers (one file per resource) and what they share:
 * the staff's scope (an account of a grant role works on one benefit: grant_staff) and the
 * applicant's link. */
#ifndef MIMAMORI_SITTER_API_H
#define MIMAMORI_SITTER_API_H
#include <jansson.h>

#include "http/http.h"
#include "sitter/sitter.h"

/* Returns ERR_OK when the signed-in caller works on this benefit; else answers 403
 * (not_this_service) and returns ERR_FORBIDDEN. Every staff handler calls it first. */
enum err sitter_scope(struct http_req *rq, struct http_resp *rs);
/* Returns the application id of the caller's link (header X-Applicant-Token), or answers 404
 * (link_invalid) and returns ERR_NOTFOUND. */
enum err sitter_applicant(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  int64_t *id);
/* Answers 200 with {application: …} for application id as the caller sees it (staff 1: with
 * its id, checks and what the caller may do). */
enum err sitter_answer_app(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   int64_t id, int staff, unsigned status);

/* Sets *out to application id as the caller sees it (new reference), or answers the error. */
enum err sitter_app_object(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   int64_t id, int staff, json_t **out);

/* api_apply.c: the applicant (public, by the link) */
enum err api_sitter_bank(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_apply(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_mine(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_mine_update(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_mine_bank(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_receipt_add(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_staff_receipt_add(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_receipt_delete(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_submit(struct http_req *rq, struct http_resp *rs);
/* api_screen.c: the contractor's pre-screen and the ward's decision */
enum err api_sitter_list(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_paper(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_get(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_receipt(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_check(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_return(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_screen(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_decide(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_send_back(struct http_req *rq, struct http_resp *rs);
/* api_notices.c: the decision notices, a day's batch (PDF in the handover ledger) */
enum err api_sitter_notices(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_notice_make(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_notice_pdf(struct http_req *rq, struct http_resp *rs);
/* api_payments.c: the transfer files (全銀) and returned transfers */
enum err api_sitter_payments(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_payment_make(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_payment_file(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_returns(struct http_req *rq, struct http_resp *rs);
/* api_inquiries.c: the call center's log */
enum err api_sitter_inquiries(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_inquiry_add(struct http_req *rq, struct http_resp *rs);
enum err api_sitter_inquiry_update(struct http_req *rq, struct http_resp *rs);

#endif
