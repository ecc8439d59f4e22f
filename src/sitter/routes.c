/* SPDX-License-Identifier: MIT */
/* routes.c — the babysitter subsidy's API routes with the roles that may call them; reads like
 * a menu. The applicant has no account: their link's token (X-Applicant-Token) is the
 * capability for their own application only. The contractor receives and pre-screens; the
 * ward alone decides (grant_approver) and pays (tests/e2e/test_sitter.py, route × role). */
#include "sitter/service.h"

#include "sitter/api.h"

#define CONTRACTOR (ROLE_GRANT_OPERATOR | ROLE_GRANT_SUPERVISOR)
#define WARD (ROLE_GRANT_STAFF | ROLE_GRANT_APPROVER)
#define ALL (CONTRACTOR | WARD)
#define NOTICES (ROLE_GRANT_SUPERVISOR | WARD)
#define LINK (HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_FAILED)

/* clang-format off */
const struct http_route sitter_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	/* the applicant: the public form and their own application by its link */
	{"GET", "/api/v1/sitter/bank", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF, api_sitter_bank,
	 "a bank's and branch's names by their codes (the form's check)"},
	{"POST", "/api/v1/sitter/applications", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_EACH,
	 api_sitter_apply, "start an application (draft): its number and the applicant's link token"},
	{"GET", "/api/v1/sitter/mine", ROLE_PUBLIC, LINK, api_sitter_mine,
	 "the applicant's own application: state, amounts, hours left under the cap, what to fix"},
	{"PUT", "/api/v1/sitter/mine", ROLE_PUBLIC, LINK, api_sitter_mine_update,
	 "correct the form (while a draft or returned for correction)"},
	{"PUT", "/api/v1/sitter/mine/bank", ROLE_PUBLIC, LINK, api_sitter_mine_bank,
	 "give a correct account after a returned transfer"},
	{"POST", "/api/v1/sitter/mine/receipts", ROLE_PUBLIC, LINK | HTTP_ROUTE_UPLOAD,
	 api_sitter_receipt_add, "upload a receipt (JPEG, PNG or PDF; its type checked on its bytes)"},
	{"DELETE", "/api/v1/sitter/mine/receipts/{}", ROLE_PUBLIC, LINK, api_sitter_receipt_delete,
	 "remove a receipt (while a draft or returned)"},
	{"POST", "/api/v1/sitter/mine/submit", ROLE_PUBLIC, LINK, api_sitter_submit,
	 "send the application (with at least one receipt); a confirmation mail"},
	/* the contractor's pre-screen, the ward's decision */
	{"GET", "/api/v1/sitter/applications", ALL, 0, api_sitter_list,
	 "applications by state, or found by 申請番号, name, ふりがな, phone or mail"},
	{"POST", "/api/v1/sitter/paper", CONTRACTOR, 0, api_sitter_paper,
	 "key in a paper application (received at once)"},
	{"GET", "/api/v1/sitter/applications/{}", ALL, 0, api_sitter_get,
	 "one application: the form, the count under the cap, checks, receipts, steps"},
	{"GET", "/api/v1/sitter/applications/{}/receipts/{}", ALL, 0, api_sitter_receipt,
	 "one receipt's file (audited)"},
	{"POST", "/api/v1/sitter/applications/{}/receipts", CONTRACTOR, HTTP_ROUTE_UPLOAD,
	 api_sitter_staff_receipt_add,
	 "add a receipt that came on paper (a paper or imported application, while received)"},
	{"POST", "/api/v1/sitter/applications/{}/checks", CONTRACTOR, 0, api_sitter_check,
	 "mark an item of the pre-screen checked (or not)"},
	{"POST", "/api/v1/sitter/applications/{}/return", CONTRACTOR, 0, api_sitter_return,
	 "return for correction: the applicant is mailed what to fix and the link"},
	{"POST", "/api/v1/sitter/applications/{}/screen", CONTRACTOR, 0, api_sitter_screen,
	 "close the pre-screen (every item checked): the ward decides next"},
	{"POST", "/api/v1/sitter/applications/{}/decide", ROLE_GRANT_APPROVER, 0, api_sitter_decide,
	 "decide: approve (the amount within the cap) or reject with a reason"},
	{"POST", "/api/v1/sitter/applications/{}/send-back", WARD, 0, api_sitter_send_back,
	 "send a screened application back to the contractor's pre-screen"},
	/* the notices */
	{"GET", "/api/v1/sitter/notices", ALL, 0, api_sitter_notices,
	 "the days with decisions to notify, and the notice batches made"},
	{"POST", "/api/v1/sitter/notices", NOTICES, 0, api_sitter_notice_make,
	 "make a day's notices: its decisions become notified"},
	{"GET", "/api/v1/sitter/notices/{}/pdf", NOTICES, 0, api_sitter_notice_pdf,
	 "the batch's 交付決定通知書 / 不交付決定通知書 for window envelopes (in the handover ledger)"},
	/* the payments */
	{"GET", "/api/v1/sitter/payments", WARD, 0, api_sitter_payments,
	 "what can be paid, and the transfer files made"},
	{"POST", "/api/v1/sitter/payments", WARD, 0, api_sitter_payment_make,
	 "make a transfer of every notified approval for a payment date"},
	{"GET", "/api/v1/sitter/payments/{}/file", WARD, 0, api_sitter_payment_file,
	 "the transfer's 全銀 総合振込 file (in the handover ledger)"},
	{"POST", "/api/v1/sitter/payments/returns", WARD, HTTP_ROUTE_UPLOAD, api_sitter_returns,
	 "read back returned transfers (振込不能, 全銀 layout): each applicant is asked for an account"},
	/* the call center */
	{"GET", "/api/v1/sitter/inquiries", ALL, 0, api_sitter_inquiries,
	 "the call center's log: open ones, or those of an application"},
	{"POST", "/api/v1/sitter/inquiries", CONTRACTOR, 0, api_sitter_inquiry_add,
	 "log an inquiry"},
	{"POST", "/api/v1/sitter/inquiries/{}", CONTRACTOR, 0, api_sitter_inquiry_update,
	 "answer or resolve an inquiry"},
	{0},
};
/* clang-format on */
