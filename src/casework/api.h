/* SPDX-License-Identifier: MIT */
/* api.h — the casework layer's HTTP side, the same for every casework service and parameterised
 * by its struct casework_kind: the answers of the one access rule, the case's audit entries,
 * opening a case with the reason of the day (or break-glass) and reading it, versioned notes,
 * the supervisor's openings and break-glass review, and the passphrase-sealed handover through
 * the ledger. A service's route handlers call these with its kind. */
#ifndef MIMAMORI_CASEWORK_API_H
#define MIMAMORI_CASEWORK_API_H
#include "casework/casework.h"
#include "http/http.h"

/* api_reach.c */
/* Answers 404 not_found ("見つかりません。"); returns ERR_NOTFOUND. */
enum err casework_not_found(struct http_resp *rs);
/* Appends the audit entry action on case id ("<object>:<id>", detail) in the caller's
 * transaction: ERR_OK or the store's error. */
enum err casework_audit(const struct casework_kind *k, struct http_req *rq, struct store_conn *c,
			const char *action, int64_t id, const char *detail);
/* Appends the read audit entry (casework.read, at most once a minute per caller) of case id. */
enum err casework_audit_read(const struct casework_kind *k, struct http_req *rq,
			     struct store_conn *c, int64_t id, const char *detail, int64_t now);
/* Checks that the caller reaches case id (and, when opened is set, has opened it today):
 * ERR_OK, or the error answered (404 when not at all, 409 open_required). */
enum err casework_reach(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs,
			struct store_conn *c, int64_t id, int opened);
/* Checks that case id is not closed (the kind's closed_state): ERR_OK, or the error answered
 * (409 case_closed, which asks to reopen it first). */
enum err casework_writable(const struct casework_kind *k, struct http_resp *rs,
			   struct store_conn *c, int64_t id);
/* Reads the day a case ends from body's "on" (today when absent) into out: a real date
 * "YYYY-MM-DD", not after today, not before first (what the case began with, named first_what
 * in the message). ERR_OK, or 400 code answered, its message naming the field what
 * (「相談の終了日」). */
enum err casework_end_day(struct http_resp *rs, const json_t *body, const char *first,
			  const char *what, const char *first_what, const char *code, char out[11]);
/* Checks as casework_reach (opened today) and casework_writable, and reads the request's JSON
 * body into *body (the caller decrefs it): what every write to a case begins with. */
enum err casework_reach_body(const struct casework_kind *k, struct http_req *rq,
			     struct http_resp *rs, struct store_conn *c, int64_t id, json_t **body);
/* Returns the name of how as answered ("assigned", the kind's supervisor_how, "break_glass",
 * "none"; static). */
const char *casework_how_name(const struct casework_kind *k, enum casework_access how);
/* Returns the case a path segment names: its id, or its number (the kind's letter, then
 * 2026-0001: what a worker told of a case on the phone has for a break-glass open); 0 when
 * neither. */
int64_t casework_case_param(const struct casework_kind *k, struct store_conn *c, const char *s);

/* api_open.c */
/* Answers the whole case id (unsealed under the kind's key) with "access" set to access. */
enum err casework_answer_case(const struct casework_kind *k, struct http_req *rq,
			      struct http_resp *rs, struct store_conn *c, int64_t id,
			      const char *access);
/* The route handlers of opening a case and of reading it once opened (the case
 * named by rq->params[0]); each answers the whole case with its "access". */
enum err casework_api_open(const struct casework_kind *k, struct http_req *rq,
			   struct http_resp *rs);
enum err casework_api_case(const struct casework_kind *k, struct http_req *rq,
			   struct http_resp *rs);

/* api_notes.c */
/* Ends one write on case id begun by the caller (e its result so far): its audit entry
 * "<action>" and the commit, or the rollback; answers the error (400 code with why when
 * ERR_INVALID and why, 409 note_changed, 404) and returns it. */
enum err casework_finish(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs,
			 struct store_conn *c, enum err e, int64_t id, const char *action,
			 const char *detail, const char *why, const char *code);
/* The route handlers of a case's notes: a new note on case rq->params[0], a new version of
 * note rq->params[0], and its history. Audit actions "<service>.note_add" and
 * "<service>.note_edit". */
enum err casework_api_note_add(const struct casework_kind *k, struct http_req *rq,
			       struct http_resp *rs);
enum err casework_api_note_edit(const struct casework_kind *k, struct http_req *rq,
				struct http_resp *rs);
enum err casework_api_note_versions(const struct casework_kind *k, struct http_req *rq,
				    struct http_resp *rs);

/* api_review.c: the supervisor's openings (of case_id, or all when 0; ?pending=1 only
 * break-glass ones to review), each with its case's number, and the review of one
 * break-glass opening rq->params[0]. */
enum err casework_api_opens(const struct casework_kind *k, struct http_req *rq,
			    struct http_resp *rs, int64_t case_id);
enum err casework_api_open_review(const struct casework_kind *k, struct http_req *rq,
				  struct http_resp *rs);

/* handover.c */
/* Returns in *out (malloc'd; the caller wipes it with vault_wipe_free) the handover file's
 * text of case id: {format "mimamori-<service>-handover-1", service, <key>: the whole case,
 * each note with every version}. */
enum err casework_handover_text(const struct casework_kind *k, struct store_conn *c,
				const struct vault *v, int64_t id, char **out);
/* The route handler of the handover export of case rq->params[0]: sealed with the body's
 * passphrase, recorded in the ledger and sent as "<service>-handover-<number>.mmbox". */
enum err casework_api_handover(const struct casework_kind *k, struct http_req *rq,
			       struct http_resp *rs);

#endif
