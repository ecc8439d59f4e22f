/* SPDX-License-Identifier: MIT */
/* routes.c — the bath pass's API routes with the roles that may call them; reads like a menu.
 * Branch-office staff (bath_branch) have the counter only: look up, issue, reissue — no
 * person's whole record, no imports, nothing to export (tests/e2e/test_bathpass.py). */
#include "bathpass/service.h"

#include "bathpass/api.h"

#define OFFICE ROLE_BATH_OFFICE
#define COUNTER (ROLE_BATH_OFFICE | ROLE_BATH_BRANCH)

/* clang-format off */
const struct http_route bathpass_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	/* the counter: head office and branch offices */
	{"GET", "/api/v1/bath/counter", COUNTER, 0, api_bath_counter,
	 "the caller's counter, the fiscal year and the list of counters"},
	{"GET", "/api/v1/bath/people", COUNTER, 0, api_bath_search,
	 "find people by ふりがな prefix, name, birth date (和暦 too) or 宛名番号: eligibility and "
	 "this year's pass"},
	{"POST", "/api/v1/bath/people/{}/issue", COUNTER, 0, api_bath_issue,
	 "issue (or reissue) a pass at the caller's counter: the 整理番号"},
	/* head office: the ledger and the imports */
	{"GET", "/api/v1/bath/people/{}", OFFICE, 0, api_bath_person,
	 "one person's whole record and history"},
	{"POST", "/api/v1/bath/people/{}/events", OFFICE, 0, api_bath_event,
	 "record an application, a pass or a reissue by mail, returned mail, an exclusion or a send-to change"},
	{"GET", "/api/v1/bath/imports", OFFICE, 0, api_bath_imports,
	 "the host imports (snapshots) with their counts and status"},
	{"GET", "/api/v1/bath/imports/{}", OFFICE, 0, api_bath_import,
	 "one import's differences: new, changed fields, gone with reason, rejected lines"},
	{"POST", "/api/v1/bath/imports/{}/approve", OFFICE, 0, api_bath_import_approve,
	 "approve an import (not its maker) and apply it to the ledger"},
	{"GET", "/api/v1/bath/reports/daily", OFFICE, 0, api_bath_daily,
	 "日別処理状況リスト: a day's events per counter, PDF or CSV (UTF-8 or CP932; the handover "
	 "ledger records it)"},
	{"GET", "/api/v1/bath/reports/counts", OFFICE, 0, api_bath_counts,
	 "a fiscal year's counts per counter, 対象区分 and month (XLSX; in the handover ledger)"},
	/* head office: passes by post */
	{"GET", "/api/v1/bath/mailings", OFFICE, 0, api_bath_mailings,
	 "the mailings by post made so far (newest first)"},
	{"GET", "/api/v1/bath/mailings/plan", OFFICE, 0, api_bath_mailing_plan,
	 "who a mailing of next year's passes would go to (date, fiscal_year): letters per "
	 "対象区分, and who is held back (returned mail, 個別事由)"},
	{"POST", "/api/v1/bath/mailings", OFFICE, 0, api_bath_mailing_make,
	 "make the mailing: a pass by mail with its 整理番号 for each, in postcode order"},
	{"GET", "/api/v1/bath/mailings/{}/letters", OFFICE, 0, api_bath_mailing_letters,
	 "the mailing's cover letters for 長3 window envelopes, one PDF in postcode order (in the "
	 "handover ledger)"},
	{"GET", "/api/v1/bath/people/{}/letter", OFFICE, 0, api_bath_letter,
	 "the cover letter of one person's latest pass by mail this fiscal year (in the handover "
	 "ledger)"},
	{0},
};
/* clang-format on */
