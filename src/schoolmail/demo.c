/* SPDX-License-Identifier: MIT */
/* demo.c — schoolmail's part of `mimamori demo`: the ward's schools (8 kindergartens, 29
 * elementary and 10 junior high schools, a special-needs school), about 43,000 fictional
 * registrations (families of one or two children, registered by one or two guardians' addresses,
 * as real families do), a school administrator and a sender of E01 — the sender's device
 * approved, its credential in the credentials file — and a ward staff account. Synthetic data
 * only, written in one transaction. */
#include "schoolmail/schoolmail.h"
#include "schoolmail/send.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/service.h"
#include "app/demo_names.h"
#include "auth/approved_device.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define DEMO_REGISTRATIONS 43000      /* the seed's figure; --school-registrations N */
#define DEMO_REGISTRATIONS_MAX 200000
#define DEMO_SIGNUP "touroku@sakuradai.example.jp"
#define DEMO_WARD "桜台区教育委員会"

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

struct demo_school {
	const char *prefix, *suffix, *kind;
	int count, grades, classes, class_size;
};

static const struct demo_school plan[] = {
	{"K", "幼稚園", "kindergarten", 8, 2, 2, 25},
	{"E", "小学校", "elementary", 29, 6, 4, 30},
	{"J", "中学校", "junior_high", 10, 3, 5, 32},
	{"S", "特別支援学校", "special", 1, 12, 2, 8},
};

/* A password the rules accept for login. */
static char *password(const char *login)
{
	char *pw = vault_token(12);
	while (auth_password_refusal(pw, login, NULL, 0)) {
		vault_wipe_free(pw);
		pw = vault_token(12);
	}
	return pw;
}

/* Adds the schools: *ids and *sizes (weights) of each, in plan order. */
static enum err add_schools(struct app *a, int64_t *ids, double *weights, size_t *n)
{
	const char *why = NULL;
	size_t k = 0;
	for (size_t p = 0; p < sizeof plan / sizeof plan[0]; p++) {
		for (int i = 1; i <= plan[p].count; i++) {
			char code[16], name[128];
			struct school s;
			snprintf(code, sizeof code, "%s%02d", plan[p].prefix, i);
			if (plan[p].count == 1)
				snprintf(name, sizeof name, "桜台区立桜台%s", plan[p].suffix);
			else
				snprintf(name, sizeof name, "桜台区立%s%s",
					 places[(size_t)(i - 1) % (sizeof places / sizeof places[0])],
					 plan[p].suffix);
			/* A few elementary schools are smaller (three classes a grade). */
			int classes = plan[p].classes - (plan[p].kind[0] == 'e' && i % 4 == 0);
			enum err e = schoolmail_school_add(a, "demo", code, name, plan[p].kind,
							   plan[p].grades, classes, &s, &why);
			if (e != ERR_OK) {
				fprintf(stderr, "mimamori: demo: %s\n", why ? why : err_message_ja(e));
				return e;
			}
			ids[k] = s.id;
			weights[k] = (double)plan[p].grades * classes * plan[p].class_size;
			k++;
		}
	}
	*n = k;
	return ERR_OK;
}

/* One address row (a guardian's), sealed, with its blind index. */
static enum err add_address(struct store_conn *c, const struct vault *v, int64_t serial,
			    int64_t *id)
{
	char email[64];
	unsigned char idx[VAULT_BLIND_LEN];
	/* Some families use old carrier-style local parts, as real ones do. */
	if (serial % 89 == 0)
		snprintf(email, sizeof email, "gakko..%06" PRId64 ".@docomo.example.jp", serial);
	else
		snprintf(email, sizeof email, "gakko%06" PRId64 "@example.jp", serial);
	vault_blind(v, "school-email", email, idx);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO school_addresses(email_enc, email_idx, created_ms) VALUES (?, ?, ?)");
	if (!st)
		return ERR_DB;
	vault_bind_sealed(v, st, 1, "school_addresses.email", email);
	store_bind_blob(st, 2, idx, sizeof idx);
	store_bind_int(st, 3, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	*id = store_last_id(c);
	return e;
}

static enum err add_registration(struct store_conn *c, const struct vault *v, int64_t address,
				 int64_t school, int grade, int klass, const char *child,
				 const char *guardian)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO school_registrants(address_id, school_id, grade, class, child_enc, "
	       "guardian_enc, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	int64_t now = clock_now_ms();
	store_bind_int(st, 1, address);
	store_bind_int(st, 2, school);
	store_bind_int(st, 3, grade);
	store_bind_int(st, 4, klass);
	vault_bind_sealed(v, st, 5, "school_registrants.child", child);
	vault_bind_sealed(v, st, 6, "school_registrants.guardian", guardian);
	store_bind_int(st, 7, now);
	store_bind_int(st, 8, now);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Families at school (grades, classes) until quota registrations are made. */
static enum err add_families(struct store_conn *c, const struct vault *v, int64_t school,
			     int grades, int classes, int64_t quota, int64_t *serial,
			     int64_t *made)
{
	enum err e = ERR_OK;
	int64_t done = 0;
	while (done < quota && e == ERR_OK) {
		char surname[DEMO_NAME_MAX], skana[DEMO_NAME_MAX];
		char kids[2][DEMO_NAME_MAX], kana[DEMO_NAME_MAX], g1[DEMO_NAME_MAX],
		    g2[DEMO_NAME_MAX];
		int grade[2], klass[2];
		demo_surname_pick(rnd, surname, sizeof surname, skana, sizeof skana);
		int nkids = grades > 1 && rnd(100) < 12 ? 2 : 1;
		for (int k = 0; k < nkids; k++) {
			demo_name_pick(rnd, surname, (int)rnd(2), kids[k], sizeof kids[k], kana,
				       sizeof kana);
			grade[k] = 1 + (int)rnd((uint32_t)grades);
			klass[k] = 1 + (int)rnd((uint32_t)classes);
		}
		demo_guardian_pick(rnd, surname, 1, g1, sizeof g1, kana, sizeof kana);
		demo_guardian_pick(rnd, surname, 0, g2, sizeof g2, kana, sizeof kana);
		/* Most families register two addresses (both guardians' phones). */
		int naddr = rnd(100) < 62 ? 2 : 1;
		for (int ad = 0; ad < naddr && e == ERR_OK && done < quota; ad++) {
			int64_t address = 0;
			(*serial)++;
			e = add_address(c, v, *serial, &address);
			for (int k = 0; k < nkids && e == ERR_OK && done < quota; k++) {
				e = add_registration(c, v, address, school, grade[k], klass[k],
						     kids[k], ad ? g2 : g1);
				done++;
			}
		}
	}
	*made += done;
	return e;
}

/* Appends the demo's [schoolmail] settings to mimamori.conf (before anything reads them). */
static void demo_settings(struct app *a)
{
	char *path = xasprintf("%s/mimamori.conf", a->data_dir);
	FILE *f = fopen(path, "a");
	if (f) {
		fprintf(f, "\n[schoolmail]\n"
			   "; the address families send the empty mail to (a Postfix pipe to "
			   "`mimamori mail-in`)\n"
			   "signup_address = %s\n"
			   "; who signs the letters and mails, and the sender's name of this "
			   "service's mail\n"
			   "ward_name = %s\n"
			   "from_name = %s\n"
			   "; school terms: passwords of school staff are changed once each term\n"
			   "term_starts = 04-01,09-01,01-08\n"
			   "; a drop beyond this percentage at the yearly roll-over alerts the ward\n"
			   "rollover_drop_percent = 10\n",
			DEMO_SIGNUP, DEMO_WARD, DEMO_WARD);
		fclose(f);
	}
	free(path);
}

/* Adds a school account of role for school (scope), its password into *pw. */
static enum err add_account(struct app *a, const char *login, const char *role, int64_t school,
			    char **pw, int64_t *id)
{
	const char *why = NULL;
	*pw = password(login);
	enum err e = user_add(a->store, a->vault, login, role, NULL, 0, *pw, &why);
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	if (e == ERR_OK) {
		st = store_prepare(c, "SELECT id FROM users WHERE login = ?");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_text(st, 1, login);
		e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
		*id = e == ERR_OK ? store_col_int(st, 0) : 0;
	}
	store_finish(st);
	st = NULL;
	if (e == ERR_OK && school) {
		st = store_prepare(c, "INSERT INTO school_users(user_id, school_id) VALUES (?, ?)");
		e = st ? ERR_OK : ERR_DB;
		if (e == ERR_OK) {
			store_bind_int(st, 1, *id);
			store_bind_int(st, 2, school);
			e = store_run(st);
		}
		store_finish(st);
	}
	store_release(c);
	if (e != ERR_OK)
		fprintf(stderr, "mimamori: demo: %s: %s\n", login, why ? why : err_message_ja(e));
	return e;
}

/* The first ward administrator's id (who approves the demo's device), or 0. */
static int64_t ward_admin_id(struct app *a)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id FROM users WHERE role = 'ward_admin' ORDER BY id LIMIT 1");
	int64_t id = st && store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	store_release(c);
	return id;
}

int schoolmail_demo(struct app *a, struct demo_out *out)
{
	const char *opt = demo_option(out, "school-registrations");
	char *end = NULL;
	long long total = opt ? strtoll(opt, &end, 10) : DEMO_REGISTRATIONS;
	if (opt && (!end || *end || total < 0 || total > DEMO_REGISTRATIONS_MAX)) {
		fprintf(stderr, "mimamori: demo: --school-registrations は0〜%dの数です\n",
			DEMO_REGISTRATIONS_MAX);
		return 2;
	}
	if (!a)
		return 0; /* the options are checked before anything is made */
	const struct vault *v = schoolmail_vault(a);
	int64_t ids[64], serial = 0, made = 0, admin_id = 0, sender_id = 0, staff_id = 0;
	double weights[64], sum = 0;
	size_t n = 0;
	char *admin_pw = NULL, *sender_pw = NULL, *staff_pw = NULL, *device = NULL;
	struct approved_device d;
	int64_t t0 = clock_mono_ms();
	demo_settings(a);
	enum err e = add_schools(a, ids, weights, &n);
	if (e != ERR_OK)
		return 1;
	for (size_t i = 0; i < n; i++)
		sum += weights[i];
	struct store_conn *c = store_acquire(a->store);
	e = store_begin(c);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct school s;
		/* The last school takes what rounding left, so the total is exact. */
		int64_t quota = i + 1 == n ? total - made
					   : (int64_t)((double)total * weights[i] / sum + 0.5);
		if (quota < 0)
			quota = 0;
		e = schoolmail_school_get(c, ids[i], &s);
		if (e == ERR_OK)
			e = add_families(c, v, s.id, s.grades, s.classes, quota, &serial, &made);
	}
	char detail[64];
	snprintf(detail, sizeof detail, "schools=%zu registrations=%" PRId64, n, made);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "school.demo", "schoolmail", detail);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: 一斉メールのデモデータを作れません: %s\n",
			err_message_ja(e));
		return 1;
	}
	int64_t took = clock_mono_ms() - t0;
	int status = 1;
	e = add_account(a, "school-E01", "school_admin", ids[8], &admin_pw, &admin_id);
	if (e == ERR_OK)
		e = add_account(a, "sender-E01", "sender", ids[8], &sender_pw, &sender_id);
	if (e == ERR_OK)
		e = add_account(a, "ward-staff", "ward_staff", 0, &staff_pw, &staff_id);
	/* The sender's home PC, enrolled and approved by the ward admin. */
	if (e == ERR_OK)
		e = approved_device_request(a->store, a->vault, "demo", sender_id, "自宅のパソコン",
					    "demo", &device, &d);
	int64_t approver = ward_admin_id(a);
	if (e == ERR_OK && approver)
		e = approved_device_decide(a->store, a->vault, "demo", approver, d.id, 1);
	/* The default templates, stored as a first start would store them: that check reads every
	 * registration, and a demo ward's first start (a benchmark's, say) need not do it. */
	if (e == ERR_OK)
		e = schoolmail_templates_seed(a);
	if (e != ERR_OK)
		goto done;
	fprintf(out->cred, "school admin of E01 (学校管理者): login school-E01  password %s\n",
		admin_pw);
	fprintf(out->cred, "sender of E01 (送信者・校長): login sender-E01  password %s\n", sender_pw);
	fprintf(out->cred, "sender-E01's approved device: cookie %s=%s (set it for %s, path "
			   "/api/v1/, or enrol a new device at /school/enrol.html)\n",
		APPROVED_DEVICE_COOKIE, device, "the server");
	fprintf(out->cred, "ward staff (区職員): login ward-staff  password %s\n", staff_pw);
	fprintf(out->cred, "school mail sign-up address: %s (security codes: mimamori school list)\n",
		DEMO_SIGNUP);
	buf_printf(&out->summary,
		"schools: %zu (kindergartens, elementary, junior high, special needs), %" PRId64
		" registrations from %" PRId64 " addresses (%.1f s)\n"
		"  school admin: login school-E01 password %s   (/school/registrants.html, "
		"/school/send.html)\n"
		"  sender:       login sender-E01 password %s   (/school/send.html; its approved "
		"device's cookie is in the credentials file)\n"
		"  ward staff:   login ward-staff password %s   (/school/ward.html, approvals at "
		"/school/send.html)\n",
		n, made, serial, (double)took / 1000.0, admin_pw, sender_pw, staff_pw);
	status = 0;
done:
	if (status)
		fprintf(stderr, "mimamori: demo: 一斉メールの利用者を作れません: %s\n",
			err_message_ja(e));
	vault_wipe_free(admin_pw);
	vault_wipe_free(sender_pw);
	vault_wipe_free(staff_pw);
	vault_wipe_free(device);
	return status;
}
