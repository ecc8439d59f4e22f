/* SPDX-License-Identifier: MIT */
/* schoolmail.h — the schools' mass mail (一斉メール配信, seed 003), phase 1: schools and their
 * yearly security codes, sign-up by empty mail, registrations and their change or cancellation,
 * school administrators and senders, the yearly roll-over. Internal to src/schoolmail/. */
#ifndef MIMAMORI_SCHOOLMAIL_SCHOOLMAIL_H
#define MIMAMORI_SCHOOLMAIL_SCHOOLMAIL_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct app;
struct store_conn;
struct vault;
struct buf;

/* ---- settings ([schoolmail] of mimamori.conf; config.c) ---- */

struct schoolmail_config {
	char signup_address[256]; /* touroku@… (local part, '+CODE' allowed, domain) */
	char signup_local[128];	  /* its local part, lower-cased */
	char signup_domain[128];  /* its domain, lower-cased */
	int link_hours;		  /* a sign-up link is valid this long (24) */
	int links_per_hour;	  /* sign-up links one address gets an hour (5) */
	int replies_per_hour;	  /* replies of every kind an hour, for all senders (3000) */
	char term_starts[64];	  /* term start dates "04-01,09-01,01-08" (password changes) */
	int drop_percent;	  /* a roll-over drop above this alerts the ward (10) */
	char alert_email[256];	  /* where roll-over alerts go ("" = [server] admin_alert_email) */
	char ward_name[128];	  /* who signs the letters and mails: 桜台区教育委員会 */
	char from_name[4 * 64 + 1]; /* the sender's name of this service's mail ("": ward_name) */
};

/* Returns the settings of a's data directory, read once per process (static; never NULL). */
const struct schoolmail_config *schoolmail_config(struct app *a);

/* The service's name, also its data key's name. */
#define SCHOOLMAIL_SERVICE "schoolmail"

/* The data key of this service (app_vault(a, "schoolmail")): everything it seals and blinds —
 * registrants, addresses, its mail in the outbox. Never NULL once the app is open (app_open
 * opens every registered service's key). The audit chain is the platform's (a->vault). */
const struct vault *schoolmail_vault(struct app *a);

/* ---- schools and codes (school.c) ---- */

#define SCHOOLMAIL_CODE_LEN 8 /* characters of a security code */
#define SCHOOLMAIL_NAME_MAX 60

struct school {
	int64_t id;
	char code[16];
	char name[4 * SCHOOLMAIL_NAME_MAX + 1];
	char kind[16];
	int grades, classes;
	char security_code[SCHOOLMAIL_CODE_LEN + 1]; /* this year's, "" when none */
	int64_t registrants;			      /* this school's registrations */
};

/* The Japanese name of a kind ("elementary" → 小学校), or NULL for an unknown kind. */
const char *schoolmail_kind_label(const char *kind);
/* Accepts a kind in English (kindergarten…) or Japanese (幼稚園…); returns the stored name
 * (static) or NULL. */
const char *schoolmail_kind_parse(const char *s);
/* Writes the label of grade g of a school of kind with grades grades into out (n bytes): 1年,
 * 年長, 小学部1年 … */
void schoolmail_grade_label(const char *kind, int grades, int g, char *out, size_t n);

/* Reads a security code out of text (a subject or a '+' tag): full-width letters and digits
 * folded, upper-cased, spaces and hyphens dropped; writes it into out (9 bytes) and returns 1,
 * or 0 when text holds no code-shaped word. */
int schoolmail_code_read(const char *text, char out[SCHOOLMAIL_CODE_LEN + 1]);

/* The current school year on c (*year, 0 when none yet). */
enum err schoolmail_year(struct store_conn *c, int *year);
/* The fiscal year (April–March) of now_ms in Japan. */
int schoolmail_fiscal_year(int64_t now_ms);

/* Adds a school with this year's security code (the first school starts the school year),
 * audited as actor. ERR_INVALID with *why (Japanese) for bad values, ERR_CONFLICT when the
 * code exists. out (may be NULL) gets the new school. */
enum err schoolmail_school_add(struct app *a, const char *actor, const char *code,
			       const char *name, const char *kind, int grades, int classes,
			       struct school *out, const char **why);
/* Changes a school's name, grades or classes (NULL / 0: unchanged), audited. */
enum err schoolmail_school_set(struct app *a, const char *actor, const char *code,
			       const char *name, int grades, int classes, const char **why);
/* Loads the school of code on c (with this year's security code and count). ERR_NOTFOUND. */
enum err schoolmail_school_find(struct store_conn *c, const char *code, struct school *out);
/* As schoolmail_school_find by id. */
enum err schoolmail_school_get(struct store_conn *c, int64_t id, struct school *out);
/* Every school by code (malloc'd array of *n, caller frees). */
enum err schoolmail_school_list(struct store_conn *c, struct school **out, size_t *n);

/* Looks a security code up on c: *school_id and its *year (any year). ERR_NOTFOUND. */
enum err schoolmail_code_lookup(struct store_conn *c, const char *code, int64_t *school_id,
				int *year);
/* Gives school_id a new code for year on c (inside the caller's transaction) into out. */
enum err schoolmail_code_issue(struct store_conn *c, int64_t school_id, int year,
			       char out[SCHOOLMAIL_CODE_LEN + 1]);

/* ---- the caller's school (scope.c) ---- */

struct http_req;
struct http_resp;
/* Resolves school code for the caller: ward roles may see every school, a school administrator
 * or a sender only their own (school_users). Fills *out, or answers (404 / 403) and returns the
 * error. */
enum err schoolmail_scope(struct http_req *rq, struct http_resp *rs, const char *code,
			  struct school *out);
/* The school of user_id (school_users) on c: *school_id, ERR_NOTFOUND when none. */
enum err schoolmail_user_school(struct store_conn *c, int64_t user_id, int64_t *school_id);

/* ---- registrations (registrant.c) ---- */

#define SCHOOLMAIL_PERSON_MAX 40 /* characters of a child's or guardian's name */
#define SCHOOLMAIL_CHILDREN_MAX 6 /* children one form registers */

struct schoolmail_child {
	int grade, klass;
	const char *name;
};

/* Registers children (n) of the guardian guardian_name with address email at school_id on c
 * (inside the caller's transaction): the address is found or added; a child already registered
 * by this address at this school (same name, spaces ignored) is updated, others are added.
 * *address_id is the address's row. ERR_INVALID with *why for a bad grade, class or name. */
enum err schoolmail_register(struct store_conn *c, const struct vault *v, int64_t school_id,
			     const char *email, const char *guardian_name,
			     const struct schoolmail_child *kids, size_t n, int64_t *address_id,
			     const char **why);
/* The address row of email on c (*id, 0 when none). */
enum err schoolmail_address_find(struct store_conn *c, const struct vault *v, const char *email,
				 int64_t *id);
/* Unseals the address of row id on c (*email, malloc'd; wipe with vault_wipe_free). */
enum err schoolmail_address_email(struct store_conn *c, const struct vault *v, int64_t id,
				  char **email);
/* Deletes registration id (of school_id when not 0; of address_id when not 0) on c, and the
 * address when nothing else is registered with it. ERR_NOTFOUND. */
enum err schoolmail_registrant_remove(struct store_conn *c, int64_t id, int64_t school_id,
				      int64_t address_id);

/* One registration as the school administrator sees it (plaintext: wipe after use). */
struct schoolmail_registrant {
	int64_t id, address_id;
	int grade, klass;
	char child[4 * SCHOOLMAIL_PERSON_MAX + 1];
	char guardian[4 * SCHOOLMAIL_PERSON_MAX + 1];
	char email[256];
	int64_t created_ms, updated_ms;
};
/* The registrations of school_id (grade/klass 0: all), whose child's or guardian's name or
 * address holds q (spaces ignored; NULL or "": all), by grade, class and id, at most max;
 * *rows malloc'd (free with schoolmail_registrants_free), *n, *more (1 when cut at max). */
enum err schoolmail_registrants(struct store_conn *c, const struct vault *v, int64_t school_id,
				int grade, int klass, const char *q, size_t max,
				struct schoolmail_registrant **rows, size_t *n, int *more);
/* The registrations of address_id (every school). */
enum err schoolmail_registrants_of(struct store_conn *c, const struct vault *v,
				   int64_t address_id, struct schoolmail_registrant **rows,
				   size_t *n);
/* Wipes and frees rows; NULL is a no-op. */
void schoolmail_registrants_free(struct schoolmail_registrant *rows, size_t n);
/* Updates registration id of address_id: grade, class, child's and guardian's names. */
enum err schoolmail_registrant_update(struct store_conn *c, const struct vault *v, int64_t id,
				      int64_t address_id, int grade, int klass, const char *child,
				      const char *guardian, const char **why);
/* Returns 1 when text is a name we keep: 1 to SCHOOLMAIL_PERSON_MAX characters on one line. */
int schoolmail_person_ok(const char *text);

/* Registrants of school_id per grade and class: counts[g][k] for g in 1..12, k in 1..20
 * (index 0 unused). */
#define SCHOOLMAIL_GRADES_MAX 12
#define SCHOOLMAIL_CLASSES_MAX 20
enum err schoolmail_counts(struct store_conn *c, int64_t school_id,
			   int64_t counts[SCHOOLMAIL_GRADES_MAX + 1][SCHOOLMAIL_CLASSES_MAX + 1]);

/* ---- links and tokens (links.c) ---- */

/* A new sign-up link's token for school_id and email on c (stored as its hash, valid
 * cfg.link_hours): *token malloc'd (wipe with vault_wipe_free). Expired links are purged. */
enum err schoolmail_signup_link(struct store_conn *c, const struct vault *v, int64_t school_id,
				const char *email, int hours, char **token);
/* A new edit link's token for address_id (24 h). */
enum err schoolmail_edit_link(struct store_conn *c, int64_t address_id, char **token);
/* Finds a valid link of kind ("signup" / "edit") by token on c: *school_id, *email (signup;
 * malloc'd, wipe), *address_id (edit). ERR_NOTFOUND when unknown, expired or used. */
enum err schoolmail_link_find(struct store_conn *c, const struct vault *v, const char *kind,
			      const char *token, int64_t *school_id, char **email,
			      int64_t *address_id);
/* Marks the link of token used on c. */
enum err schoolmail_link_use(struct store_conn *c, const char *token);

/* The footer token of address_id at school_id: "<address>-<school>-<mac>" (mac: 32 hex of the
 * keyed blind index "school-manage"; made when needed, never stored) into out (n bytes). */
void schoolmail_manage_token(const struct vault *v, int64_t address_id, int64_t school_id,
			     char *out, size_t n);
/* Reads a footer token. ERR_NOTFOUND when it is not one or its mac is wrong. */
enum err schoolmail_manage_parse(const struct vault *v, const char *token, int64_t *address_id,
				 int64_t *school_id);

/* ---- mail (mailer.c): the one place that queues this service's mail ---- */

/* Queues a notice to one address on c (inside the caller's transaction): what, a short name of
 * the kind ("signup", "reply", "registered", "edit", "alert"), is its send_id's tail. */
enum err schoolmail_mail_queue(struct store_conn *c, const struct vault *v, const char *what,
			       const char *to, const char *subject, const char *body);
/* Appends the footer every mail to a registered address carries: the link to change or cancel
 * the registration at school_id (base_url, the public URL). */
void schoolmail_footer(struct buf *b, const struct vault *v, const char *base_url,
		       int64_t address_id, int64_t school_id);
/* Appends the same link as one line, for the footer block of a bulk send (the bulk layer's
 * separator comes before it, and the read link before that). */
enum err schoolmail_footer_line(struct buf *b, const struct vault *v, const char *base_url,
				int64_t address_id, int64_t school_id);

/* ---- mail-in: sign-up by empty mail (signup_mail.c) ---- */

struct mail_in_msg;
/* The service's mail-in hook: takes mail to the sign-up address (see signup_mail.c). */
enum err schoolmail_mail_in(struct app *a, const struct mail_in_msg *m, int *taken);

/* ---- registration letters (letter.c) ---- */

/* Appends the registration letters of the schools (n; all when n is 0 and codes NULL) as one
 * PDF (a page each) to out. ERR_NOTFOUND for an unknown code. */
enum err schoolmail_letters(struct app *a, const char *const *codes, size_t n, struct buf *out);

/* ---- the yearly roll-over (rollover.c) ---- */

struct schoolmail_rollover {
	int from_year, to_year;
	int64_t advanced, left; /* registrations moved up a grade, and of leavers (deleted) */
	int alerts;		/* drops beyond the threshold (school_alerts rows) */
};
/* Rolls the school year over to year (the current year + 1; 0: that one): snapshots the
 * counts per school and grade, advances every registration a grade, deletes those past their
 * school's top grade, gives every school a new security code, compares each cohort with last
 * year's count and alerts the ward (rows, audit, a mail) for drops beyond the threshold — all
 * in one transaction. dry_run: computes and rolls back. ERR_CONFLICT with *why when year is
 * not the next one. */
enum err schoolmail_rollover(struct app *a, const char *actor, int year, int dry_run,
			     struct schoolmail_rollover *res, const char **why);

/* ---- demo (demo.c) ---- */

struct demo_out;
/* The ward's schools (kindergartens, elementary, junior high and a special-needs school), about
 * 43,000 fictional registrants, a school administrator, a sender with an approved device and a
 * ward staff account. Returns 0, or 1 after printing why. */
int schoolmail_demo(struct app *a, struct demo_out *out);

/* ---- the service's commands (cli.c) ---- */

/* `mimamori school …` (cli.c). Returns the exit status. */
int schoolmail_cmd_school(int argc, char **argv);
/* `mimamori schoolmail send …` (cli_send.c). Returns the exit status. */
int schoolmail_cmd_schoolmail(int argc, char **argv);

#endif
