/* SPDX-License-Identifier: MIT */
/* api.h — the bath pass's HTTP handlers (one file per resource) and what they share. */
#ifndef MIMAMORI_BATHPASS_API_H
#define MIMAMORI_BATHPASS_API_H
#include <jansson.h>

#include "bathpass/bathpass.h"
#include "http/http.h"

/* api_counter.c: the counter (branch offices and head office) */
enum err api_bath_counter(struct http_req *rq, struct http_resp *rs);
enum err api_bath_search(struct http_req *rq, struct http_resp *rs);
enum err api_bath_issue(struct http_req *rq, struct http_resp *rs);
/* api_people.c: the ledger (head office) */
enum err api_bath_person(struct http_req *rq, struct http_resp *rs);
enum err api_bath_event(struct http_req *rq, struct http_resp *rs);
/* api_imports.c: import snapshots (head office) */
enum err api_bath_imports(struct http_req *rq, struct http_resp *rs);
enum err api_bath_import(struct http_req *rq, struct http_resp *rs);
enum err api_bath_import_approve(struct http_req *rq, struct http_resp *rs);
/* daily.c: 日別処理状況リスト (head office; recorded in the handover ledger) */
enum err api_bath_daily(struct http_req *rq, struct http_resp *rs);
/* counts.c: a fiscal year's counts per counter, 対象区分 and month (XLSX; head office) */
enum err api_bath_counts(struct http_req *rq, struct http_resp *rs);
/* api_mailings.c: passes by post, the March mailing and single letters (head office; the
 * PDFs are recorded in the handover ledger) */
enum err api_bath_mailing_plan(struct http_req *rq, struct http_resp *rs);
enum err api_bath_mailing_make(struct http_req *rq, struct http_resp *rs);
enum err api_bath_mailings(struct http_req *rq, struct http_resp *rs);
enum err api_bath_mailing_letters(struct http_req *rq, struct http_resp *rs);
enum err api_bath_letter(struct http_req *rq, struct http_resp *rs);

/* view.c */
/* Returns a new JSON object of p for the caller: what the counter needs (name, kana, birth in
 * ISO and 和暦, age, sex, category, address, eligibility, this year's pass), and for head
 * office also 宛名番号, postcode, phone, exclusion and note. NULL on a database error. */
json_t *bath_person_json(struct store_conn *c, const struct bath_person *p, int office,
			 const char *today);
/* Reads a date field of a JSON body (ISO or 和暦) into out (ISO, 11 bytes); absent: today.
 * Returns 0 when present but unreadable. */
int bath_json_date(json_t *body, const char *key, char out[11]);
/* Reads a fiscal year given as text (a query's fiscal_year): 0 when s is NULL or "", -1 when it
 * is not a year from 2000 to 2100, else the year. */
int bath_query_year(const char *s);
/* What a person reads when bath_query_year refused the year. */
#define BATH_YEAR_WHY "年度は2000〜2100年の西暦の数字で指定してください（例 2026）。"

#endif
