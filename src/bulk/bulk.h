/* SPDX-License-Identifier: MIT */
/* bulk.h — bulk sends, the platform layer every service sends mass mail through (attendance's
 * emergency mail, the schools' mass mail). A service describes its kind of bulk mail once
 * (struct bulk_kind: its list, whom an audience reaches, whose scope covers it, what in a text
 * would be its people's personal data); the layer does the rest: compose with a preview of the
 * count, templates, scheduled sends, four-eyes approval (never by the author, only within the
 * approver's scope), the personal-data check, one outbox row per recipient (the per-recipient
 * ledger, sealed under the service's key), the delivery view and retry (src/mail/send_report.c),
 * read confirmation (「読みました」) with a re-send to those who have not read, and
 * List-Unsubscribe for lists that may be left. Every step is audited as "<list>.<step>".
 *
 * Ownership: the layer keeps no pointer to what it is given; strings it returns are static
 * (reasons, states, codes) unless said otherwise. The service owns its kind (static). */
#ifndef MIMAMORI_BULK_BULK_H
#define MIMAMORI_BULK_BULK_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "mail/mail.h"

struct app;
struct buf;
struct store_conn;
struct user;
struct json_t;

#define BULK_SUBJECT_MAX 100	  /* characters (code points), one line */
#define BULK_BODY_MAX 4000	  /* characters */
#define BULK_AUDIENCE_MAX 2048	  /* bytes of an audience description */
#define BULK_SCHEDULE_DAYS 31	  /* a send may be scheduled this far ahead at most */
#define BULK_TEMPLATE_NAME_MAX 40 /* characters of a template's title */
#define BULK_TEMPLATES_MAX 200	  /* templates of one list */

/* One recipient a service hands the layer: its address (borrowed for the call), its record in
 * the service's own tables (stored with the outbox row; 0 when none) and, for a kind that sends
 * on a list per group (the schools: one per school, so that leaving one school's mail leaves
 * no other's), the list its message goes out on — declared by the service
 * (mail_list_declare) — or NULL for the kind's own list. */
struct bulk_recipient {
	const char *address;
	int64_t owner_id;
	const char *list;
};
/* The layer's callback for each recipient of an audience; returns ERR_OK to go on. */
typedef enum err (*bulk_emit_fn)(void *ctx, const struct bulk_recipient *r);

/* A service's kind of bulk mail (static, owned by the service). */
struct bulk_kind {
	const char *service;   /* whose people and key: "attendance" */
	struct mail_list list; /* name (send_id prefix, audit prefix), label_ja, may_unsubscribe */
	const char *what_ja;   /* how messages name one send: 「緊急メール」 */
	const char *footer_ja; /* appended to every body (who sends it, that replies go nowhere) */
	int four_eyes_multi;   /* 1: an audience of more than one group waits for a second person */
	const char *audience_key; /* the JSON member the audience is shown as ("sites") */

	/* Calls emit once per recipient of audience as of now, on c (inside the layer's write
	 * transaction); each address once. */
	enum err (*audience)(struct app *a, struct store_conn *c, const char *audience,
			     bulk_emit_fn emit, void *ctx);
	/* Counts the recipients of audience as of now, on c. */
	enum err (*count)(struct app *a, struct store_conn *c, const char *audience, size_t *n);
	/* Returns how many groups audience spans (sites, schools, classes); 0 for "everyone". */
	size_t (*groups)(const char *audience);
	/* Returns 1 when u's scope covers the whole of audience (u may compose, see or decide a
	 * send to it). */
	int (*in_scope)(struct app *a, const struct user *u, const char *audience);
	/* Looks for the service's people's personal data in folded (subject and body, folded by
	 * bulk_fold): ERR_OK when none, ERR_INVALID with *why (static Japanese, naming the kind
	 * found, never the value) on a hit, another error when it could not look. */
	enum err (*personal)(struct app *a, const char *folded, const char **why);
	/* Returns a new JSON value showing audience (["G01","G02"] or "all"). */
	struct json_t *(*audience_json)(const char *audience);
	/* Appends to out (on c, inside the layer's write transaction) what recipient r's message
	 * adds under the kind's footer — a link of its own, such as the one to change or cancel a
	 * registration; or NULL when every message is the same. Called for every recipient queued,
	 * re-sends to those who have not read included (r->list is then the row's list). */
	enum err (*footer)(struct app *a, struct store_conn *c, const struct bulk_recipient *r,
			   struct buf *out);
};

/* What a person composes. */
struct bulk_draft {
	const char *audience; /* the service's description, already checked by the service */
	const char *subject;
	const char *body;
	int64_t at_ms;	  /* 0: at once; else the time to send (future, within 31 days) */
	int read_confirm; /* 1: each mail asks for 「読みました」 */
};

/* The outcome of composing or deciding. */
struct bulk_result {
	int64_t id;
	char state[24];	   /* awaiting_approval, scheduled, sent, rejected, cancelled, refused */
	size_t recipients; /* mails queued, or (not queued yet) the audience now */
	int64_t at_ms;	   /* a scheduled send's time, else 0 */
	const char *code;  /* a refusal's stable code (personal_data, second_approver_required,
			    * out_of_scope, already_decided …) or NULL */
};

/* ---- text checks (text_check.c: pure, no storage) ---- */

/* Returns the number of UTF-8 characters (code points) in s. */
size_t bulk_chars(const char *s);
/* Returns NULL when subject (1-100 characters, one line) and body (1-4000 characters) are
 * acceptable, else a static reason. */
const char *bulk_shape_check(const char *subject, const char *body);
/* Returns 1 when text holds something that looks like a Japanese phone number: 10-11 digits
 * starting with 0 (ASCII or full-width), in groups split by hyphens, spaces, dots or brackets,
 * or +81 and the number without its 0. */
int bulk_has_phone(const char *text);
/* Folds s in place for matching: removes ASCII spaces, tabs and U+3000, lower-cases ASCII
 * letters. Returns the number of characters left. */
size_t bulk_fold(char *s);
/* Folds name in place and returns 1 when it has at least 2 characters and occurs in
 * folded_text (already folded by bulk_fold). */
int bulk_has_name(const char *folded_text, char *name);

/* ---- sends (send.c) ---- */

/* Checks a message as composing would, without storing anything: shape, phone numbers, the
 * service's people's data (k->personal). ERR_INVALID with *why and *code ("personal_data" for a
 * hit) when refused. */
enum err bulk_check(struct app *a, const struct bulk_kind *k, const char *subject, const char *body,
		    const char **why, const char **code);
/* The preview of draft d: whom it reaches now (*recipients) and whether it will wait for a
 * second person (*needs_approval). Refusals as bulk_check, and for an audience outside u's
 * scope (ERR_FORBIDDEN, "out_of_scope"). Nothing is stored. */
enum err bulk_preview(struct app *a, const struct bulk_kind *k, const struct user *u,
		      const struct bulk_draft *d, size_t *recipients, int *needs_approval,
		      const char **why, const char **code);
/* Composes d as user u (actor for the audit log). Refused like bulk_preview (a refusal for
 * personal data is audited "<list>.refused" with the kind found). An audience of more than
 * one group (four_eyes_multi) waits for a second person (awaiting_approval); otherwise a send
 * with a time is scheduled, and one without is queued at once: one outbox row per recipient
 * (send_id "<list>:<id>"), in the transaction that stores it. Audited "<list>.compose". */
enum err bulk_compose(struct app *a, const struct bulk_kind *k, const struct user *u,
		      const char *actor, const struct bulk_draft *d, struct bulk_result *res,
		      const char **why);
/* Approves (approve 1) or rejects (0) send id of kind k as user u. Never by its author
 * (ERR_FORBIDDEN, "second_approver_required"), only by a user whose scope covers the whole
 * audience (ERR_FORBIDDEN, "out_of_scope"), only while it awaits approval (ERR_CONFLICT,
 * "already_decided"). The approver is recorded. An approval checks the text again against the
 * people of now and queues it (or schedules it, when its time is still to come) with the
 * audience chosen anew. ERR_NOTFOUND for another kind's or no send. Audited. */
enum err bulk_decide(struct app *a, const struct bulk_kind *k, const struct user *u,
		     const char *actor, int64_t id, int approve, struct bulk_result *res,
		     const char **why);
/* Withdraws send id (awaiting approval or scheduled) as user u: its author, or a ward
 * administrator whose scope covers it. ERR_CONFLICT once it was sent or decided. Audited. */
enum err bulk_cancel(struct app *a, const struct bulk_kind *k, const struct user *u,
		     const char *actor, int64_t id, struct bulk_result *res, const char **why);
/* Sends send id (sent, with read confirmation) again to its recipients who have not said
 * 「読みました」 — a new send (parent id) of the same text, checked again, queued at once
 * (those recipients were approved already). ERR_CONFLICT ("nothing_to_resend") when every
 * recipient read it or the send asked for no confirmation. Audited "<list>.resend". */
enum err bulk_resend_unread(struct app *a, const struct bulk_kind *k, const struct user *u,
			    const char *actor, int64_t id, struct bulk_result *res,
			    const char **why);
/* Sends every scheduled send of the kinds (ending with NULL) whose time has come by now_ms:
 * the audience chosen anew and the text checked again (a text that now holds personal data is
 * refused: state "refused", audited, nothing sent). *sent counts those queued. The scheduler
 * (bulk_scheduler_start) calls it. */
enum err bulk_run_due(struct app *a, const struct bulk_kind *const *kinds, int64_t now_ms,
		      size_t *sent);

/* Where the mail of a send in state stands, from its outbox rows (total, sent, failed):
 * "queued" (none answered yet: 送信待ち), "sending" (some answered, some pending: 送信中 n/N),
 * "done" (all sent: 完了) or "partly_failed" (nothing pending, some failed: 一部失敗); NULL
 * before it was queued. A send is never called sent while any of its mail waits. */
const char *bulk_delivery(const char *state, int64_t total, int64_t sent, int64_t failed);

/* ---- viewing sends (view.c) ---- */

/* One send as the API shows it. Strings are copies; subject/body are plaintext: wipe with
 * bulk_send_view_free. */
struct bulk_send_view {
	int64_t id, parent_id;
	char state[24];
	char *audience;
	char *subject, *body; /* body NULL unless asked for */
	int64_t created_ms, approved_ms, at_ms, sent_ms;
	char author[64], approver[64]; /* logins ("" when none) */
	int64_t author_id;
	int read_confirm;
	char send_id[64];
	int64_t total, sent, failed, reads; /* from the outbox rows and mail_reads */
	char refusal[256];
};
/* Frees what v holds (not v). */
void bulk_send_view_free(struct bulk_send_view *v);
/* Loads send id of kind k into *v (with its body when with_body), on c. ERR_NOTFOUND when it
 * is no send of k. */
enum err bulk_send_get(struct app *a, const struct bulk_kind *k, struct store_conn *c, int64_t id,
		       int with_body, struct bulk_send_view *v);
/* Loads the newest sends of kind k (at most max) that u's scope covers into *out (malloc'd
 * array of *n; free each with bulk_send_view_free, then the array). */
enum err bulk_send_list(struct app *a, const struct bulk_kind *k, const struct user *u,
			struct store_conn *c, size_t max, struct bulk_send_view **out, size_t *n);

/* ---- templates (template.c) ---- */

/* One template; strings malloc'd (bulk_template_free). */
struct bulk_template {
	int64_t id;
	char *name, *subject, *body;
	char author[64];
	int64_t updated_ms;
};
void bulk_template_free(struct bulk_template *t);
/* Stores a template of kind k (a new one, or id's when id > 0) as user u: name (1-40
 * characters, one line), subject and body as bulk_check requires — a template holds no personal
 * data either. *id is its id. ERR_CONFLICT for a name in use, ERR_NOTFOUND for no such id.
 * Audited "<list>.template.save". */
enum err bulk_template_save(struct app *a, const struct bulk_kind *k, const struct user *u,
			    const char *actor, int64_t *id, const char *name, const char *subject,
			    const char *body, const char **why, const char **code);
/* Loads the templates of kind k, by name, into *out (malloc'd array of *n; free each with
 * bulk_template_free, then the array). */
enum err bulk_template_list(struct app *a, const struct bulk_kind *k, struct bulk_template **out,
			    size_t *n);
/* Deletes template id of kind k. ERR_NOTFOUND when there is none. Audited. */
enum err bulk_template_delete(struct app *a, const struct bulk_kind *k, const char *actor,
			      int64_t id);

/* ---- the scheduler (scheduler.c) ---- */

struct bulk_scheduler;
/* Starts a thread that runs bulk_run_due for kinds (ending with NULL; they must outlive it)
 * every interval_ms. NULL when no thread could be started. */
struct bulk_scheduler *bulk_scheduler_start(struct app *a, const struct bulk_kind *const *kinds,
					    int64_t interval_ms);
/* Stops the thread and frees s; NULL is a no-op. */
void bulk_scheduler_stop(struct bulk_scheduler *s);

#endif
