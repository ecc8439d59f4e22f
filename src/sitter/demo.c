/* SPDX-License-Identifier: MIT */
/* demo.c — the babysitter subsidy's part of `mimamori demo`: a fictional year's applications
 * (--sitter-applications N, 240 by default: about a month of the seed's 300 a month), each with
 * one to three children under 6 and their uses of a sitter over the past eleven months (some at
 * night, some across midnight), at every step of the path — received, returned for
 * correction, pre-screened, decided (approved within the cap or rejected), notified and paid in
 * a transfer — and the four accounts (the contractor's operator and supervisor, the ward's
 * staff and approver), all on this benefit. Accounts at the fictional bank 9990. Synthetic
 * data only. */
#include "sitter/sitter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/demo_names.h"
#include "app/service.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "sitter/payment.h"
#include "store/store.h"
#include "vault/vault.h"

#define DEMO_APPLICATIONS 240
#define DEMO_MAX 100000

static const char *const companies[] = {"さくらベビーシッター", "ひまわりキッズサポート",
					"こもれびシッターサービス", "すずらん保育サービス"};
static const char *const towns[] = {"桜台", "若葉", "緑町", "本町", "旭町", "栄町"};

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

/* A fictional application as the form's JSON, its uses between a year ago and yesterday. */
static json_t *fake_form(const char *today, long long i)
{
	char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	char addr[160], birth[11], phone[16], mail[64], holder[DEMO_NAME_MAX + 8];
	json_t *kids = json_array(), *uses = json_array();
	int nkids = 1 + (rnd(10) < 3) + (rnd(10) < 1);
	demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
	demo_guardian_pick(rnd, sur, (int)rnd(2), name, sizeof name, kana, sizeof kana);
	sitter_date_add(today, -(int)(365 * 28 + rnd(365 * 12)), birth);
	snprintf(addr, sizeof addr, "東京都桜台区%s%u丁目%u番%u号", towns[rnd(6)], 1 + rnd(5),
		 1 + rnd(30), 1 + rnd(20));
	snprintf(phone, sizeof phone, "090%08u", rnd(100000000));
	snprintf(mail, sizeof mail, "sitter%lld@example.jp", i);
	snprintf(holder, sizeof holder, "%s", kana);
	int multiple = nkids >= 2 && rnd(8) == 0;
	char first_birth[11] = "";
	for (int k = 0; k < nkids; k++) {
		char cn[DEMO_NAME_MAX], ck[DEMO_NAME_MAX], cb[11];
		demo_name_pick(rnd, sur, (int)rnd(2), cn, sizeof cn, ck, sizeof ck);
		if (multiple && k > 0)
			memcpy(cb, first_birth, 11);
		else
			sitter_date_add(today, -(int)(60 + rnd(365 * 5)), cb);
		if (k == 0)
			memcpy(first_birth, cb, 11);
		json_array_append_new(kids, json_pack("{s:s, s:s, s:b}", "name", cn, "birth", cb,
						      "multiple", multiple));
	}
	int nuses = 1 + (int)rnd(4);
	for (int u = 0; u < nuses; u++) {
		char date[11], start[16], end[16];
		/* distinct days, so that no child is cared for twice at once */
		sitter_date_add(today, -(int)(1 + u * 80 + rnd(60)), date);
		int night = rnd(5) == 0;
		int s = night ? 19 * 60 + 30 * (int)rnd(6) : 9 * 60 + 30 * (int)rnd(16);
		int len = 120 + 30 * (int)rnd(night ? 16 : 10);
		int e = (s + len) % 1440;
		snprintf(start, sizeof start, "%02d:%02d", s / 60, s % 60);
		snprintf(end, sizeof end, "%02d:%02d", e / 60, e % 60);
		json_t *who = json_array();
		for (int k = 0; k < nkids; k++)
			if (k == 0 || rnd(2))
				json_array_append_new(who, json_integer(k));
		long long paid = (long long)(len / 60.0 * (2200 + rnd(1600))) *
				 (long long)json_array_size(who);
		json_array_append_new(uses, json_pack("{s:s, s:s, s:s, s:o, s:s, s:I}", "date", date,
						      "start", start, "end", end, "children", who,
						      "company", companies[rnd(4)], "paid_yen",
						      (json_int_t)paid));
	}
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:o, s:{s:s, s:s, s:i, s:s, "
			 "s:s}}",
			 "guardian", "name", name, "kana", kana, "birth", birth, "postcode",
			 "1600022", "address", addr, "phone", phone, "email", mail, "children", kids,
			 "uses", uses, "bank", "bank_code", "9990", "branch_code",
			 rnd(2) ? "002" : "003", "type", 1, "number", "1234567", "holder", holder);
}

/* Moves application id along the path to `to` by the accounts given (each step as it would be
 * made: checks, decision, notice). */
static enum err walk(struct store_conn *c, const struct vault *v, const struct sitter_rates *r,
		     int64_t id, enum grant_state to, const int64_t who[4], int64_t now)
{
	enum err e = ERR_OK;
	const struct grant_tables *t = &sitter_tables;
	if (to == GRANT_RETURNED)
		return grant_step(c, v, t, id, GRANT_SUBMITTED, GRANT_RETURNED, who[0],
				  "領収書の金額が読み取れません。鮮明な画像を添付し直してください。",
				  now);
	if (to == GRANT_SUBMITTED)
		return ERR_OK;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE sitter_applications SET checks = 'guardian,children,uses,receipts,bank' "
	       "WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	e = store_run(st);
	store_finish(st);
	if (e == ERR_OK)
		e = grant_step(c, v, t, id, GRANT_SUBMITTED, GRANT_SCREENED, who[0], NULL, now);
	if (e != ERR_OK || to == GRANT_SCREENED)
		return e;
	struct sitter_app p;
	int approve = to != GRANT_REJECTED;
	e = sitter_app_load(c, v, id, &p);
	if (e != ERR_OK)
		return e;
	e = sitter_app_decide(c, v, r, &p, approve,
			      approve ? NULL : "申請の日に対象のお子さまが対象年齢を過ぎていました。",
			      who[3], now);
	sitter_app_clear(&p);
	enum grant_state decided = approve ? GRANT_APPROVED : GRANT_REJECTED;
	if (e == ERR_OK)
		e = grant_step(c, v, t, id, GRANT_SCREENED, decided, who[3], NULL, now);
	if (e == ERR_OK && (to == GRANT_NOTIFIED || to == GRANT_PAID))
		e = grant_step(c, v, t, id, decided, GRANT_NOTIFIED, who[1], NULL, now);
	return e;
}

int sitter_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "sitter-applications");
	long long n = DEMO_APPLICATIONS;
	if (opt) {
		char *end = NULL;
		n = strtoll(opt, &end, 10);
		if (!end || *end || n < 0 || n > DEMO_MAX) {
			fprintf(stderr, "mimamori: --sitter-applications は 0 から %d の数です\n",
				DEMO_MAX);
			return 2;
		}
	}
	if (!a)
		return 0;
	int64_t who[4] = {0}, now = clock_now_ms(), paid = 0;
	const struct vault *v = sitter_vault(a);
	struct sitter_settings cfg;
	char today[11], why[SITTER_WHY_MAX] = "";
	size_t made = 0, nlater = 0;
	int64_t *later = NULL;
	enum err e = ERR_OK;
	sitter_settings_read(a, &cfg);
	clock_jst_date(now, today, sizeof today);
	e = demo_grant_staff(a, out, "sitter", SITTER_SERVICE, "babysitter subsidy", who);
	struct store_conn *c = store_acquire(a->store);
	if (e == ERR_OK)
		e = store_begin(c);
	for (long long i = 0; i < n && e == ERR_OK; i++) {
		struct sitter_form f;
		char number[16];
		int64_t id = 0;
		json_t *j = fake_form(today, i);
		if (sitter_form_parse(j, today, 0, &f, why) != ERR_OK) {
			/* a draw the rules refuse (a child too old on a use day): skip it */
			json_decref(j);
			sitter_form_clear(&f);
			continue;
		}
		json_decref(j);
		e = sitter_app_create(c, v, &cfg.rates, &f, rnd(4) ? "web" : "paper",
				      GRANT_SUBMITTED, who[0], now, &id, number);
		sitter_form_clear(&f);
		/* where it stands: most paid, the rest spread over the steps */
		uint32_t d = rnd(100);
		enum grant_state to = d < 40   ? GRANT_PAID
				      : d < 50 ? GRANT_NOTIFIED
				      : d < 60 ? GRANT_APPROVED
				      : d < 64 ? GRANT_REJECTED
				      : d < 76 ? GRANT_SCREENED
				      : d < 81 ? GRANT_RETURNED
					       : GRANT_SUBMITTED;
		/* notified ones are notified after the transfer, which pays every notified one */
		if (e == ERR_OK)
			e = walk(c, v, &cfg.rates, id, to == GRANT_NOTIFIED ? GRANT_APPROVED : to, who,
				 now);
		if (e == ERR_OK && to == GRANT_NOTIFIED) {
			later = xrealloc(later, (nlater + 1) * sizeof *later);
			later[nlater++] = id;
		}
		paid += to == GRANT_PAID;
		made++;
	}
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "sitter.demo", "sitter", "");
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	/* one transfer, made today, of those meant to be paid */
	if (e == ERR_OK && paid) {
		struct sitter_payment p;
		e = sitter_payment_make(a, c, today, NULL, who[2], "cli", &p, why);
	}
	if (e == ERR_OK)
		e = store_begin(c);
	for (size_t i = 0; e == ERR_OK && i < nlater; i++)
		e = grant_step(c, v, &sitter_tables, later[i], GRANT_APPROVED, GRANT_NOTIFIED, who[1],
			       NULL, now);
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	free(later);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: babysitter subsidy: %s\n",
			why[0] ? why : err_message_ja(e));
	} else {
		buf_printf(&out->summary,
			   "ベビーシッター利用支援: 申請 %zu件（うち振込済み %" PRId64 "件）。事業者は "
			   "/sitter/office.html、申請のページは /sitter/apply.html\n",
			   made, paid);
	}
	return e == ERR_OK ? 0 : 1;
}
