/* SPDX-License-Identifier: MIT */
/* bathpass.h — the bath-pass ledger's own parts: the person record and its sealed fields, the
 * host file, import snapshots, events and the counter's search. Nothing here is another
 * service's; everything is sealed under the service's own key (bathpass_vault). */
#ifndef MIMAMORI_BATHPASS_BATHPASS_H
#define MIMAMORI_BATHPASS_BATHPASS_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct app;
struct store_conn;
struct store_stmt;
struct vault;

#define BATHPASS_SERVICE "bathpass"

/* The host's fields of a person, in the order of the host file's first columns. */
enum bath_field {
	BF_RESIDENT, /* 宛名番号 (住民番号) */
	BF_NAME,     /* 氏名 */
	BF_KANA,     /* ふりがな */
	BF_BIRTH,    /* 生年月日 (ISO) */
	BF_SEX,	     /* 性別: 男 / 女 */
	BF_POSTCODE, /* 郵便番号: 7 digits */
	BF_ADDRESS,  /* 住所 */
	BF_KATAGAKI, /* 方書 (part of the address; may be "") */
	BF_PHONE,    /* 電話番号 (may be "") */
	BF_CATEGORY, /* 対象区分: 高齢 / 障害 / 児童 */
	BF_COUNT
};

/* Column names in bath_people (also the sealed fields' names after "bath_people."). */
extern const char *const bath_field_col[BF_COUNT];
/* The fields' Japanese names as the host file's header spells them. */
extern const char *const bath_field_ja[BF_COUNT];

/* One person of the ledger, unsealed. Every string is malloc'd and owned by the struct; free
 * with bath_person_clear (which wipes them). */
struct bath_person {
	int64_t id;
	char *f[BF_COUNT];
	int excluded;
	char *excluded_on;  /* ISO date or NULL */
	char *excluded_why; /* 除外事由 or NULL */
	char *note;	    /* 送付先変更などの個別事由 or NULL */
};

/* Returns the service's vault (its own data key); lives as long as a. */
const struct vault *bathpass_vault(struct app *a);

/* person.c */
/* Reads and unseals person id on c into *p (caller clears it). ERR_NOTFOUND, ERR_DB,
 * ERR_CRYPTO. */
enum err bath_person_load(struct store_conn *c, const struct vault *v, int64_t id,
			  struct bath_person *p);
/* The columns bath_person_from_row reads, in its order (a SELECT's list). */
#define BATH_PERSON_COLS                                                                           \
	"resident_no, name, kana, birth, sex, postcode, address, katagaki, phone, category, "     \
	"excluded, excluded_on, excluded_why, note"
/* Unseals person id from the current row of st, whose BATH_PERSON_COLS start at column col,
 * into *p (caller clears it). ERR_CRYPTO for a field that does not open. */
enum err bath_person_from_row(const struct vault *v, struct store_stmt *st, int col,
			      int64_t id, struct bath_person *p);
/* Wipes and frees what p holds; p itself is the caller's. */
void bath_person_clear(struct bath_person *p);
/* Inserts (id 0) or replaces the host fields f of a person on c inside the caller's
 * transaction: sealed fields, the row's hash and its search terms; clears an exclusion.
 * *out_id (may be NULL) is the person's id. ERR_CONFLICT when the 宛名番号 exists (insert). */
enum err bath_person_write(struct store_conn *c, const struct vault *v, int64_t id,
			   char *const f[BF_COUNT], int64_t snapshot_id, int64_t now_ms,
			   int64_t *out_id);
/* Marks a person excluded on c (inside the caller's transaction): 除外日 on (ISO), 除外事由 why. */
enum err bath_person_exclude(struct store_conn *c, const struct vault *v, int64_t id,
			     const char *on, const char *why, int64_t snapshot_id, int64_t now_ms);
/* Computes the blind index of a 宛名番号 (the import's only match key). */
void bath_resident_index(const struct vault *v, const char *resident, unsigned char out[32]);
/* Computes the keyed hash of the host fields f (unchanged rows are found without unsealing). */
void bath_row_mac(const struct vault *v, char *const f[BF_COUNT], unsigned char out[32]);
/* Computes the search term of kind ("kana", "name", "birth") and text into out. */
void bath_term(const struct vault *v, const char *kind, const char *text, unsigned char out[32]);
/* Writes kana folded for search into out (n bytes): hiragana as katakana, spaces (ASCII and
 * U+3000) dropped. Returns the number of characters (code points) written. */
size_t bath_kana_fold(const char *in, char *out, size_t n);
/* Writes s without spaces (ASCII and U+3000) into out (n bytes). */
void bath_name_fold(const char *s, char *out, size_t n);
/* Returns 1 when s is only kana (hiragana, katakana, ー, ゛゜) and spaces, and not empty. */
int bath_is_kana(const char *s);
/* Returns the age in whole years on today (ISO) of someone born on birth (ISO), or -1. */
int bath_age(const char *birth, const char *today);
/* Returns the fiscal year (April–March) of an ISO date, or 0 for a bad date. */
int bath_fiscal_year(const char *iso);
/* Writes today's date in Japan (ISO) into out (11 bytes). */
void bath_today(char out[11]);

/* hostfile.c: the host system's extract. */
struct bath_host_row {
	size_t line;	    /* physical line in the file */
	char *f[BF_COUNT];  /* normalised fields (owned by the file) */
	const char *move;   /* 異動事由: "" or 転出 / 死亡 / 資格喪失 (static) */
	char move_date[11]; /* 異動日 (ISO) when move is set */
	char birth[11];	    /* 生年月日 in ISO: f[BF_BIRTH] points here */
	const char *why;    /* a rejected row's reason (static Japanese), or NULL */
};
struct bath_host_file {
	size_t nrows;
	struct bath_host_row *rows;
	const char *encoding; /* static: "UTF-8", "UTF-8 (BOM)", "CP932" */
	void *csv;	      /* the parsed CSV that owns the strings */
};
/* Parses the host extract held in data (len bytes). encoding is NULL (detect), "utf-8" or
 * "cp932": a file that is not in the named encoding is refused. Each data row is checked;
 * a bad row is kept with its reason (why), never its value. Returns ERR_OK with *out (free with
 * bath_host_free), or ERR_INVALID/ERR_TOOLARGE with *why (static Japanese) for a file that
 * cannot be read at all (encoding, header, quoting). */
enum err bath_host_parse(const char *data, size_t len, const char *encoding,
			 struct bath_host_file **out, const char **why, char *detail, size_t dlen);
/* Frees a host file (wiping its fields); NULL is a no-op. */
void bath_host_free(struct bath_host_file *h);

/* snapshot.c: an import as a snapshot of differences, applied on a second person's approval. */
struct bath_snapshot_summary {
	int64_t id;
	const char *encoding;
	size_t rows, n_new, n_changed, n_gone, n_unchanged, n_rejected, n_skipped;
	size_t active; /* people eligible before the import */
	int refused;   /* more than the set share would be excluded */
	char refusal[256];
};
/* Reads the host file h against the ledger and stores a snapshot of its differences made by
 * user_id (pending; or refused when it would exclude more than max_percent of the eligible).
 * Returns ERR_OK with *sum, or ERR_DB. Nothing in the ledger changes. */
enum err bath_snapshot_make(struct app *a, const struct bath_host_file *h, int64_t user_id,
			    int max_percent, struct bath_snapshot_summary *sum);
/* Applies pending snapshot id on the approval of user_id (not its maker; a bath_office
 * account), in one transaction, audited as actor. ERR_NOTFOUND, ERR_FORBIDDEN (the
 * maker), ERR_CONFLICT (not pending, or another import was approved since), with *why (static
 * Japanese). */
enum err bath_snapshot_approve(struct app *a, int64_t id, int64_t user_id, const char *actor,
			       const char **why);

/* config.c */
/* The [bathpass] settings of mimamori.conf. */
struct bath_settings {
	int max_exclude_percent; /* 1..100; default 10 */
	char sender[512];	 /* the letters' sender, lines separated by '\n' */
	char contact[256];	 /* where people are told to ask */
};
/* Reads a's settings into *out (the defaults for what is missing or bad, with a warning). */
void bath_settings_read(struct app *a, struct bath_settings *out);
/* Returns [bathpass] max_exclude_percent of a's mimamori.conf (1..100; default 10). */
int bath_max_exclude_percent(struct app *a);

/* events.c: what happened to a person's pass. */
struct bath_issue_info {
	int issued;	/* issued (or reissued) this fiscal year */
	char date[11];	/* the last issue's date */
	char place[16]; /* its counter's code ("" when by mail) */
	char place_name[96];
	char method[8];	   /* counter / mail */
	char number[24];   /* 整理番号 */
	int reissues;	   /* reissues this year */
	char applied[11];  /* 申請日 this year, or "" */
	char returned[11]; /* 返戻日 this year, or "" */
};
/* Reads the fiscal year fy's pass events of person on c into *out. */
enum err bath_issue_info_read(struct store_conn *c, int64_t person, int fy,
			      struct bath_issue_info *out);
/* Records on c (inside the caller's transaction) an event of kind for person, on date (ISO)
 * by user_id: place/method/number may be NULL. */
enum err bath_event_add(struct store_conn *c, int64_t person, const char *kind, const char *date,
			const char *place, const char *method, const char *number, int64_t user_id,
			int64_t now_ms);
/* The same for the pass of fiscal year fy (a pass mailed in March for the next year) and of
 * mailing mailing_id (0: none). */
enum err bath_event_add_fy(struct store_conn *c, int64_t person, int fy, const char *kind,
			   const char *date, const char *place, const char *method,
			   const char *number, int64_t mailing_id, int64_t user_id, int64_t now_ms);
/* Takes the next 整理番号 of fiscal year fy on c (inside the caller's transaction) into out
 * (24 bytes), e.g. "2026-00042". */
enum err bath_number_next(struct store_conn *c, int fy, char out[24]);
/* Takes n consecutive 整理番号 of fiscal year fy on c (inside the caller's transaction);
 * *first is the first one's sequence number (a mailing numbers its letters from it). */
enum err bath_numbers_take(struct store_conn *c, int fy, size_t n, int64_t *first);
/* Writes the name of place code into out ("" when unknown). Returns 1 when it exists. */
int bath_place_name(struct store_conn *c, const char *code, char *out, size_t n);
/* Returns in out (16 bytes) the counter of a bath_branch account; 1 when it has one. */
int bath_staff_place(struct store_conn *c, int64_t user_id, char out[16]);

/* counter.c: the counter's search over the sealed ledger. */
/* Finds people for the counter's query q (宛名番号, a birth date in ISO or 和暦, ふりがな of 2 or
 * more kana as a prefix, or a name): ids of at most max matches in *ids (malloc'd, caller
 * frees), *n. ERR_INVALID with *why for a query that cannot be searched. */
enum err bath_search(struct store_conn *c, const struct vault *v, const char *q, size_t max,
		     int64_t **ids, size_t *n, const char **why);
/* Says whether p may have a pass today (1) or why not: *why_not (static Japanese) and
 * *why_code. */
int bath_eligible(const struct bath_person *p, const char *today, const char **why_not,
		  const char **why_code);

/* mailing.c: passes by post — the March mailing and one letter at a time. */
/* Who a mailing of fiscal year fy's passes dated date (ISO) would go to: everyone not excluded
 * who had a pass or applied in fy - 1, is eligible on date and has no pass of fy yet, in the
 * order of the letters (postcode, then address). People whose mail came back in fy - 1 or who
 * have a 個別事由 (送付先変更 etc.) are held for a person to handle. */
struct bath_mailing_plan {
	int fy;
	char date[11];
	int64_t *ids; /* the letters' people, in order (malloc'd; bath_mailing_plan_free) */
	size_t n;
	size_t by_category[3]; /* 高齢, 障害, 児童 */
	size_t held_returned, held_note, not_eligible, already;
	struct bath_held {
		int64_t id;
		char reason; /* 'r': mail came back last year; 'n': a 個別事由 */
	} *held;		/* malloc'd, in id order */
	size_t nheld;
};
/* Reads a mailing's date (ISO or 和暦; NULL or "" for today) and passes' fiscal year (0: the
 * one after the date's) into iso and *out_fy. The date may be from 31 days ago to 90 days
 * ahead; the year is the date's or the next. ERR_INVALID with *why (static Japanese). */
enum err bath_mailing_when(const char *date, int fy, char iso[11], int *out_fy, const char **why);
/* Fills *out for fy and date from a's ledger. ERR_OK, ERR_DB or ERR_CRYPTO. */
enum err bath_mailing_plan(struct app *a, int fy, const char *date, struct bath_mailing_plan *out);
/* Frees what plan holds (not plan itself). */
void bath_mailing_plan_free(struct bath_mailing_plan *plan);
/* Records plan as a mailing made by user_id (audited as actor) in one transaction: one pass
 * by mail ("issue") with a new 整理番号 for each person, in the letters' order. *id is the new
 * mailing's. ERR_CONFLICT when someone in the plan got a pass of plan->fy meanwhile (make the
 * plan again), ERR_INVALID for an empty plan. */
enum err bath_mailing_make(struct app *a, const struct bath_mailing_plan *plan, int64_t user_id,
			   const char *actor, int64_t *id);
/* One mailing, as listed. */
struct bath_mailing {
	int64_t id;
	int fy;
	char date[11];
	int64_t letters, held;
	char first_no[24], last_no[24];
	char created_by[64];
	int64_t created_ms;
};
/* Reads every mailing, newest first, into *out (malloc'd array of *n; caller frees). */
enum err bath_mailings_list(struct store_conn *c, struct bath_mailing **out, size_t *n);
/* Reads mailing id into *out. ERR_NOTFOUND, ERR_DB. */
enum err bath_mailing_get(struct store_conn *c, int64_t id, struct bath_mailing *out);
/* Writes the cover letters of mailing id, in the order of their 整理番号 (the postcode order
 * the mailing gave them), as one PDF appended to pdf (the caller's; its cap bounds the file),
 * one person unsealed at a time; *letters is their number. ERR_NOTFOUND, ERR_DB,
 * ERR_CRYPTO, ERR_IO, ERR_TOOLARGE, ERR_INVALID (an address the window cannot hold: *why_id
 * is that person's id). */
enum err bath_mailing_pdf(struct app *a, int64_t id, struct buf *pdf, size_t *letters,
			  int64_t *why_id);
/* Writes the cover letter of person's latest pass by mail of fiscal year fy (issue or
 * reissue) to pdf; number (24 bytes) gets its 整理番号. ERR_NOTFOUND when there is none. */
enum err bath_letter_pdf(struct app *a, int64_t person, int fy, struct buf *pdf,
			 char number[24]);

#endif
