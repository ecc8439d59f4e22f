/* SPDX-License-Identifier: MIT */
/* sitter.h — the babysitter subsidy's own parts (ベビーシッター利用支援事業, seed 004): the
 * application form and its checks, the rules (rates by day and night, the yearly cap per child),
 * the application record, its settings. Everything personal is sealed under the service's own
 * key (sitter_vault); the path an application takes is the platform's (grant/path.h). */
#ifndef MIMAMORI_SITTER_SITTER_H
#define MIMAMORI_SITTER_SITTER_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "grant/path.h"

struct app;
struct store_conn;
struct vault;

#define SITTER_SERVICE "sitter"
#define SITTER_CHILDREN_MAX 6
#define SITTER_USES_MAX 31
#define SITTER_RECEIPTS_MAX 10
#define SITTER_RECEIPT_BYTES (8 * 1024 * 1024) /* one receipt's image or PDF */
#define SITTER_WHY_MAX 256

/* The service's tables for the benefit path. */
extern const struct grant_tables sitter_tables;

/* Returns the service's vault (its own data key); lives as long as a. */
const struct vault *sitter_vault(struct app *a);

/* A child of the application. */
struct sitter_child {
	char *name;	/* 氏名 (malloc'd) */
	char birth[11]; /* 生年月日 (ISO) */
	int multiple;	/* 1: one of a multiple birth (双子・三つ子: the cap is doubled) */
};

/* One use of a sitter: on date, from start to end (minutes of the day; an end at or before the
 * start is on the next day), for the children in the mask, at what the guardian paid. */
struct sitter_use {
	char date[11];
	int start_min, end_min;
	unsigned children; /* bit i: child i */
	char *company;	   /* the sitter company (malloc'd) */
	int64_t paid_yen;
};

/* The bank account (銀行口座情報). */
struct sitter_bank {
	char bank[5];	/* 4 digits */
	char branch[4]; /* 3 digits */
	int type;	/* 1 普通, 2 当座 */
	char number[8]; /* 7 digits */
	char *holder;	/* 口座名義 as entered (カタカナ; malloc'd) */
	char *holder_zengin; /* the same in 全銀 half-width kana (malloc'd) */
};

/* The whole form (the seed's items, nothing more). Strings are malloc'd and owned; free with
 * sitter_form_clear (which wipes them). */
struct sitter_form {
	char *name, *kana; /* 氏名 and its ふりがな (カタカナ) */
	char birth[11];	   /* 生年月日 */
	char postcode[8];  /* 7 digits */
	char *address;	   /* 住所 */
	char *phone;	   /* 電話番号 (digits and hyphens) */
	char *email;	   /* メールアドレス */
	size_t nchildren;
	struct sitter_child children[SITTER_CHILDREN_MAX];
	size_t nuses;
	struct sitter_use uses[SITTER_USES_MAX];
	struct sitter_bank bank;
};

/* form.c */
/* Reads the form of JSON j ({guardian, children, uses, bank}) into *f (caller clears it) and
 * checks every field, today (ISO) being the day of application: ERR_INVALID with why (a
 * Japanese sentence naming the field, SITTER_WHY_MAX bytes). confirm: 1 to require
 * guardian.email_confirm equal to guardian.email (the public form). */
enum err sitter_form_parse(json_t *j, const char *today, int confirm, struct sitter_form *f,
			   char why[SITTER_WHY_MAX]);
/* Reads only the bank part of j ({bank: {…}}) into f->bank (replacing it). */
enum err sitter_bank_parse(json_t *j, struct sitter_bank *b, char why[SITTER_WHY_MAX]);
/* Returns the form as JSON (new reference): the guardian, children, uses; with_bank adds the
 * bank account with the bank's and branch's names. */
json_t *sitter_form_json(const struct sitter_form *f, int with_bank);
/* Wipes and frees what f holds. */
void sitter_form_clear(struct sitter_form *f);
/* Returns the blind key of child i of f (氏名 without spaces and 生年月日): the same child in
 * every application. */
void sitter_child_key(const struct vault *v, const struct sitter_child *k, unsigned char out[32]);

/* rules.c */
struct sitter_rates {
	int day_yen, night_yen;	    /* an hour per child: 2,500 and 3,500 */
	int night_from, night_to;   /* minutes of the day: 22:00 and 07:00 */
	int cap_hours, cap_multiple_hours; /* per child per fiscal year: 144 and 288 */
};
/* A child's hours in one fiscal year of the application. */
struct sitter_calc_child {
	int child, fiscal_year, multiple;
	int cap_min;	/* the year's cap */
	int before_min; /* counted already in other approved applications */
	int claim_min;	/* what the uses ask */
	int counted_min; /* what counts within the cap */
};
struct sitter_calc_use {
	int day_min, night_min; /* counted (all its children together) */
	int over_min;		/* asked but over the cap */
	int64_t rate_yen;	/* by the rates, within the cap */
	int64_t subsidy_yen;	/* never above what was paid */
};
struct sitter_calc {
	struct sitter_calc_use uses[SITTER_USES_MAX];
	size_t nkids;
	struct sitter_calc_child kids[SITTER_CHILDREN_MAX * 3];
	int64_t paid_yen, grant_yen; /* in all */
	int over_min;		     /* minutes over the cap, in all */
};
/* Counts f's uses under rates r: each use minute by minute in time order (a use across
 * midnight or a rate boundary is split where it crosses), each child's minutes within what is
 * left of their cap in the fiscal year of that minute (before(arg, child, fiscal_year): minutes
 * counted already elsewhere; NULL: none). */
void sitter_calc(const struct sitter_rates *r, const struct sitter_form *f,
		 int (*before)(void *arg, int child, int fiscal_year), void *arg,
		 struct sitter_calc *out);
/* Returns 1 when a child born on birth may be cared for on date (both ISO): from birth to the
 * end of the fiscal year in which they turn 6. */
int sitter_child_eligible(const char *birth, const char *date);
/* Returns the fiscal year (April–March) of an ISO date, or 0. */
int sitter_fiscal_year(const char *iso);
/* Writes the ISO date `days` days after iso (negative: before) into out (11 bytes); 0 or -1. */
int sitter_date_add(const char *iso, int days, char out[11]);

/* config.c: [sitter] of mimamori.conf. */
struct sitter_settings {
	struct sitter_rates rates;
	char sender[512];  /* the notices' sender, lines separated by '\n' */
	char contact[256]; /* the call center, for the notices and the mails */
	/* the ward's account, the transfers' originator (振込依頼人) */
	char client_code[11], client_kana[64];
	char bank[5], branch[4], account[8];
	int account_type;
};
/* Reads the settings (defaults for what is not set). */
void sitter_settings_read(struct app *a, struct sitter_settings *out);

/* application.c: the record. */
struct sitter_app {
	int64_t id;
	char number[16];
	int fiscal_year;
	char channel[8];
	enum grant_state state;
	int approved; /* the decision: 1 approved, 0 rejected or none yet */
	struct sitter_form form;
	char checks[128];
	char *fix_note, *reason; /* malloc'd or NULL */
	int64_t paid_yen, claim_yen, grant_yen;
	char decided_on[11];
	int64_t created_ms, submitted_ms;
	int64_t notice_id, payment_id;
};
/* Wipes and frees what p holds. */
void sitter_app_clear(struct sitter_app *p);
/* Loads and unseals application id on c. ERR_NOTFOUND, ERR_DB, ERR_CRYPTO. */
enum err sitter_app_load(struct store_conn *c, const struct vault *v, int64_t id,
			 struct sitter_app *p);
/* Writes the applicant's link token of application id into out (64 hex digits): a keyed hash
 * of the id, so that every mail to the applicant can carry it; only its blind index is stored. */
void sitter_link_token(const struct vault *v, int64_t id, char out[65]);
/* Finds the application of an applicant's link token: *id. ERR_NOTFOUND. */
enum err sitter_app_by_token(struct store_conn *c, const struct vault *v, const char *token,
			     int64_t *id);
/* Computes the search term of kind ("name", "kana": without spaces; "phone": its digits;
 * "mail": in lower case) of text into out: a blind index under the service's key. */
void sitter_term(const struct vault *v, const char *kind, const char *text,
		 unsigned char out[32]);
/* Computes the blind index of the whole form f (guardian, children, uses, bank) into out: one
 * of each application's terms, by which an import finds a row it has already taken. */
void sitter_form_term(const struct vault *v, const struct sitter_form *f, unsigned char out[32]);
/* Finds the application numbered number: *id. ERR_NOTFOUND. */
enum err sitter_app_by_number(struct store_conn *c, const char *number, int64_t *id);
/* Stores a new application of f (taking nothing from f) in state (draft or submitted) on c
 * inside the caller's transaction: its number, its link's index (sitter_link_token), the child
 * hours and search terms. */
enum err sitter_app_create(struct store_conn *c, const struct vault *v,
			   const struct sitter_rates *r, const struct sitter_form *f,
			   const char *channel, enum grant_state state, int64_t user_id,
			   int64_t now_ms, int64_t *id, char number[16]);
/* Replaces the form of application id (a correction) on c inside the caller's transaction. */
enum err sitter_app_replace(struct store_conn *c, const struct vault *v,
			    const struct sitter_rates *r, int64_t id, const struct sitter_form *f,
			    int64_t now_ms);
/* Replaces only the bank account of application id. */
enum err sitter_app_replace_bank(struct store_conn *c, const struct vault *v, int64_t id,
				 const struct sitter_bank *b, int64_t now_ms);
/* Counts application p under the cap as it stands now (other approved applications'
 * minutes). */
enum err sitter_app_calc(struct store_conn *c, const struct vault *v,
			 const struct sitter_rates *r, const struct sitter_app *p,
			 struct sitter_calc *out);
/* Records the ward's decision on p on c inside the caller's transaction (the step itself is
 * the caller's): approved, the amount within the cap as it stands (other approvals counted)
 * and the child hours that count; or rejected with reason (sealed). */
enum err sitter_app_decide(struct store_conn *c, const struct vault *v,
			   const struct sitter_rates *r, const struct sitter_app *p, int approve,
			   const char *reason, int64_t user_id, int64_t now_ms);
/* Returns p as JSON for its applicant or the staff (new reference): number, state and its label,
 * the form with the bank, notes, the count under the cap (calc, may be NULL), receipts and
 * steps (read on c). */
json_t *sitter_app_json(struct store_conn *c, const struct vault *v, const struct sitter_app *p,
			const struct sitter_calc *calc, int staff);
/* The items the contractor checks, in order, with their Japanese names. */
extern const char *const sitter_check_items[];
extern const char *const sitter_check_labels[];
#define SITTER_CHECKS 5

/* Returns the ward's words for a mail (the settings' contact) and queues mail to the
 * applicant's address on c: subject and body as given. */
enum err sitter_mail(struct app *a, struct store_conn *c, const char *kind, const char *to,
		     const char *subject, const char *body);

#endif
