/* SPDX-License-Identifier: MIT */
/* send.h — the schools' sends on the platform's bulk layer (src/bulk/): the audience of a send
 * (schools, grades, classes), its kind of bulk mail, the personal-data check over the
 * registrants, the templates it starts with, and the caller's school for the layer's scope
 * check. Internal to src/schoolmail/. */
#ifndef MIMAMORI_SCHOOLMAIL_SEND_H
#define MIMAMORI_SCHOOLMAIL_SEND_H
#include <stddef.h>
#include <stdint.h>

#include "schoolmail/schoolmail.h"

struct bulk_kind;
struct user;

/* The schools' kind of bulk mail (audience.c). */
extern const struct bulk_kind school_kind;

#define SCHOOLMAIL_TARGETS_MAX 128 /* items of one audience */

/* One item of an audience: a school (grade 0), a grade of it (klass 0) or a class of a grade. */
struct school_target {
	char code[16];
	int grade, klass;
};

/* Parses a canonical audience ("E01,E01:3,E01:3-2") into t (at most max) and *n. Returns 0, or
 * -1 when text is not one (the shape only; the schools are not looked up). */
int schoolmail_targets_parse(const char *text, struct school_target *t, size_t max, size_t *n);
/* Checks targets t (n; sorted in place) against the schools on c — each school exists, each
 * grade and class is one of it, a class names its grade — and makes the canonical audience
 * (sorted, each once, none a broader one covers) into *text (malloc'd). ERR_INVALID with *why
 * (Japanese) when refused. */
enum err schoolmail_audience_make(struct store_conn *c, struct school_target *t, size_t n,
				  char **text, const char **why);
/* Counts the addresses the canonical audience text reaches now on c (each once). */
enum err schoolmail_audience_count(struct store_conn *c, const char *text, size_t *n);
/* The list of school code's mail ("school-e01") into out (n bytes). */
void schoolmail_list_name(const char *code, char *out, size_t n);
/* Declares school s's list (may be left, labelled with its name) on c. */
enum err schoolmail_list_declare(struct store_conn *c, const struct school *s);
/* The school (its code; "" or NULL: none) of user_id, whom this thread serves now: what the
 * kind's scope check compares a school user's audience with (it reads no database). Set by every
 * route before it calls the bulk layer; the ward's roles need none. */
void schoolmail_scope_caller(int64_t user_id, const char *code);

/* The personal-data check of a folded text (personal.c): any mail address, any registered
 * child's or guardian's name. ERR_INVALID with *why naming the kind found, never the value. */
enum err schoolmail_personal(struct app *a, const char *folded, const char **why);

/* The templates staff start from (templates.c): 休校のお知らせ, 不審者情報 … stored once, the
 * first time they are asked for, as the first ward administrator's (none yet: not now). */
enum err schoolmail_templates_seed(struct app *a);

/* The account the command line sends as (cli_send.c): a locked ward staff account
 * "cli:schoolmail" that cannot sign in, made on first use, so that a send has an author. */
enum err schoolmail_cli_user(struct app *a, struct user *u);

#endif
