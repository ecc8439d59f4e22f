/* SPDX-License-Identifier: MIT */
/* test_auth.c — unit tests for src/auth/: roles, users and sign-in, sessions, kiosks, audit. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/audit.h"
#include "auth/audit_report.h"
#include "auth/device.h"
#include "auth/password.h"
#include "auth/signin_device.h"
#include "auth/throttle.h"
#include "auth/role.h"
#include "auth/session.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define PW "correct horse battery"

/* A fresh database and vault in a temporary directory, with one site G01. */
struct env {
	char dir[64];
	char *db;
	struct store *s;
	struct vault *v;
	int64_t site_id;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Runs one statement without parameters; fails the test when it does not succeed. */
static void exec_ok(struct store *s, const char *sql)
{
	struct store_conn *c = store_acquire(s);
	enum err e = store_exec(c, sql);
	store_release(c);
	assert_int_equal(e, ERR_OK);
}

/* Returns the first column of the first row of sql, with an optional text parameter. */
static int64_t query_int(struct store *s, const char *sql, const char *arg)
{
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(c, sql);
	assert_non_null(st);
	if (arg)
		store_bind_text(st, 1, arg);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t v = store_col_int(st, 0);
	store_finish(st);
	store_release(c);
	return v;
}

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/mimamori-auth-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->db = xasprintf("%s/db.sqlite", e->dir);
	char *key = xasprintf("%s/master.key", e->dir);
	assert_int_equal(store_open(e->db, 1, 2, &e->s), ERR_OK);
	assert_int_equal(vault_create(key, e->s), ERR_OK);
	assert_int_equal(vault_open(key, e->s, &e->v), ERR_OK);
	free(key);
	exec_ok(e->s, "INSERT INTO sites(code,name,type) VALUES ('G01','x','gakudo')");
	exec_ok(e->s, "INSERT INTO sites(code,name,type) VALUES ('G02','y','gakudo')");
	e->site_id = query_int(e->s, "SELECT id FROM sites WHERE code = ?", "G01");
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	vault_free(e->v);
	store_close(e->s);
	nftw(e->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(e->db);
	free(e);
	return 0;
}

static int64_t user_id_of(struct env *e, const char *login)
{
	return query_int(e->s, "SELECT id FROM users WHERE login = ?", login);
}

static void add_user(struct env *e, const char *login, const char *role, const char *site)
{
	const char *why = "unset";
	const char *sites[1] = {site};
	assert_int_equal(
	    user_add(e->s, e->v, login, role, site ? sites : NULL, site ? 1 : 0, PW, &why), ERR_OK);
	assert_null(why);
}

/* ---- roles ---- */

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(role_parse("ward_admin"), ROLE_WARD_ADMIN);
	assert_int_equal(role_parse("ward_staff"), ROLE_WARD_STAFF);
	assert_int_equal(role_parse("contractor"), ROLE_CONTRACTOR);
	assert_int_equal(role_parse("site_staff"), ROLE_SITE_STAFF);
	/* A kiosk is never a stored user role. */
	assert_int_equal(role_parse("kiosk"), ROLE_NONE);
	assert_int_equal(role_parse("Ward_Admin"), ROLE_NONE);
	assert_int_equal(role_parse(""), ROLE_NONE);
	assert_string_equal(role_name(ROLE_SITE_STAFF), "site_staff");
	assert_string_equal(role_name(ROLE_KIOSK), "kiosk");
	assert_string_equal(role_name(ROLE_PUBLIC), "none");
	assert_string_equal(role_name(ROLE_WARD_ADMIN | ROLE_WARD_STAFF), "none");
}

/* ---- users ---- */

static void test_user_add_invalid(void **state)
{
	struct env *e = *state;
	const char *why = NULL;
	const char *g01[1] = {"G01"};
	const char *nosite[1] = {"X99"};
	char long_login[62];
	memset(long_login, 'a', 61);
	long_login[61] = '\0';

	static const char *const bad_logins[] = {"a", "has space", "佐藤", "semi;colon", "", "a/b"};
	for (size_t i = 0; i < sizeof bad_logins / sizeof bad_logins[0]; i++) {
		why = NULL;
		assert_int_equal(
		    user_add(e->s, e->v, bad_logins[i], "ward_staff", NULL, 0, PW, &why),
		    ERR_INVALID);
		assert_non_null(why);
		assert_non_null(strstr(why, "ログイン名"));
	}
	why = NULL;
	assert_int_equal(user_add(e->s, e->v, long_login, "ward_staff", NULL, 0, PW, &why),
			 ERR_INVALID);
	assert_non_null(why);
	long_login[60] = '\0'; /* 60 is the longest allowed */
	assert_int_equal(user_add(e->s, e->v, long_login, "ward_staff", NULL, 0, PW, &why), ERR_OK);

	why = NULL;
	assert_int_equal(user_add(e->s, e->v, "suzuki", "admin", NULL, 0, PW, &why), ERR_INVALID);
	assert_non_null(why);
	assert_non_null(strstr(why, "権限"));
	why = NULL;
	assert_int_equal(user_add(e->s, e->v, "suzuki", "kiosk", NULL, 0, PW, &why), ERR_INVALID);
	assert_non_null(why);

	why = NULL;
	assert_int_equal(user_add(e->s, e->v, "suzuki", "site_staff", NULL, 0, PW, &why),
			 ERR_INVALID);
	assert_non_null(why);
	assert_non_null(strstr(why, "施設"));
	why = NULL;
	assert_int_equal(user_add(e->s, e->v, "suzuki", "ward_staff", g01, 1, PW, &why),
			 ERR_INVALID);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(user_add(e->s, e->v, "suzuki", "site_staff", nosite, 1, PW, &why),
			 ERR_INVALID);
	assert_non_null(why);
	assert_string_equal(why, "その施設コードの施設はありません。");

	why = NULL;
	assert_int_equal(user_add(e->s, e->v, "suzuki", "ward_staff", NULL, 0, "123456789", &why),
			 ERR_INVALID);
	assert_non_null(why);
	assert_non_null(strstr(why, "10文字以上"));

	/* None of the refused ones left a row (the bad site rolled back its user). */
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM users WHERE login = ?", "suzuki"),
			 0);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM user_sites", NULL), 0);
	/* Exactly ten is enough. */
	assert_int_equal(user_add(e->s, e->v, "suzuki", "ward_staff", NULL, 0, "kq8-Zt3!wp", &why),
			 ERR_OK);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM users", NULL), 2);
}

static void test_user_add_duplicate(void **state)
{
	struct env *e = *state;
	const char *why = NULL;
	add_user(e, "tanaka", "ward_staff", NULL);
	assert_int_equal(user_add(e->s, e->v, "tanaka", "ward_admin", NULL, 0, PW, &why),
			 ERR_CONFLICT);
	assert_non_null(why);
	assert_non_null(strstr(why, "すでに"));
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM users", NULL), 1);
}

/* USER_PASSWORD_MIN and the message speak of characters; a 5-character Japanese password
 * (15 bytes of UTF-8) is shorter than 10 characters. */
static void test_user_add_password_counts_characters(void **state)
{
	struct env *e = *state;
	const char *why = NULL;
	assert_int_equal(user_add(e->s, e->v, "kato", "ward_staff", NULL, 0, "あいうえお", &why),
			 ERR_INVALID);
	assert_non_null(why);
}

static void test_user_load(void **state)
{
	struct env *e = *state;
	add_user(e, "site-1", "site_staff", "G01");
	add_user(e, "ward.1", "ward_admin", NULL);
	struct user u;
	assert_int_equal(user_load(e->s, user_id_of(e, "site-1"), &u), ERR_OK);
	assert_string_equal(u.login, "site-1");
	assert_int_equal(u.role, ROLE_SITE_STAFF);
	assert_int_equal(u.nsites, 1);
	assert_int_equal(u.site_ids[0], e->site_id);
	assert_string_equal(u.site_codes[0], "G01");
	assert_int_equal(user_can_see_site(&u, e->site_id), 1);
	assert_int_equal(user_can_see_site(&u, e->site_id + 1), 0);

	assert_int_equal(user_load(e->s, user_id_of(e, "ward.1"), &u), ERR_OK);
	assert_int_equal(u.role, ROLE_WARD_ADMIN);
	assert_int_equal(u.nsites, 0);
	assert_int_equal(user_can_see_site(&u, e->site_id + 1), 1);

	assert_int_equal(user_load(e->s, 9999, &u), ERR_NOTFOUND);
	exec_ok(e->s, "UPDATE users SET disabled = 1 WHERE login = 'ward.1'");
	assert_int_equal(user_load(e->s, user_id_of(e, "ward.1"), &u), ERR_NOTFOUND);
}

/* ---- sign-in ---- */

static void test_sign_in(void **state)
{
	struct env *e = *state;
	add_user(e, "yamada", "site_staff", "G01");
	struct user u;
	int64_t retry = -1;
	memset(&u, 0, sizeof u);
	assert_int_equal(user_sign_in(e->s, e->v, "yamada", PW, &u, &retry), ERR_OK);
	assert_int_equal(retry, 0);
	assert_int_equal(u.id, user_id_of(e, "yamada"));
	assert_string_equal(u.login, "yamada");
	assert_int_equal(u.role, ROLE_SITE_STAFF);
	assert_int_equal(u.nsites, 1);
	assert_string_equal(u.site_codes[0], "G01");

	assert_int_equal(user_sign_in(e->s, e->v, "yamada", PW "x", &u, &retry), ERR_UNAUTH);
	assert_int_equal(retry, 0);
	assert_int_equal(
	    query_int(e->s, "SELECT failed_count FROM users WHERE login = ?", "yamada"), 1);
	assert_int_equal(user_sign_in(e->s, e->v, "nobody", PW, &u, &retry), ERR_UNAUTH);
	assert_int_equal(user_sign_in(e->s, e->v, "bad login!", PW, &u, &retry), ERR_UNAUTH);
	/* A success resets the count. */
	assert_int_equal(user_sign_in(e->s, e->v, "yamada", PW, &u, &retry), ERR_OK);
	assert_int_equal(
	    query_int(e->s, "SELECT failed_count FROM users WHERE login = ?", "yamada"), 0);
	/* A disabled account cannot sign in. */
	exec_ok(e->s, "UPDATE users SET disabled = 1 WHERE login = 'yamada'");
	assert_int_equal(user_sign_in(e->s, e->v, "yamada", PW, &u, &retry), ERR_UNAUTH);

	/* Every outcome was audited and the chain is intact. */
	assert_int_equal(
	    query_int(e->s, "SELECT COUNT(*) FROM audit WHERE action = ?", "signin.ok"), 2);
	assert_int_equal(
	    query_int(e->s, "SELECT COUNT(*) FROM audit WHERE action = ?", "signin.fail"), 4);
	assert_int_equal(
	    query_int(e->s, "SELECT COUNT(*) FROM audit WHERE object LIKE ?", "%(invalid)%"), 1);
	int64_t bad = -1, n = 0;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	assert_int_equal(n, 7); /* user.add + 6 sign-ins */
}

static void test_sign_in_delay(void **state)
{
	struct env *e = *state;
	add_user(e, "ito", "ward_staff", NULL);
	struct user u;
	int64_t retry = -1;
	/* The clock stands still: a 1 s delay must not run out while a loaded machine hashes. */
	clock_hold(1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(user_sign_in(e->s, e->v, "ito", "wrong password", &u, &retry),
				 ERR_UNAUTH);
		assert_int_equal(retry, 0);
	}
	/* The fourth attempt comes too soon: refused even with the right password. */
	assert_int_equal(user_sign_in(e->s, e->v, "ito", PW, &u, &retry), ERR_TOOMANY);
	assert_true(retry > 0);
	assert_true(retry <= 1000);
	/* The refusal did not count as a failure, and was audited. */
	assert_int_equal(query_int(e->s, "SELECT failed_count FROM users WHERE login = ?", "ito"),
			 3);
	assert_int_equal(
	    query_int(e->s, "SELECT COUNT(*) FROM audit WHERE action = ?", "signin.throttled"), 1);
	/* Once the delay has passed, the right password works. */
	exec_ok(e->s, "UPDATE users SET last_failed_ms = 0 WHERE login = 'ito'");
	assert_int_equal(user_sign_in(e->s, e->v, "ito", PW, &u, &retry), ERR_OK);
	assert_int_equal(retry, 0);
	assert_int_equal(query_int(e->s, "SELECT failed_count FROM users WHERE login = ?", "ito"),
			 0);
	/* The delay grows: after five failures it is 4 s. */
	for (int i = 0; i < 5; i++) {
		exec_ok(e->s, "UPDATE users SET last_failed_ms = 0 WHERE login = 'ito'");
		assert_int_equal(user_sign_in(e->s, e->v, "ito", "wrong password", &u, &retry),
				 ERR_UNAUTH);
	}
	assert_int_equal(user_sign_in(e->s, e->v, "ito", PW, &u, &retry), ERR_TOOMANY);
	assert_true(retry > 3000);
	assert_true(retry <= 4000);
	clock_hold(0);
}

static void test_sign_in_lockout(void **state)
{
	struct env *e = *state;
	add_user(e, "sato", "ward_staff", NULL);
	add_user(e, "other", "ward_staff", NULL);
	struct user u;
	int64_t retry = -1;
	for (int i = 0; i < USER_LOCK_AFTER; i++) {
		/* Skip the growing delay so that each attempt is checked. */
		exec_ok(e->s, "UPDATE users SET last_failed_ms = 0 WHERE login = 'sato'");
		assert_int_equal(user_sign_in(e->s, e->v, "sato", "wrong password", &u, &retry),
				 ERR_UNAUTH);
	}
	assert_int_equal(query_int(e->s, "SELECT failed_count FROM users WHERE login = ?", "sato"),
			 USER_LOCK_AFTER);
	int64_t now = clock_now_ms();
	int64_t until =
	    query_int(e->s, "SELECT locked_until_ms FROM users WHERE login = ?", "sato");
	assert_true(until > now + USER_LOCK_MS - 60000);
	assert_true(until <= now + USER_LOCK_MS);
	/* Locked: even with the delay skipped and the right password. */
	exec_ok(e->s, "UPDATE users SET last_failed_ms = 0 WHERE login = 'sato'");
	assert_int_equal(user_sign_in(e->s, e->v, "sato", PW, &u, &retry), ERR_TOOMANY);
	assert_true(retry > USER_LOCK_MS - 60000);
	assert_true(retry <= USER_LOCK_MS);
	/* Other accounts are not affected. */
	assert_int_equal(user_sign_in(e->s, e->v, "other", PW, &u, &retry), ERR_OK);
	/* When the lock has run out, the right password works and clears it. */
	exec_ok(e->s, "UPDATE users SET locked_until_ms = 1 WHERE login = 'sato'");
	assert_int_equal(user_sign_in(e->s, e->v, "sato", PW, &u, &retry), ERR_OK);
	assert_string_equal(u.login, "sato");
	assert_int_equal(query_int(e->s,
				   "SELECT failed_count + locked_until_ms FROM users "
				   "WHERE login = ?",
				   "sato"),
			 0);
}


/* ---- password rules (ASVS 2.1) ---- */

static void test_password_rules(void **state)
{
	(void)state;
	const char *g01[1] = {"G01"};
	/* The examples: all refused now. */
	static const char *const weak[] = {"aaaaaaaaaa", "1234567890", "password12", "          ",
					   "Password12", "QWERTYUIOP", "ababababab"};
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++)
		assert_non_null(auth_password_refusal(weak[i], "tanaka", NULL, 0));
	assert_true(auth_password_is_common("iloveyou12"));
	assert_false(auth_password_is_common("correct horse battery"));
	/* The user's own login and site code, and the service's name, in any case. */
	assert_non_null(strstr(auth_password_refusal("Tanaka-no-pasu", "tanaka", NULL, 0),
			       "ログイン名"));
	assert_non_null(strstr(auth_password_refusal("sumire-g01-club", "yamada", g01, 1),
			       "施設コード"));
	assert_non_null(strstr(auth_password_refusal("MiMaMoRi-2026!", "yamada", NULL, 0),
			       "見守り"));
	assert_non_null(auth_password_refusal("見守りのパスワードです", "yamada", NULL, 0));
	assert_non_null(auth_password_refusal("zz", "zz", NULL, 0)); /* too short anyway */
	/* A two-letter login is refused only as the whole password, not inside it. */
	assert_null(auth_password_refusal("crab salad at noon", "ab", NULL, 0));
	/* Length in characters: 10 to 128, any characters. */
	assert_null(auth_password_refusal("あいうえおかきくけこ", "yamada", NULL, 0));
	assert_null(auth_password_refusal("correct horse battery", "yamada", g01, 1));
	assert_null(auth_password_refusal("😀 emoji and spaces ok", NULL, NULL, 0));
	char longest[129 * 3 + 1];
	for (int i = 0; i < 128; i++)
		memcpy(longest + 3 * i, "あ", 3);
	longest[128 * 3] = '\0';
	memcpy(longest, "いうえ", 9); /* not one repeated character */
	assert_null(auth_password_refusal(longest, "yamada", NULL, 0));
	memcpy(longest + 128 * 3, "あ", 4);
	assert_non_null(strstr(auth_password_refusal(longest, "yamada", NULL, 0), "128"));
}

static void test_user_add_refuses_weak(void **state)
{
	struct env *e = *state;
	const char *why = NULL;
	const char *g01[1] = {"G01"};
	assert_int_equal(user_add(e->s, e->v, "kondo", "ward_staff", NULL, 0, "password12", &why),
			 ERR_INVALID);
	assert_non_null(why);
	assert_int_equal(user_add(e->s, e->v, "kondo", "site_staff", g01, 1, "kondo.kondo.kondo",
				  &why),
			 ERR_INVALID);
	assert_int_equal(
	    user_add(e->s, e->v, "kondo", "site_staff", g01, 1, "g01 is my club", &why),
	    ERR_INVALID);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM users", NULL), 0);
}

/* ---- per-address throttle, device cookies, lock alerts ---- */

static enum err sign_in_from(struct env *e, const char *login, const char *pw, const char *addr,
			     const char *device, struct user_sign_in_out *out)
{
	struct user_sign_in_ctx ctx = {device, addr, "it-admin@example.jp"};
	struct user u;
	return user_sign_in_ex(e->s, e->v, login, pw, &ctx, &u, out);
}

/* One password tried once on many accounts from one address: the address is slowed although
 * no account saw more than one failure; another address is not. The bucket drains one failure
 * every THROTTLE_DRAIN_MS of real time, so on a slow machine (each failure checks a password)
 * the refusal may come that many failures later: the test counts what drained meanwhile. */
static void test_sign_in_spraying(void **state)
{
	struct env *e = *state;
	struct user_sign_in_out out;
	char login[32];
	add_user(e, "hayashi", "ward_staff", NULL);
	int64_t t0 = clock_mono_ms();
	int n = 0;
	enum err r;
	for (;;) {
		snprintf(login, sizeof login, "spray%02d", n);
		r = sign_in_from(e, login, "password123", "198.51.100.7", NULL, &out);
		if (r != ERR_UNAUTH || n > THROTTLE_FREE + 20)
			break;
		n++;
	}
	int64_t drained = (clock_mono_ms() - t0) / THROTTLE_DRAIN_MS;
	assert_int_equal(r, ERR_TOOMANY);
	assert_true(n >= THROTTLE_FREE && n <= THROTTLE_FREE + drained + 1);
	assert_true(out.retry_ms > 0 && out.retry_ms <= THROTTLE_DRAIN_MS);
	/* The sprayer's address is refused even the right password of a real account (asked at
	 * once: the refusal holds for out.retry_ms)... */
	assert_int_equal(sign_in_from(e, "hayashi", PW, "198.51.100.7", NULL, &out), ERR_TOOMANY);
	assert_int_equal(sign_in_from(e, "spray99", "password123", "198.51.100.8", NULL, &out),
			 ERR_UNAUTH);
	/* ...which signs in from anywhere else. */
	assert_int_equal(sign_in_from(e, "hayashi", PW, "198.51.100.9", NULL, &out), ERR_OK);
	vault_wipe_free(out.device_token);
}

static void test_sign_in_device_cookie(void **state)
{
	struct env *e = *state;
	struct user_sign_in_out out;
	add_user(e, "mori", "ward_admin", NULL);
	/* The owner signs in once: the client gets a device token, stored only as its hash. */
	assert_int_equal(sign_in_from(e, "mori", PW, "203.0.113.1", NULL, &out), ERR_OK);
	assert_non_null(out.device_token);
	char *dev = out.device_token;
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM device_cookies", NULL), 1);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM device_cookies WHERE token_hash = ?",
				   dev),
			 0);
	/* An attacker locks the account (wrong passwords from other addresses). */
	for (int i = 0; i < USER_LOCK_AFTER; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "203.0.113.%d", 10 + i);
		exec_ok(e->s, "UPDATE users SET last_failed_ms = 0 WHERE login = 'mori'");
		assert_int_equal(sign_in_from(e, "mori", "guess-number-x", addr, NULL, &out),
				 ERR_UNAUTH);
		assert_int_equal(out.locked, i == USER_LOCK_AFTER - 1);
	}
	/* The lock was audited and the ward administrator alerted, once, without the login. */
	assert_int_equal(
	    query_int(e->s, "SELECT COUNT(*) FROM audit WHERE action = ?", "signin.locked"), 1);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM outbox WHERE send_id = ? AND "
					 "kind = 'notice'",
				   "signin-lock"),
			 1);
	/* Locked for a client without the cookie, even with the right password... */
	exec_ok(e->s, "UPDATE users SET last_failed_ms = 0 WHERE login = 'mori'");
	assert_int_equal(sign_in_from(e, "mori", PW, "203.0.113.1", NULL, &out), ERR_TOOMANY);
	assert_int_equal(sign_in_from(e, "mori", PW, "203.0.113.1", "forged-token-0123456789",
				  &out),
			 ERR_TOOMANY);
	/* ...but the owner's client signs in, among other tokens of its cookie. */
	char *cookie = xasprintf("someoneelsestoken0123456789.%s", dev);
	assert_int_equal(sign_in_from(e, "mori", PW, "203.0.113.1", cookie, &out), ERR_OK);
	assert_null(out.device_token); /* it keeps its own token */
	/* The account stays locked for everyone else. */
	assert_int_equal(sign_in_from(e, "mori", PW, "203.0.113.2", NULL, &out), ERR_TOOMANY);
	/* A stolen device cookie buys the device's own ten guesses, no more. */
	for (int i = 0; i < USER_LOCK_AFTER; i++) {
		exec_ok(e->s, "UPDATE device_cookies SET last_failed_ms = 0");
		assert_int_equal(sign_in_from(e, "mori", "guess-number-y", "203.0.113.3", cookie,
					      &out),
				 ERR_UNAUTH);
	}
	exec_ok(e->s, "UPDATE device_cookies SET last_failed_ms = 0");
	assert_int_equal(sign_in_from(e, "mori", PW, "203.0.113.3", cookie, &out), ERR_TOOMANY);
	/* Another account's token does not count for this one. */
	add_user(e, "ueda", "ward_staff", NULL);
	assert_int_equal(sign_in_from(e, "ueda", PW, "203.0.113.4", cookie, &out), ERR_OK);
	assert_non_null(out.device_token);
	vault_wipe_free(out.device_token);
	free(cookie);
	vault_wipe_free(dev);
	int64_t bad = -1, n = 0;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
}

/* ---- sessions ---- */

/* Returns 1 when needle occurs in the file at path (missing files hold nothing). */
static int file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	struct stat sb;
	assert_int_equal(fstat(fileno(f), &sb), 0);
	size_t n = (size_t)sb.st_size;
	char *data = xmalloc(n + 1);
	size_t got = fread(data, 1, n, f);
	fclose(f);
	int found = memmem(data, got, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

static void test_session_lifecycle(void **state)
{
	struct env *e = *state;
	add_user(e, "kimura", "ward_staff", NULL);
	int64_t uid = user_id_of(e, "kimura");
	char *token = NULL, *csrf = NULL;
	assert_int_equal(session_create(e->s, uid, &token, &csrf), ERR_OK);
	assert_non_null(token);
	assert_non_null(csrf);
	assert_true(strlen(token) >= 43);
	assert_true(strlen(csrf) >= 32);
	assert_true(strlen(csrf) < 64);
	assert_string_not_equal(token, csrf);

	int64_t got = 0;
	char c[64] = "";
	assert_int_equal(session_check(e->s, token, &got, c), ERR_OK);
	assert_int_equal(got, uid);
	assert_string_equal(c, csrf);

	/* A second session is independent. */
	char *token2 = NULL, *csrf2 = NULL;
	assert_int_equal(session_create(e->s, uid, &token2, &csrf2), ERR_OK);
	assert_string_not_equal(token, token2);
	assert_string_not_equal(csrf, csrf2);

	/* Unknown tokens, a changed character, and the CSRF token as a cookie: refused. */
	got = 0;
	assert_int_equal(session_check(e->s, "no-such-token", &got, c), ERR_UNAUTH);
	assert_int_equal(session_check(e->s, "", &got, c), ERR_UNAUTH);
	assert_int_equal(session_check(e->s, csrf, &got, c), ERR_UNAUTH);
	char *changed = xstrdup(token);
	changed[0] = changed[0] == 'A' ? 'B' : 'A';
	assert_int_equal(session_check(e->s, changed, &got, c), ERR_UNAUTH);
	free(changed);
	assert_int_equal(got, 0);

	/* Delete: the token stops working; the other session stays. */
	assert_int_equal(session_delete(e->s, token), ERR_OK);
	assert_int_equal(session_check(e->s, token, &got, c), ERR_UNAUTH);
	assert_int_equal(session_delete(e->s, token), ERR_OK); /* unknown: ignored */
	assert_int_equal(session_check(e->s, token2, &got, c), ERR_OK);
	assert_int_equal(got, uid);
	assert_string_equal(c, csrf2);
	vault_wipe_free(token);
	vault_wipe_free(token2);
	free(csrf);
	free(csrf2);
}

static void test_session_stores_hash_only(void **state)
{
	struct env *e = *state;
	add_user(e, "mori", "ward_staff", NULL);
	char *token = NULL, *csrf = NULL;
	assert_int_equal(session_create(e->s, user_id_of(e, "mori"), &token, &csrf), ERR_OK);

	struct store_conn *c = store_acquire(e->s);
	struct store_stmt *st = store_prepare(
	    c, "SELECT token_hash, CAST(user_id AS TEXT) || csrf || created_ms || last_seen_ms "
	       "FROM sessions");
	assert_non_null(st);
	assert_int_equal(store_step(st), STORE_ROW);
	size_t hlen = 0;
	const void *h = store_col_blob(st, 0, &hlen);
	unsigned char want[VAULT_HASH_LEN];
	vault_hash(token, strlen(token), want);
	assert_int_equal(hlen, VAULT_HASH_LEN);
	assert_memory_equal(h, want, VAULT_HASH_LEN);
	assert_null(memmem(h, hlen, token, 8));
	assert_null(strstr(store_col_text(st, 1), token));
	assert_int_equal(store_step(st), STORE_DONE);
	store_finish(st);
	store_release(c);

	/* Nor anywhere in the database files. */
	char *wal = xasprintf("%s-wal", e->db);
	assert_int_equal(file_contains(e->db, token), 0);
	assert_int_equal(file_contains(wal, token), 0);
	/* (the check can see data: the CSRF token is stored in clear) */
	assert_int_equal(file_contains(e->db, csrf) || file_contains(wal, csrf), 1);
	free(wal);
	vault_wipe_free(token);
	free(csrf);
}

static void test_session_expiry(void **state)
{
	struct env *e = *state;
	add_user(e, "ono", "ward_staff", NULL);
	int64_t uid = user_id_of(e, "ono"), got = 0;
	char c[64];
	char *t1 = NULL, *t2 = NULL, *t3 = NULL, *x1 = NULL, *x2 = NULL, *x3 = NULL;
	assert_int_equal(session_create(e->s, uid, &t1, &x1), ERR_OK);
	assert_int_equal(session_create(e->s, uid, &t2, &x2), ERR_OK);
	assert_int_equal(session_create(e->s, uid, &t3, &x3), ERR_OK);

	/* Idle 29 minutes: still valid, and the idle timer is refreshed. */
	exec_ok(e->s, "UPDATE sessions SET last_seen_ms = last_seen_ms - 29 * 60000");
	assert_int_equal(session_check(e->s, t1, &got, c), ERR_OK);
	assert_int_equal(got, uid);
	int64_t now = clock_now_ms();
	unsigned char h[VAULT_HASH_LEN];
	vault_hash(t1, strlen(t1), h);
	struct store_conn *conn = store_acquire(e->s);
	struct store_stmt *st =
	    store_prepare(conn, "SELECT last_seen_ms FROM sessions WHERE token_hash = ?");
	assert_non_null(st);
	store_bind_blob(st, 1, h, sizeof h);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_true(store_col_int(st, 0) > now - 10000);
	store_finish(st);
	store_release(conn);

	/* Idle 31 minutes: expired and deleted. */
	exec_ok(e->s, "UPDATE sessions SET last_seen_ms = last_seen_ms - 31 * 60000");
	assert_int_equal(session_check(e->s, t1, &got, c), ERR_UNAUTH);
	assert_int_equal(session_check(e->s, t2, &got, c), ERR_UNAUTH);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sessions", NULL), 1); /* t3 */

	/* Active but older than 12 hours: expired. */
	exec_ok(e->s, "UPDATE sessions SET last_seen_ms = last_seen_ms + 31 * 60000 + 29 * 60000");
	assert_int_equal(session_check(e->s, t3, &got, c), ERR_OK);
	exec_ok(e->s, "UPDATE sessions SET created_ms = created_ms - 13 * 3600000");
	assert_int_equal(session_check(e->s, t3, &got, c), ERR_UNAUTH);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sessions", NULL), 0);

	vault_wipe_free(t1);
	vault_wipe_free(t2);
	vault_wipe_free(t3);
	free(x1);
	free(x2);
	free(x3);
}

/* Creating a session sweeps everyone's expired sessions. */
static void test_session_sweep(void **state)
{
	struct env *e = *state;
	add_user(e, "abe", "ward_staff", NULL);
	int64_t uid = user_id_of(e, "abe");
	char *t1 = NULL, *x1 = NULL, *t2 = NULL, *x2 = NULL;
	assert_int_equal(session_create(e->s, uid, &t1, &x1), ERR_OK);
	exec_ok(e->s, "UPDATE sessions SET last_seen_ms = last_seen_ms - 31 * 60000");
	assert_int_equal(session_create(e->s, uid, &t2, &x2), ERR_OK);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sessions", NULL), 1);
	vault_wipe_free(t1);
	vault_wipe_free(t2);
	free(x1);
	free(x2);
}

/* ---- kiosks ---- */

static void test_kiosk(void **state)
{
	struct env *e = *state;
	char *token = NULL, *token2 = NULL;
	int64_t kid = 0, kid2 = 0, got_k = 0, got_s = 0;
	int64_t site2 = query_int(e->s, "SELECT id FROM sites WHERE code = ?", "G02");
	assert_int_equal(device_kiosk_add(e->s, e->site_id, &token, &kid), ERR_OK);
	assert_int_equal(device_kiosk_add(e->s, site2, &token2, &kid2), ERR_OK);
	assert_true(kid > 0);
	assert_int_not_equal(kid, kid2);
	assert_true(strlen(token) >= 43);
	assert_string_not_equal(token, token2);

	assert_int_equal(device_kiosk_check(e->s, token, &got_k, &got_s), ERR_OK);
	assert_int_equal(got_k, kid);
	assert_int_equal(got_s, e->site_id);
	assert_int_equal(device_kiosk_check(e->s, token2, &got_k, &got_s), ERR_OK);
	assert_int_equal(got_k, kid2);
	assert_int_equal(got_s, site2);

	/* Only the hash is stored. */
	unsigned char h[VAULT_HASH_LEN];
	vault_hash(token, strlen(token), h);
	struct store_conn *c = store_acquire(e->s);
	struct store_stmt *st = store_prepare(c, "SELECT token_hash FROM kiosks WHERE id = ?");
	assert_non_null(st);
	store_bind_int(st, 1, kid);
	assert_int_equal(store_step(st), STORE_ROW);
	size_t len = 0;
	const void *stored = store_col_blob(st, 0, &len);
	assert_int_equal(len, VAULT_HASH_LEN);
	assert_memory_equal(stored, h, VAULT_HASH_LEN);
	store_finish(st);
	store_release(c);

	got_k = got_s = 0;
	assert_int_equal(device_kiosk_check(e->s, "unknown", &got_k, &got_s), ERR_UNAUTH);
	assert_int_equal(device_kiosk_check(e->s, "", &got_k, &got_s), ERR_UNAUTH);
	assert_int_equal(got_k, 0);

	/* Revoked: a token checked a moment ago is remembered for at most 10 s (documented);
	 * once forgotten it is refused, and the other kiosk still works. Checked again just
	 * before the revocation, so a slow machine cannot age the remembered entry out. */
	device_kiosk_cache_clear();
	assert_int_equal(device_kiosk_check(e->s, token, &got_k, &got_s), ERR_OK);
	exec_ok(e->s, "UPDATE kiosks SET revoked_ms = 1 WHERE site_id = (SELECT id FROM sites "
		      "WHERE code = 'G01')");
	assert_int_equal(device_kiosk_check(e->s, token, &got_k, &got_s), ERR_OK);
	device_kiosk_cache_clear();
	assert_int_equal(device_kiosk_check(e->s, token, &got_k, &got_s), ERR_UNAUTH);
	assert_int_equal(device_kiosk_check(e->s, token2, &got_k, &got_s), ERR_OK);
	assert_int_equal(got_k, kid2);

	/* A kiosk for a site that does not exist is refused by the database. */
	char *t3 = NULL;
	int64_t kid3 = 0;
	assert_int_not_equal(device_kiosk_add(e->s, 424242, &t3, &kid3), ERR_OK);
	assert_null(t3);
	vault_wipe_free(token);
	vault_wipe_free(token2);
}

/* ---- audit ---- */

static void append_five(struct env *e)
{
	struct store_conn *c = store_acquire(e->s);
	for (int i = 1; i <= 5; i++) {
		char detail[32];
		snprintf(detail, sizeof detail, "detail %d", i);
		assert_int_equal(audit_append(c, e->v, "user:1", "child.read", "child:7", detail),
				 ERR_OK);
	}
	store_release(c);
}

static void test_audit_verify_ok(void **state)
{
	struct env *e = *state;
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	assert_int_equal(n, 0);
	append_five(e);
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(bad, 0);
	/* Chained: each prev is the hash before it, starting from genesis. */
	assert_int_equal(query_int(e->s,
				   "SELECT COUNT(*) FROM audit a JOIN audit b ON b.id = a.id "
				   "+ 1 WHERE b.prev = a.hash",
				   NULL),
			 4);
	assert_int_equal(
	    query_int(e->s, "SELECT COUNT(*) FROM audit WHERE id = 1 AND prev = ?", "genesis"), 1);

	/* In the caller's transaction: a rollback takes the entry with it. */
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(audit_append(c, e->v, "user:1", "x", "y", "z"), ERR_OK);
	assert_int_equal(store_in_tx(c), 1);
	store_rollback(c);
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(audit_append(c, e->v, "user:1", "x", "y", "kept"), ERR_OK);
	assert_int_equal(store_commit(c), ERR_OK);
	store_release(c);
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	assert_int_equal(n, 6);

	/* A vault with another key cannot vouch for the chain. */
	char *key2 = xasprintf("%s/other.key", e->dir);
	char *db2 = xasprintf("%s/other.sqlite", e->dir);
	struct store *s2 = NULL;
	struct vault *v2 = NULL;
	assert_int_equal(store_open(db2, 1, 1, &s2), ERR_OK);
	assert_int_equal(vault_create(key2, s2), ERR_OK);
	assert_int_equal(vault_open(key2, s2, &v2), ERR_OK);
	assert_int_equal(audit_verify(e->s, v2, &bad, &n), ERR_CRYPTO);
	assert_int_equal(bad, 1);
	vault_free(v2);
	store_close(s2);
	free(key2);
	free(db2);
}

/* Appends one entry at time at_ms (the clock set for it). */
static void append_at(struct env *e, int64_t at_ms, const char *detail)
{
	struct store_conn *c = store_acquire(e->s);
	clock_set_now_ms(at_ms);
	assert_int_equal(audit_append(c, e->v, "user:1", "child.read", "child:7", detail), ERR_OK);
	store_release(c);
}

/* Prunes entries before before_ms in one transaction; returns how many went. */
static int64_t prune(struct env *e, int64_t before_ms)
{
	int64_t n = -1;
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(store_begin(c), ERR_OK);
	enum err r = audit_prune(c, e->v, before_ms, before_ms + 1000, &n);
	if (r == ERR_OK)
		assert_int_equal(store_commit(c), ERR_OK);
	else
		store_rollback(c);
	store_release(c);
	assert_int_equal(r, ERR_OK);
	return n;
}

static void test_audit_prune_checkpoint(void **state)
{
	struct env *e = *state;
	const int64_t t0 = 1800000000000LL, day = 86400000LL;
	struct audit_verified r;
	int64_t bad = -1, n = -1;
	for (int i = 0; i < 6; i++)
		append_at(e, t0 + i * day, "x");
	/* Nothing older than the first entry: nothing pruned, no checkpoint. */
	assert_int_equal(prune(e, t0), 0);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM audit_checkpoints", NULL), 0);
	/* Entries 1-3 go behind a checkpoint; verify proves 4-6 from it. */
	assert_int_equal(prune(e, t0 + 3 * day), 3);
	assert_int_equal(query_int(e->s, "SELECT MIN(id) FROM audit", NULL), 4);
	assert_int_equal(audit_verify_full(e->s, e->v, &r), ERR_OK);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.checkpoint.last_id, 3);
	/* Appending goes on from the chain's head. */
	append_at(e, t0 + 7 * day, "y");
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	assert_int_equal(n, 4);
	/* An entry after a clock moved back is never pruned while an older one stays. */
	append_at(e, t0 + 1 * day, "back");
	assert_int_equal(prune(e, t0 + 6 * day + 1), 3); /* 4, 5, 6; not 7 nor 8 */
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM audit", NULL), 2);
	assert_int_equal(audit_verify_full(e->s, e->v, &r), ERR_OK);
	assert_int_equal(r.checkpoint.id, 2);
	assert_int_equal(r.count, 2);
	/* The database keeps entries no checkpoint covers, and the checkpoints. */
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(store_exec(c, "DELETE FROM audit WHERE id = 7"), ERR_DB);
	assert_int_equal(store_exec(c, "DELETE FROM audit_checkpoints"), ERR_DB);
	assert_int_equal(store_exec(c, "UPDATE audit_checkpoints SET pruned = 9"), ERR_DB);
	store_release(c);
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	/* Every entry pruned: the next one goes on from the checkpoint, not from genesis. */
	assert_int_equal(prune(e, t0 + 30 * day), 2);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM audit", NULL), 0);
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	append_at(e, t0 + 31 * day, "after");
	assert_int_equal(query_int(e->s, "SELECT MIN(id) FROM audit", NULL), 9);
	assert_int_equal(audit_verify_full(e->s, e->v, &r), ERR_OK);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.checkpoint.id, 3);
}

static void test_audit_checkpoint_forged(void **state)
{
	struct env *e = *state;
	const int64_t t0 = 1800000000000LL, day = 86400000LL;
	struct audit_verified r;
	for (int i = 0; i < 4; i++)
		append_at(e, t0 + i * day, "x");
	assert_int_equal(prune(e, t0 + 2 * day), 2);
	exec_ok(e->s, "DROP TRIGGER audit_checkpoints_no_update");
	/* A checkpoint moved to hide an entry (the chain would start elsewhere) */
	exec_ok(e->s, "UPDATE audit_checkpoints SET last_id = 1");
	assert_int_equal(audit_verify_full(e->s, e->v, &r), ERR_CRYPTO);
	assert_int_equal(r.bad_checkpoint, 1);
	/* … and a pruning refuses to chain to it */
	struct store_conn *c = store_acquire(e->s);
	int64_t n = -1;
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(audit_prune(c, e->v, t0 + 4 * day, t0 + 4 * day, &n), ERR_CRYPTO);
	store_rollback(c);
	store_release(c);
	exec_ok(e->s, "UPDATE audit_checkpoints SET last_id = 2");
	assert_int_equal(audit_verify_full(e->s, e->v, &r), ERR_OK);
	/* The hash it hands on, or its MAC, forged */
	exec_ok(e->s, "UPDATE audit_checkpoints SET last_hash = (SELECT hash FROM audit WHERE id = 3)");
	assert_int_equal(audit_verify_full(e->s, e->v, &r), ERR_CRYPTO);
	assert_int_equal(r.bad_checkpoint, 1);
}

static void test_audit_action_class(void **state)
{
	(void)state;
	assert_int_equal(audit_action_class("board.read"), 'r');
	assert_int_equal(audit_action_class("mail.send.view"), 'r');
	assert_int_equal(audit_action_class("mail.bouncing.list"), 'r');
	assert_int_equal(audit_action_class("centre.day_read"), 'r');
	assert_int_equal(audit_action_class("report.export"), 'e');
	assert_int_equal(audit_action_class("card.sheet"), 'e');
	assert_int_equal(audit_action_class("school.letter"), 'e');
	assert_int_equal(audit_action_class("denied"), 'd');
	assert_int_equal(audit_action_class("signin.locked"), 'd');
	assert_int_equal(audit_action_class("signin.ok"), 'c');
	assert_int_equal(audit_action_class("scan.record"), 'c');
	/* Reads the words do not tell (a tester's reads of cases counted as changes). */
	assert_int_equal(audit_action_class("casework.open"), 'r');
	assert_int_equal(audit_action_class("casework.break_glass"), 'r');
	assert_int_equal(audit_action_class("casework.break_glass_reviewed"), 'c');
	assert_int_equal(audit_action_class("plaza.user"), 'r');
	assert_int_equal(audit_action_class("plaza.user_update"), 'c');
	assert_int_equal(audit_action_class("homehelp.follow_ups"), 'r');
	assert_int_equal(audit_action_class("homehelp.supporters"), 'r');
	assert_int_equal(audit_action_class("centre.statements"), 'c');
}

static void test_audit_append_only(void **state)
{
	struct env *e = *state;
	append_five(e);
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(store_exec(c, "UPDATE audit SET detail = 'forged' WHERE id = 3"), ERR_DB);
	assert_int_equal(store_exec(c, "DELETE FROM audit WHERE id = 5"), ERR_DB);
	store_release(c);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM audit WHERE detail = ?", "forged"),
			 0);
	int64_t bad = -1, n = 0;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	assert_int_equal(n, 5);
}

static void test_audit_tamper_detail(void **state)
{
	struct env *e = *state;
	append_five(e);
	exec_ok(e->s, "DROP TRIGGER audit_no_update");
	exec_ok(e->s, "UPDATE audit SET detail = 'forged' WHERE id = 3");
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
	assert_int_equal(bad, 3);
}

static void test_audit_tamper_rehash(void **state)
{
	struct env *e = *state;
	append_five(e);
	/* Rewriting an entry's time, or its hash and the next prev, still breaks the chain. */
	exec_ok(e->s, "DROP TRIGGER audit_no_update");
	exec_ok(e->s, "UPDATE audit SET at_ms = at_ms + 1 WHERE id = 2");
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
	assert_int_equal(bad, 2);
	exec_ok(e->s, "UPDATE audit SET at_ms = at_ms - 1 WHERE id = 2");
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_OK);
	exec_ok(e->s, "UPDATE audit SET actor = 'user:2', hash = (SELECT hash FROM audit "
		      "WHERE id = 1) WHERE id = 4");
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
	assert_int_equal(bad, 4);
}

static void test_audit_delete_middle(void **state)
{
	struct env *e = *state;
	append_five(e);
	exec_ok(e->s, "DROP TRIGGER audit_no_delete");
	exec_ok(e->s, "DELETE FROM audit WHERE id = 3");
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
	assert_int_equal(bad, 4); /* the entry that follows the removed one */
}

static void test_audit_delete_tail(void **state)
{
	struct env *e = *state;
	append_five(e);
	exec_ok(e->s, "DROP TRIGGER audit_no_delete");
	exec_ok(e->s, "DELETE FROM audit WHERE id = 5");
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
	/* audit.h: for a cut tail, the id after the last entry left (the first missing). */
	assert_int_equal(bad, 5);
}

static void test_audit_delete_tail_forged_head(void **state)
{
	struct env *e = *state;
	append_five(e);
	exec_ok(e->s, "DROP TRIGGER audit_no_delete");
	exec_ok(e->s, "DELETE FROM audit WHERE id = 5");
	/* Someone with the file but not the key moves the head back to entry 4. */
	exec_ok(e->s, "UPDATE meta SET value = (SELECT '4:' || hash FROM audit WHERE id = 4) "
		      "WHERE key = 'audit_head'");
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
	assert_int_equal(bad, 5);
}

static void test_audit_delete_all(void **state)
{
	struct env *e = *state;
	append_five(e);
	exec_ok(e->s, "DROP TRIGGER audit_no_delete");
	exec_ok(e->s, "DELETE FROM audit");
	int64_t bad = -1, n = -1;
	assert_int_equal(audit_verify(e->s, e->v, &bad, &n), ERR_CRYPTO);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test_setup_teardown(test_user_add_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_add_duplicate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_add_password_counts_characters, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_user_load, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sign_in, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sign_in_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sign_in_lockout, setup, teardown),
	    cmocka_unit_test(test_password_rules),
	    cmocka_unit_test_setup_teardown(test_user_add_refuses_weak, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sign_in_spraying, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sign_in_device_cookie, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_stores_hash_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_sweep, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_verify_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_prune_checkpoint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_checkpoint_forged, setup, teardown),
	    cmocka_unit_test(test_audit_action_class),
	    cmocka_unit_test_setup_teardown(test_audit_append_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_tamper_detail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_tamper_rehash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_delete_middle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_delete_tail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_delete_tail_forged_head, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_delete_all, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
