/* SPDX-License-Identifier: MIT */
/* demo.c — attendance's part of `mimamori demo`: a generated ward's clubs (59 sites, ~4,100
 * children, guardians with confirmed addresses, site staff accounts, kiosks, cards — every code
 * in demo-cards.csv, a few per site printed —, weekly plans, pickup lists, today's absence
 * notices). Synthetic data only. The platform (src/app/demo.c) made the directory and the
 * ward's own accounts before. */
#include "attendance/service.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "attendance/attendance.h"
#include "app/demo_names.h"
#include "auth/audit.h"
#include "auth/device.h"
#include "auth/user.h"
#include "cli.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define GAKUDO_SITES 30
#define HIROBA_SITES 29
#define CARDS_SHOWN 3 /* card codes per site printed at the end */

/* Fictional neighbourhood names for the sites. */
static const char *const places[] = {
	"あおば", "さくら", "みどり", "ひかり", "こもれび", "つばさ", "わかば", "すずかけ",
	"やまぶき", "かえで", "ひまわり", "たんぽぽ", "あさひ", "ほしぞら", "なのはな", "もみじ",
	"はなみずき", "けやき", "しらかば", "ゆりのき", "つつじ", "すみれ", "れんげ", "こぶし",
	"なでしこ", "あじさい", "ききょう", "くすのき", "いちょう", "みずほ",
};

static uint32_t rnd(uint32_t upper)
{
	return vault_random_uniform(upper);
}

/* 16 URL-safe characters, drawn again in the rare case the password rules refuse them (a
 * site code such as G01 can turn up in random text). */
static char *password(const char *login, const char *site)
{
	char *pw = vault_token(12);
	while (auth_password_refusal(pw, login, &site, site ? 1 : 0)) {
		vault_wipe_free(pw);
		pw = vault_token(12);
	}
	return pw;
}

static enum err add_guardian(struct app *a, struct store_conn *c, const char *surname,
			     int female, int64_t serial, int64_t *gid)
{
	char name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX], email[96];
	unsigned char idx[VAULT_BLIND_LEN];
	demo_guardian_pick(rnd, surname, female, name, sizeof name, kana, sizeof kana);
	/* Some guardians use legacy carrier-style local parts, as real families do. */
	if (serial % 97 == 0)
		snprintf(email, sizeof email, "hogo..%05lld.@docomo.example.jp", (long long)serial);
	else
		snprintf(email, sizeof email, "hogo%05lld@example.jp", (long long)serial);
	vault_blind(attendance_vault(a), "guardian-email", email, idx);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO guardians(name_enc, email_enc, email_idx, confirmed_ms, created_ms) "
	       "VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	vault_bind_sealed(attendance_vault(a), st, 1, "guardians.name", name);
	vault_bind_sealed(attendance_vault(a), st, 2, "guardians.email", email);
	store_bind_blob(st, 3, idx, sizeof idx);
	store_bind_int(st, 4, clock_now_ms());
	store_bind_int(st, 5, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	*gid = store_last_id(c);
	return e;
}

static enum err link_guardian(struct store_conn *c, int64_t child, int64_t guardian)
{
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO child_guardians(child_id, guardian_id) VALUES (?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child);
	store_bind_int(st, 2, guardian);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Adds a pickup person (a generated name of the family) to child_id: *id. */
static enum err add_pickup(struct app *a, struct store_conn *c, int64_t child_id,
			   const char *surname, const char *relation, int female, int64_t *id)
{
	char name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX];
	demo_guardian_pick(rnd, surname, female, name, sizeof name, kana, sizeof kana);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO pickups(child_id, name_enc, relation_enc, created_ms) VALUES (?,?,?,?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	vault_bind_sealed(attendance_vault(a), st, 2, "pickups.name", name);
	vault_bind_sealed(attendance_vault(a), st, 3, "pickups.relation", relation);
	store_bind_int(st, 4, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	*id = store_last_id(c);
	return e;
}

/* Gives child_id a weekly plan as families have them: most children come on most weekdays,
 * a few on Saturdays; younger ones are mostly picked up. About one in thirty planned today
 * has sent an absence notice. */
static enum err add_plan(struct app *a, struct store_conn *c, int64_t child_id, int grade,
			 const char *surname, const char *closes)
{
	static const char *const leaves[] = {"16:00", "16:30", "17:00", "17:30", "18:00"};
	static const char *const relations[] = {"母", "父", "祖母", "祖父"};
	int64_t pickup = 0, now = clock_now_ms();
	enum err e = ERR_OK;
	if (rnd(100) < 8)
		return ERR_OK; /* no plan yet: a family that has not used the portal */
	int picked = rnd(100) < (grade <= 2 ? 75 : 25);
	if (picked || rnd(100) < 40) {
		int r = (int)rnd(4);
		e = add_pickup(a, c, child_id, surname, relations[r], r % 2 == 0, &pickup);
	}
	for (int wd = 1; wd <= 6 && e == ERR_OK; wd++) {
		if (rnd(100) >= (wd == 6 ? 10 : 78))
			continue;
		const char *leave = leaves[rnd(5)];
		if (strcmp(leave, closes) >= 0)
			leave = "16:00";
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO plan_weekly(child_id, weekday, leave, way_home, pickup_id, "
		       "updated_ms) VALUES (?, ?, ?, ?, ?, ?)");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, child_id);
		store_bind_int(st, 2, wd);
		store_bind_text(st, 3, leave);
		store_bind_text(st, 4, picked && pickup ? "pickup" : "alone");
		if (picked && pickup)
			store_bind_int(st, 5, pickup);
		else
			store_bind_null(st, 5);
		store_bind_int(st, 6, now);
		e = store_run(st);
		store_finish(st);
	}
	if (e != ERR_OK || rnd(100) >= 3)
		return e;
	char today[16];
	clock_jst_date(now, today, sizeof today);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO plan_days(child_id, day, status, reason_enc, updated_ms, updated_by) "
	       "VALUES (?, ?, 'absent', ?, ?, 'demo')");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	store_bind_text(st, 2, today);
	vault_bind_sealed(attendance_vault(a), st, 3, "plan_days.reason", rnd(2) ? "体調不良のため" : "家庭の用事のため");
	store_bind_int(st, 4, now);
	e = store_run(st);
	store_finish(st);
	return e;
}

/* Adds nchildren children of site with guardians, plans and cards; every card's code goes to
 * cards (site, child number, code) and the first CARDS_SHOWN to shown, for the summary. */
static enum err add_children(struct app *a, const struct site *site, int nchildren,
			     int64_t *serial, int64_t *gserial, FILE *cred, FILE *codes, FILE *cards,
			     struct buf *shown, int *first)
{
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	int64_t g1 = 0, g2 = 0;
	char surname[DEMO_NAME_MAX], skana[DEMO_NAME_MAX];
	if (e != ERR_OK)
		goto out;
	for (int i = 0; i < nchildren; i++) {
		char name[DEMO_NAME_MAX], kana[DEMO_NAME_MAX], child_no[32], birth[48];
		int sibling = i > 0 && rnd(100) < 12; /* about one in eight has a sibling here */
		if (!sibling) {
			demo_surname_pick(rnd, surname, sizeof surname, skana, sizeof skana);
			(*gserial)++;
			e = add_guardian(a, c, surname, 1, *gserial, &g1);
			g2 = 0;
			if (e == ERR_OK && rnd(100) < 55) {
				(*gserial)++;
				e = add_guardian(a, c, surname, 0, *gserial, &g2);
			}
			if (e != ERR_OK)
				goto out;
		}
		demo_name_pick(rnd, surname, (int)rnd(2), name, sizeof name, kana, sizeof kana);
		int grade = 1 + (int)(rnd(100) < 30 ? 0 : rnd(100) < 40 ? 1 : rnd(6));
		int year = 2026 - 6 - grade + (rnd(12) < 3 ? 1 : 0);
		snprintf(birth, sizeof birth, "%04d-%02u-%02u", year, 1 + rnd(12), 1 + rnd(28));
		(*serial)++;
		snprintf(child_no, sizeof child_no, "C%06lld", (long long)*serial);
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO children(child_no, site_id, name_enc, kana_enc, birth_enc, "
		       "grade, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_text(st, 1, child_no);
		store_bind_int(st, 2, site->id);
		vault_bind_sealed(attendance_vault(a), st, 3, "children.name", name);
		vault_bind_sealed(attendance_vault(a), st, 4, "children.kana", kana);
		vault_bind_sealed(attendance_vault(a), st, 5, "children.birth", birth);
		store_bind_int(st, 6, grade);
		store_bind_int(st, 7, clock_now_ms());
		e = store_run(st);
		store_finish(st);
		if (e != ERR_OK)
			goto out;
		int64_t child_id = store_last_id(c);
		e = link_guardian(c, child_id, g1);
		if (e == ERR_OK && g2)
			e = link_guardian(c, child_id, g2);
		if (e == ERR_OK)
			e = add_plan(a, c, child_id, grade, surname, site->closes);
		char *code = NULL;
		if (e == ERR_OK)
			e = card_issue(a, c, child_id, &code);
		if (e != ERR_OK)
			goto out;
		if (codes)
			fprintf(codes, "%s,%s,%s,%s\n", child_no, site->code, code, name);
		fprintf(cards, "%s,%s,%s\n", site->code, child_no, code);
		if (i == 0)
			buf_printf(shown, "  %-4s", site->code);
		if (i < CARDS_SHOWN)
			buf_printf(shown, "  %s %s", child_no, code);
		if (i + 1 == (nchildren < CARDS_SHOWN ? nchildren : CARDS_SHOWN))
			buf_puts(shown, "\n");
		if (*first) {
			fprintf(cred, "example card (site %s, child %s %s): %s\n", site->code,
				child_no, name, code);
			fprintf(cred, "example guardian (of %s): hogo%05lld@example.jp — sign in at "
				      "/parent/ (the link arrives in the Maildir)\n",
				child_no, (long long)*gserial - (g2 ? 1 : 0));
			*first = 0;
		}
		vault_wipe_free(code);
	}
	e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	return e;
}

/* Reads --children (59 to 100000; 4100 when not given) into *total. Returns 0, or prints why
 * and returns 2. */
static int children_option(const struct demo_out *d, int *total)
{
	const char *v = demo_option(d, "children");
	*total = 4100;
	if (!v)
		return 0;
	char *end = NULL;
	long n = strtol(v, &end, 10);
	if (!end || *end || end == v || n < 59 || n > 100000)
		return cli_fail("子どもの数（--children）は59〜100000で指定してください");
	*total = (int)n;
	return 0;
}

int attendance_demo(struct app *a, struct demo_out *d)
{
	const char *why = NULL;
	const char *codes_path = demo_option(d, "codes-out");
	FILE *codes = NULL;
	int total = 4100;
	if (children_option(d, &total) != 0)
		return 2;
	if (!a)
		return 0; /* the options are fine: the platform makes the directory now */
	char *cards_path = xasprintf("%s/demo-cards.csv", d->dir);
	int kfd = open(cards_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *cards = kfd >= 0 ? fdopen(kfd, "w") : NULL;
	FILE *cred = d->cred;
	struct buf shown;
	int status = 1;
	enum err e = ERR_OK;
	int64_t serial = 0, gserial = 0;
	char *first_pw = NULL, *first_token = NULL;
	buf_init(&shown, 1 << 20);
	if (!cards) {
		fprintf(stderr, "mimamori: demo: %s に書き込めません\n", cards_path);
		goto out;
	}
	/* Every card's code, for trying the kiosk without printing (fictional children). */
	fprintf(cards, "site_code,child_no,code\n");
	if (codes_path) {
		/* Card codes of the synthetic children, for testing kiosks without printing. */
		int cfd = open(codes_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		codes = cfd >= 0 ? fdopen(cfd, "w") : NULL;
		if (!codes) {
			fprintf(stderr, "mimamori: demo: %s に書き込めません\n", codes_path);
			goto out;
		}
		fprintf(codes, "child_no,site_code,code,child_name\n");
	}
	int nsites = GAKUDO_SITES + HIROBA_SITES;
	for (int i = 0; i < nsites; i++) {
		int gakudo = i < GAKUDO_SITES;
		int n = gakudo ? i + 1 : i - GAKUDO_SITES + 1;
		char code[16], name[128], login[32];
		snprintf(code, sizeof code, "%s%02d", gakudo ? "G" : "H", n);
		snprintf(name, sizeof name, "%s%s", places[(size_t)(n - 1) % 30],
			 gakudo ? "学童クラブ" : "ひろばプラス");
		e = site_add(a, code, name, gakudo ? "gakudo" : "hiroba_plus",
			     gakudo ? "13:00" : "14:00", gakudo ? "19:00" : "18:00", &why);
		if (e != ERR_OK)
			goto fail;
		snprintf(login, sizeof login, "staff-%s", code);
		char *pw = password(login, code);
		const char *sites[1] = {code};
		e = user_add(a->store, a->vault, login, "site_staff", sites, 1, pw, &why);
		if (e != ERR_OK) {
			vault_wipe_free(pw);
			goto fail;
		}
		fprintf(cred, "site %s %s: staff login %s  password %s\n", code, name, login, pw);
		if (i == 0)
			first_pw = pw;
		else
			vault_wipe_free(pw);
		struct site s;
		struct store_conn *c = store_acquire(a->store);
		e = site_find(c, code, &s);
		store_release(c);
		if (e == ERR_OK) {
			/* The facility's phone and mailbox, school-out arrival around 14:30. */
			snprintf(s.phone, sizeof s.phone, "03-5000-%04d", 1000 + i);
			snprintf(s.alert_email, sizeof s.alert_email, "club-%s@example.jp", code);
			snprintf(s.arrival, sizeof s.arrival, "14:30");
			e = site_update(a, "cli", &s, &why);
		}
		char *token = NULL;
		int64_t kid = 0;
		if (e == ERR_OK)
			e = device_kiosk_add(a->store, s.id, &token, &kid);
		if (e != ERR_OK)
			goto fail;
		fprintf(cred, "site %s kiosk token: %s\n", code, token);
		if (i == 0)
			first_token = token;
		else
			vault_wipe_free(token);
		/* Children spread evenly, except that G01 is the ward's largest club (150, as
		 * the biggest in seed 000) when the ward is of the usual size. */
		int big = total / nsites < 150 && total >= 150 + (nsites - 1) ? 150 : 0;
		int rest = total - big, others = big ? nsites - 1 : nsites, k = big ? i - 1 : i;
		int share = i == 0 && big ? big : rest / others + (k < rest % others ? 1 : 0);
		int first = i == 0;
		e = add_children(a, &s, share, &serial, &gserial, cred, codes, cards, &shown,
				 &first);
		if (e != ERR_OK)
			goto fail;
	}
	struct store_conn *c = store_acquire(a->store);
	char detail[64];
	snprintf(detail, sizeof detail, "sites=%d children=%lld", nsites, (long long)serial);
	audit_append(c, a->vault, "cli", "demo.create", "attendance", detail);
	store_release(c);
	buf_printf(&d->summary, "入退室管理 (attendance): %d sites, %lld children, %lld guardians "
				"(confirmed)\n",
		   nsites, (long long)serial, (long long)gserial);
	buf_printf(&d->summary, "  site G01:     login staff-G01  password %s\n",
		   first_pw ? first_pw : "?");
	buf_printf(&d->summary, "  kiosk G01:    device token %s\n", first_token ? first_token : "?");
	/* The first guardian generated is always serial 1 (see add_guardian). */
	buf_printf(&d->summary, "  guardian:     hogo00001@example.jp  (sign in at /parent/; the "
				"link is in the Maildir)\n");
	buf_printf(&d->summary, "card codes to type at a kiosk (child number and code; all in %s):\n%s",
		   cards_path, shown.data ? shown.data : "");
	status = 0;
	goto out;
fail:
	fprintf(stderr, "mimamori: demo: %s\n", why ? why : err_message_ja(e));
out:
	if (codes)
		fclose(codes);
	if (cards)
		fclose(cards);
	else if (kfd >= 0)
		close(kfd);
	buf_free(&shown);
	free(cards_path);
	vault_wipe_free(first_pw);
	vault_wipe_free(first_token);
	return status;
}
