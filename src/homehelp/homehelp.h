/* SPDX-License-Identifier: MIT */
/* homehelp.h — household support's own parts (家事・育児支援事業, seed 001): the hour caps of 別表1
 * and 別表2, the household and its children, supporters, visits and their fees. Everything
 * personal is sealed under the service's own key (homehelp_vault); a household's registration
 * takes the platform's benefit path (grant/path.h). */
#ifndef MIMAMORI_HOMEHELP_HOMEHELP_H
#define MIMAMORI_HOMEHELP_HOMEHELP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "grant/path.h"

struct app;
struct store_conn;
struct vault;

#define HOMEHELP_SERVICE "homehelp"
#define HOMEHELP_CHILDREN_MAX 8
#define HOMEHELP_MIN_VISIT 120 /* each use is at least 2 hours (別表 注2) */
#define HOMEHELP_WHY_MAX 256

/* The service's tables for the benefit path. */
extern const struct grant_tables homehelp_tables;
/* Returns the service's vault (its own data key); lives as long as a. */
const struct vault *homehelp_vault(struct app *a);

/* caps.c: 別表1・2 */
/* A row of the tables. */
struct hh_row {
	int table; /* 1 別表1 (多胎児以外), 2 別表2 (多胎児) */
	int row;   /* its place in the table, from 1 */
	int hours, free_hours;
	const char *label; /* static Japanese */
};
/* A child as the caps see it on a day. */
struct hh_child {
	char birth[11]; /* ISO; "" for a child not yet born */
	int multiple;	/* one of a multiple birth */
	int childcare;	/* uses a 保育サービス on that day */
};
/* A household's cap on a day. */
struct hh_cap {
	const struct hh_row *row;
	int hours, free_hours;
	char stage_from[11], stage_to[11]; /* the 対象児's year of age the hours are counted in */
};
/* Returns the row table/row, or NULL. */
const struct hh_row *homehelp_row(int table, int row);
/* Returns the age in whole years on date of a child born on birth (both ISO), or -1 (not born,
 * not a date). */
int homehelp_age(const char *birth, const char *date);
/* Computes the cap of a household with children kids[0..n) (and a multiple pregnancy or not)
 * on date (ISO); starts_on is the service's start for the household (the pregnancy's stage
 * begins there). Returns 1 with *out, or 0 when no row applies (no child under 3, or a 1- or
 * 2-year-old who uses childcare where the row asks for none). */
int homehelp_cap(const struct hh_child *kids, size_t n, int pregnant_multiple,
		 const char *starts_on, const char *date, struct hh_cap *out);

/* household.c: the registration form. */
struct hh_form_child {
	char *name;	   /* 氏名 (malloc'd; "" for a child not yet born) */
	char birth[11];	   /* 生年月日 or "" */
	int multiple;
	char *childcare;   /* 保育サービスの利用状況: "" none, else which (malloc'd) */
	char care_from[11]; /* since when ("" none) */
};
struct hh_form {
	char *guardian, *address, *phone, *email, *emergency; /* 保護者の氏名 … 緊急連絡先 */
	char *family;	 /* 世帯構成 */
	char *living;	 /* 生活状況 */
	char *health;	 /* 健康状態 */
	char *wanted;	 /* 希望する家事支援の内容 */
	char *tax;	 /* 住民税課税状況: 課税 / 非課税 */
	int welfare;	 /* 生活保護申請の有無 */
	int pregnant_multiple; /* 多胎妊婦 */
	char *handbook;	 /* 親子健康手帳の交付番号 (多胎妊婦のみ; "" otherwise) */
	size_t nchildren;
	struct hh_form_child children[HOMEHELP_CHILDREN_MAX];
};
/* Reads and checks the form of JSON j into *f (caller clears it): ERR_INVALID with why. */
enum err homehelp_form_parse(json_t *j, const char *today, struct hh_form *f,
			     char why[HOMEHELP_WHY_MAX]);
/* Returns f as JSON (new reference). */
json_t *homehelp_form_json(const struct hh_form *f);
/* Wipes and frees what f holds. */
void homehelp_form_clear(struct hh_form *f);
/* The children of f as the caps see them on date. */
size_t homehelp_form_kids(const struct hh_form *f, const char *date, struct hh_child *out);

/* Returns the Japanese label of a registration's state s (household support's words for the
 * benefit path's states). Static. */
const char *homehelp_state_label(enum grant_state s, int approved);

/* A household as stored. */
struct hh_household {
	int64_t id;
	char number[16];
	enum grant_state state;
	int approved;
	struct hh_form form;
	char checks[128];
	char *fix_note, *reason;
	char applied_on[11], starts_on[11], decided_on[11];
};
void homehelp_household_clear(struct hh_household *h);
enum err homehelp_household_load(struct store_conn *c, const struct vault *v, int64_t id,
				 struct hh_household *h);
/* Stores a new household (state submitted) on c inside the caller's transaction. */
enum err homehelp_household_create(struct store_conn *c, const struct vault *v,
				   const struct hh_form *f, int64_t user_id, int64_t now_ms,
				   int64_t *id, char number[16]);
/* Replaces the form of household id. */
enum err homehelp_household_replace(struct store_conn *c, const struct vault *v, int64_t id,
				    const struct hh_form *f, int64_t now_ms);

/* usage.c: the cap as it stands, and a visit's fee. */
struct hh_usage {
	int eligible;
	struct hh_cap cap;
	int used_min;	   /* done and booked visits in the stage */
	int free_used_min; /* of the free hours */
	int remaining_min;
};
/* Counts household h's use on date (visits done, dispatched or requested in the stage,
 * except visit `except`, 0 for none). */
enum err homehelp_usage(struct store_conn *c, const struct hh_household *h, const char *date,
			int64_t except, struct hh_usage *out);
/* The settings of [homehelp]: the fee per hour (yen) and the contact on statements. */
struct homehelp_settings {
	int fee_yen_hour;
	char contact[256];
};
void homehelp_settings_read(struct app *a, struct homehelp_settings *out);
/* Returns the fee of a visit of minutes, free_min of them free, at fee_yen_hour (rounded down
 * to the yen). */
int64_t homehelp_fee(int minutes, int free_min, int fee_yen_hour);
/* Returns the JSON of usage u (new reference). */
json_t *homehelp_usage_json(const struct hh_usage *u);

#endif
