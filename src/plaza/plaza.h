/* SPDX-License-Identifier: MIT */
/* plaza.h — the plazas' user registrations (共育プラザ, seed 001): the registered users (sealed
 * under the service's own key), the desk's search over blind indexes, visits by card, the counts,
 * the April update of 学年 and the deletion of users no longer seen. Nothing here is another
 * service's. */
#ifndef MIMAMORI_PLAZA_PLAZA_H
#define MIMAMORI_PLAZA_PLAZA_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct app;
struct store_conn;
struct vault;

#define PLAZA_SERVICE "plaza"
#define PLAZA_COUNT 5 /* 平井, 中央, 南小岩, 葛西, 南篠崎 (ids 1 … 5, sql/0028) */
#define PLAZA_SHOW 50 /* the desk shows at most this many hits, in kana order */
#define PLAZA_CARDS_MAX 1000   /* cards in one PDF */
#define PLAZA_INACTIVE_YEARS 3 /* [plaza] inactive_years when not set */

/* The data key of this service (app_vault(a, "plaza")): everything it seals and blinds. */
const struct vault *plaza_vault(struct app *a);

/* The seed's items of a user, in this order (all sealed). */
enum plaza_field {
	PF_NAME,
	PF_KANA,
	PF_ADDRESS,
	PF_BIRTH,
	PF_PHONE,
	PF_SCHOOL,
	PF_GRADE,
	PF_COUNT
};
/* Their JSON keys and column names ("name", …) and their Japanese labels (氏名, …). */
extern const char *const plaza_field_key[PF_COUNT];
extern const char *const plaza_field_ja[PF_COUNT];

/* A user as read (strings malloc'd; plaza_user_clear wipes them). */
struct plaza_user {
	int64_t id, plaza_id;
	char card_no[16];
	char *f[PF_COUNT];
	int grade_fy;
	char created_on[11], active_on[11];
};

/* Returns the name of plaza id (平井 …) or NULL; its code (hirai …) likewise. */
const char *plaza_name(int64_t id);
const char *plaza_code(int64_t id);
/* Returns the id of a plaza by code or name, or 0. */
int64_t plaza_find(const char *code_or_name);
/* Returns the plaza of a plaza_staff account (0 when it has none). */
int64_t plaza_staff_plaza(struct store_conn *c, int64_t user_id);
/* Sets (plaza_id > 0) or clears (0) the plaza of account user_id. ERR_OK or ERR_DB. */
enum err plaza_staff_set(struct store_conn *c, int64_t user_id, int64_t plaza_id);

/* Checks the fields f (UTF-8 from the JSON parser) of a registration; trims nothing. Returns 1,
 * or 0 with *why a static Japanese sentence naming the field. */
int plaza_fields_check(char *const f[PF_COUNT], const char *today, const char **why);
/* Returns 1 when g is a 学年 the service knows (未就学, 小1 … 小6, 中1 … 中3, 高1 … 高3, 卒業,
 * 一般). */
int plaza_grade_ok(const char *g);
/* Returns the 学年 of someone in grade g (born birth, ISO) one school year later (static). */
const char *plaza_grade_next(const char *g, const char *birth, int fiscal_year);
/* Returns the age in whole years on today (ISO) of someone born on birth (ISO), or -1. */
int plaza_age(const char *birth, const char *today);
/* Returns the age band of an age: "0-5", "6-12", "13-15", "16-18" or "19+" (static). */
const char *plaza_band(int age);
/* Returns the words for band ("0-5" → 「0〜5歳」 … "19+" → 「19歳以上」; static; band itself when
 * unknown). */
const char *plaza_band_label(const char *band);
/* Returns the school year (April–March) of an ISO date, or 0 for a bad date. */
int plaza_fiscal_year(const char *iso);

/* Registers (id 0) or updates user id of plaza plaza_id on c inside the caller's transaction:
 * sealed fields and search terms; a new user gets the plaza's next card number (in card_no,
 * 16 bytes, may be NULL). *out_id (may be NULL) is the user's id. ERR_NOTFOUND when id is not
 * of the plaza; ERR_DB. */
enum err plaza_user_write(struct store_conn *c, const struct vault *v, int64_t id, int64_t plaza_id,
			  char *const f[PF_COUNT], const char *today, int64_t now_ms,
			  int64_t *out_id, char *card_no);
/* Reads and unseals user id on c into *u (caller clears it). ERR_NOTFOUND, ERR_DB,
 * ERR_CRYPTO. */
enum err plaza_user_load(struct store_conn *c, const struct vault *v, int64_t id,
			 struct plaza_user *u);
/* Wipes and frees what u holds; u itself is the caller's. */
void plaza_user_clear(struct plaza_user *u);

/* The desk's search of plaza plaza_id for q: ふりがな (2 or more kana, a prefix), 氏名, a birth
 * date (ISO or 和暦), a phone number or a card number. Writes the ids of at most max hits in
 * kana order into *ids (malloc'd, caller frees), their number into *n and the number of all hits
 * into *total. ERR_INVALID with *why for a query that cannot be searched; ERR_DB, ERR_CRYPTO. */
enum err plaza_search(struct store_conn *c, const struct vault *v, int64_t plaza_id, const char *q,
		      size_t max, int64_t **ids, size_t *n, size_t *total, const char **why);

/* Records a visit of the user whose card code was scanned at plaza plaza_id on today: once a
 * day, with the age band of that day. *user_id is the user; *again is 1 when the day's visit
 * was already recorded. ERR_NOTFOUND for a card that is no user of that plaza; ERR_DB,
 * ERR_CRYPTO. */
enum err plaza_visit_record(struct store_conn *c, const struct vault *v, int64_t plaza_id,
			    const char *code, const char *today, int64_t now_ms, int64_t *user_id,
			    const char **band, int *again);

/* The counts of visits from..to (ISO, inclusive) of plaza plaza_id (0: every plaza) as CSV
 * (plaza, day, band, visits; a header line first) into out, or as JSON rows when json is set.
 * ERR_DB. */
enum err plaza_counts(struct store_conn *c, int64_t plaza_id, const char *from, const char *to,
		      int csv, struct buf *out);

/* Moves every user's 学年 on to school year fy (those whose grade is for an earlier year) and
 * records the run, inside one transaction on c; actor is the audit's. *moved: how many were
 * moved; *done_before: 1 when fy's run had been made already (nothing is changed then).
 * ERR_DB, ERR_CRYPTO. */
enum err plaza_grade_update(struct store_conn *c, const struct vault *av, const struct vault *v,
			    int fy, const char *actor, int64_t now_ms, size_t *moved,
			    int *done_before);

/* The users not seen since before cutoff (ISO) of plaza plaza_id (0: every plaza), oldest
 * first: ids into *ids (malloc'd, caller frees), *n. ERR_DB. */
enum err plaza_inactive_list(struct store_conn *c, int64_t plaza_id, const char *cutoff,
			     int64_t **ids, size_t *n);
/* Deletes those users (as plaza_inactive_list on cutoff) inside one transaction, with an audit
 * entry per user and one for the run (av: the platform's vault); their visits stay as counts.
 * When expect is not (size_t)-1 and the list has another length, deletes nothing: ERR_CONFLICT.
 * *deleted: how many. ERR_DB. */
enum err plaza_inactive_delete(struct store_conn *c, const struct vault *av, int64_t plaza_id,
			       const char *cutoff, size_t expect, const char *actor,
			       size_t *deleted);
/* Writes the cutoff of users inactive for years (ISO, today minus years) into out (11 bytes). */
void plaza_cutoff(const char *today, int years, char out[11]);
/* Returns [plaza] inactive_years of the data directory's mimamori.conf (1 … 20), or
 * PLAZA_INACTIVE_YEARS. */
int plaza_inactive_years(struct app *a);

/* Appends the registration cards of users ids (n, 1 … PLAZA_CARDS_MAX; all of plaza plaza_id,
 * or any plaza when plaza_id is 0) as one PDF to out, through the platform's card sheets
 * (doc/cards_pdf.h). ERR_NOTFOUND (a user not of the plaza), ERR_INVALID, ERR_CRYPTO, ERR_DB. */
enum err plaza_cards_pdf(struct store_conn *c, const struct vault *v, int64_t plaza_id,
			 const int64_t *ids, size_t n, struct buf *out);

#endif
