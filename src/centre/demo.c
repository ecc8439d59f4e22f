/* SPDX-License-Identifier: MIT */
/* demo.c — the centre's part of `mimamori demo`: the designated manager (centre-mgr), two staff
 * (centre-staff1, centre-staff2), two bus routes, a few fictional children under contract
 * (weekdays, bus, fee and cap) each with an assessment, a plan, a daily record and this month's
 * attendance, and a parent account (centre-parent) of the first child with a message waiting.
 * Every name and situation is made up. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/demo_names.h"
#include "app/service.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "centre/centre.h"
#include "store/store.h"
#include "vault/vault.h"

#define DEMO_CHILDREN 4
#define DEMO_MAX 500

int centre_demo(struct app *a, struct demo_out *out);

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

static const struct {
	const char *login, *role, *label;
} accounts[] = {
    {"centre-mgr", "centre_manager", "development centre manager (管理責任者)"},
    {"centre-staff1", "centre_staff", "development centre staff (職員)"},
    {"centre-staff2", "centre_staff", "development centre staff (職員)"},
    {"centre-parent", "centre_parent", "development centre parent (保護者)"},
};
#define NACC (sizeof accounts / sizeof accounts[0])

/* The households' monthly caps of the national rules. */
static const int caps[] = {4600, 0, 37200, 4600};

/* Stores fictional child i under contract, assigned to staff, with its care and attendance. */
static enum err one_child(struct store_conn *c, const struct vault *v, long long i, int64_t staff,
			  int64_t now, int64_t *id)
{
	char sur[DEMO_NAME_MAX], skana[DEMO_NAME_MAX], name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	char pname[DEMO_NAME_MAX], pkana[DEMO_NAME_MAX], birth[11], today[11], number[16];
	char why[CENTRE_WHY_MAX], mail[64], review[11];
	int64_t note = 0, ver = 0;
	const char *nwhy = NULL;
	demo_surname_pick(rnd, sur, sizeof sur, skana, sizeof skana);
	demo_name_pick(rnd, sur, (int)rnd(2), name, sizeof name, kana, sizeof kana);
	demo_guardian_pick(rnd, sur, 1, pname, sizeof pname, pkana, sizeof pkana);
	clock_jst_date(now - (int64_t)(365 * (3 + i % 3) + rnd(300)) * 86400000, birth, 11);
	clock_jst_date(now, today, sizeof today);
	snprintf(mail, sizeof mail, "hattatsu%lld@example.jp", i);
	json_t *p = json_pack("{s:s, s:s, s:s}", "name", name, "kana", kana, "birth", birth);
	json_t *k = json_pack("{s:s, s:s, s:s, s:s}", "parent", pname, "phone", "03-0000-0000",
			      "email", mail, "stop", i % 3 == 2 ? "" : "〇〇公園前（架空）");
	char *ps = json_dumps(p, JSON_COMPACT), *ks = json_dumps(k, JSON_COMPACT);
	json_decref(p);
	json_decref(k);
	enum err e = centre_child_create(c, v, ps, ks, 0, now, id, number);
	vault_wipe_free(ps);
	vault_wipe_free(ks);
	int y, m, d;
	wareki_parse_iso(today, &y, &m, &d);
	struct centre_terms t = {
	    .days = 23, .weekdays = i % 2 ? 0x2a : 0x3e, .unit_fee = 1200, .cap = caps[i % 4]};
	snprintf(t.from, sizeof t.from, "%04u-04-01", (unsigned)(m >= 4 ? y : y - 1) % 10000u);
	snprintf(t.to, sizeof t.to, "%04u-03-31", (unsigned)(m >= 4 ? y + 1 : y) % 10000u);
	snprintf(t.route, sizeof t.route, "%s", i % 3 == 2 ? "" : i % 2 ? "west" : "east");
	if (e == ERR_OK)
		e = centre_contract_set(c, v, *id, &t, NULL, now);
	if (e == ERR_OK)
		e = casework_assign(c, &centre_casework, *id, staff, 0, now);
	if (e == ERR_OK)
		e = casework_note_add(
		    c, v, &centre_casework, *id, "支援記録", today,
		    "朝の会で名前を呼ばれて手を挙げた。午後は感覚遊び（架空の記録）。", staff, now,
		    &note, &nwhy);
	json_t *as =
	    json_pack("{s:s, s:s, s:s, s:s}", "on_date", today, "summary",
		      "ことばの理解は年齢相応、表出がゆっくり（架空）", "language",
		      "二語文が出始めた（架空）", "social", "大人との一対一なら遊びが続く（架空）");
	if (e == ERR_OK)
		e = centre_assessment_add(c, v, *id, as, staff, now, why);
	json_decref(as);
	json_t *plan = json_pack("{s:s, s:s, s:[s, s]}", "on_date", today, "policy",
				 "好きな遊びを入り口に、やりとりを増やす（架空）", "goals",
				 "要求を身振りかことばで伝える", "友だちの隣で5分遊ぶ");
	if (e == ERR_OK)
		e = centre_plan_add(c, v, *id, plan, staff, now, &ver, review, why);
	json_decref(plan);
	/* This month's days so far that are the child's weekdays: present, one absent. */
	for (int dd = 1; e == ERR_OK && dd < d; dd++) {
		char day[11];
		if (!(t.weekdays & (1 << wareki_weekday(y, m, dd))))
			continue;
		snprintf(day, sizeof day, "%04u-%02u-%02u", (unsigned)y % 10000u,
			 (unsigned)m % 100u, (unsigned)dd % 100u);
		e = centre_attendance_set(c, *id, day, dd % 7 == 3 ? "absent" : "present",
					  t.route[0] != 0, staff, now, why);
	}
	return e;
}

/* Adds the demo's accounts, their passwords to the credentials file, their ids in ids. */
static enum err add_accounts(struct app *a, struct demo_out *out, int64_t ids[NACC])
{
	enum err e = ERR_OK;
	for (size_t i = 0; i < NACC && e == ERR_OK; i++) {
		char *pw = NULL;
		e = demo_account_add(a, accounts[i].login, accounts[i].role, &pw, &ids[i]);
		if (e == ERR_OK)
			fprintf(out->cred, "%s: login %s  password %s\n", accounts[i].label,
				accounts[i].login, pw);
		vault_wipe_free(pw);
	}
	return e;
}

int centre_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "centre-children");
	long long n = DEMO_CHILDREN;
	if (opt) {
		char *end = NULL;
		n = strtoll(opt, &end, 10);
		if (!end || *end || n < 0 || n > DEMO_MAX) {
			fprintf(stderr, "mimamori: --centre-children は 0 から %d の数です\n",
				DEMO_MAX);
			return 2;
		}
	}
	if (!a)
		return 0;
	int64_t ids[NACC] = {0}, now = clock_now_ms(), first = 0;
	char why[CENTRE_WHY_MAX];
	int mailed = 0;
	if (add_accounts(a, out, ids) != ERR_OK)
		return 1;
	const struct vault *v = centre_vault(a);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = centre_route_put(c, "east", "東ルート", "08:30", "16:30", why);
	if (e == ERR_OK)
		e = centre_route_put(c, "west", "西ルート", "08:40", "16:40", why);
	for (size_t i = 1; i <= 2 && e == ERR_OK; i++)
		e = casework_worker_set(c, &centre_casework, ids[i], CENTRE_UNIT, 0, now);
	for (long long i = 0; i < n && e == ERR_OK; i++) {
		int64_t id = 0;
		e = one_child(c, v, i, ids[1 + i % 2], now, &id);
		if (i == 0)
			first = id;
	}
	if (e == ERR_OK && first) {
		e = centre_parent_link(c, v, ids[3], first, "centre-parent@example.jp", 0, now);
		if (e == ERR_OK)
			e = centre_message_add(c, v, first, ids[1], 0,
					       "今日は公園まで歩きました。帰りのバスでは眠っていま"
					       "した（架空の連絡）。",
					       a->cfg.base_url, now, &mailed, why);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: centre: %s\n", err_message_ja(e));
		return 1;
	}
	buf_printf(&out->summary,
		   "児童発達支援センター: 児童 %lld人（架空、送迎2ルート）。管理責任者 centre-mgr、"
		   "職員 centre-staff1・centre-staff2 は /centre/、保護者 centre-parent は "
		   "/centre/parent.html\n",
		   n);
	return 0;
}
