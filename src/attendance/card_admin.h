/* SPDX-License-Identifier: MIT */
/* card_admin.h — cards as the ward administrator handles them on the page: a site's children
 * with their card state, a card for chosen children (without touching the others' cards), a
 * reissue that revokes the old card, and the printable sheet of a site or of chosen children. */
#ifndef MIMAMORI_ATTENDANCE_CARD_ADMIN_H
#define MIMAMORI_ATTENDANCE_CARD_ADMIN_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct app;
struct site;
struct doc_card;

#define CARD_CHILDREN_MAX 500 /* child numbers in one request */

/* One active child of a site and its card. */
struct card_child {
	char child_no[32];
	char *name; /* plaintext: card_list_free wipes it */
	char *kana;
	int grade;
	int64_t issued_ms; /* the valid card's issue time; 0 when the child has none */
	int64_t revoked;   /* cards of the child revoked so far */
};

/* Loads site_id's active children, by grade then child number, with their card state into *v
 * (array of *n; free with card_list_free). */
enum err card_list(struct app *a, int64_t site_id, struct card_child **v, size_t *n);
/* Frees what card_list returned (wiping the names); NULL is a no-op. */
void card_list_free(struct card_child *v, size_t n);

enum card_mode {
	CARD_NEW,     /* a first card for each child named; none may hold a valid card */
	CARD_REISSUE, /* a new card for each child named; their old cards are revoked */
	CARD_MISSING, /* a card for every active child of the site that has none (names ignored) */
};
/* Issues cards at site as mode says, for child_nos[0..n) (active children of the site), in one
 * transaction with the audit entry "card.issue" as actor. Other children's cards are untouched.
 * *issued is the number of cards made. ERR_INVALID (no child named, too many), ERR_NOTFOUND
 * (a number that is no active child of this site) and ERR_CONFLICT (CARD_NEW for a child that
 * has a valid card) come with *why (static Japanese text); nothing is stored then. */
enum err card_issue_for(struct app *a, const char *actor, const struct site *site,
			const char *const *child_nos, size_t n, enum card_mode mode, size_t *issued,
			const char **why);

/* Loads the cards to print of site's active children with a valid card — all of them when n is
 * 0, else those of child_nos[0..n) — into *cards (array of *count, each string malloc'd; free
 * with card_cards_free). ERR_NOTFOUND with *why when a number named is no active child of the
 * site or has no valid card. */
enum err card_cards_load(struct app *a, const struct site *site, const char *const *child_nos,
			 size_t n, struct doc_card **cards, size_t *count, const char **why);
/* Frees what card_cards_load returned (wiping names and codes). */
void card_cards_free(struct doc_card *cards, size_t n);

/* Appends the A4 sheet (PDF) of the cards card_cards_load selects to out and appends the audit
 * entry "card.sheet" as actor. *count is the number of cards. ERR_NOTFOUND with *why as
 * card_cards_load; ERR_INVALID with *why when there is no card to print. */
enum err card_sheet_pdf(struct app *a, const char *actor, const struct site *site,
			const char *const *child_nos, size_t n, struct buf *out, size_t *count,
			const char **why);

#endif
