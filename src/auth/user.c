/* SPDX-License-Identifier: MIT */
/* user.c — staff accounts with argon2id passwords, growing delay and lockout (per account for
 * unknown clients, per device for clients holding a device cookie), per-address throttle. */
#include "auth/user.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/lock_alert.h"
#include "auth/password_term.h"
#include "auth/signin_device.h"
#include "auth/totp_store.h"
#include "auth/throttle.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

/* A dummy hash so that an unknown login costs the same as a wrong password. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char *dummy_hash;

static void dummy_init(void)
{
	char *pw = vault_token(24);
	if (vault_password_hash(pw, &dummy_hash) != ERR_OK)
		dummy_hash = NULL;
	vault_wipe_free(pw);
}

static int login_ok(const char *l)
{
	size_t n = strlen(l);
	if (n < 2 || n > 60)
		return 0;
	for (const char *p = l; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

enum err user_add(struct store *s, const struct vault *v, const char *login, const char *role,
		  const char *const *sites, size_t nsites, const char *password, const char **why)
{
	enum err e = ERR_INVALID;
	char *hash = NULL;
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum role r = role_parse(role);
	*why = NULL;
	if (!login_ok(login)) {
		*why = "ログイン名は2〜60文字の半角英数字と「-」「_」「.」で付けてください。";
		goto out;
	}
	if (r == ROLE_NONE) {
		*why = "権限は ward_admin、ward_staff、contractor、site_staff、school_admin、sender、"
		       "bath_office、bath_branch、grant_operator、grant_supervisor、grant_staff、"
		       "grant_approver、plaza_staff、youth_worker、youth_supervisor、centre_staff、"
		       "centre_manager、centre_parent、course_staff のいずれかです。";
		goto out;
	}
	if (r == ROLE_SITE_STAFF && nsites == 0) {
		*why = "施設職員（site_staff）には施設を1つ以上指定してください（--site）。";
		goto out;
	}
	if (r != ROLE_SITE_STAFF && nsites > 0) {
		*why = "施設を指定できるのは施設職員（site_staff）だけです。";
		goto out;
	}
	if (nsites > USER_MAX_SITES) {
		*why = "指定した施設が多すぎます。";
		goto out;
	}
	*why = auth_password_refusal(password, login, sites, nsites);
	if (*why)
		goto out;
	e = vault_password_hash(password, &hash);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(s);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO users(login, role, password_hash, created_ms) "
			      "VALUES (?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, login);
	store_bind_text(st, 2, role);
	store_bind_text(st, 3, hash);
	store_bind_int(st, 4, clock_now_ms());
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_CONFLICT)
		*why = "そのログイン名の利用者はすでにいます。";
	if (e != ERR_OK)
		goto out;
	int64_t uid = store_last_id(c);
	for (size_t i = 0; i < nsites; i++) {
		st = store_prepare(c, "INSERT INTO user_sites(user_id, site_id) "
				      "SELECT ?, id FROM sites WHERE code = ?");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, uid);
		store_bind_text(st, 2, sites[i]);
		e = store_run(st);
		store_finish(st);
		st = NULL;
		if (e == ERR_OK && store_changes(c) != 1) {
			e = ERR_INVALID;
			*why = "その施設コードの施設はありません。";
		}
		if (e != ERR_OK)
			goto out;
	}
	char object[48];
	snprintf(object, sizeof object, "user:%lld", (long long)uid);
	e = audit_append(c, v, "cli", "user.add", object, role);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	vault_wipe_free(hash);
	return e;
}

static enum err load_sites(struct store_conn *c, struct user *u)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.id, s.code FROM user_sites us JOIN sites s ON s.id = us.site_id "
	       "WHERE us.user_id = ? ORDER BY s.code");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, u->id);
	u->nsites = 0;
	while (store_step(st) == STORE_ROW && u->nsites < USER_MAX_SITES) {
		u->site_ids[u->nsites] = store_col_int(st, 0);
		snprintf(u->site_codes[u->nsites], sizeof u->site_codes[0], "%s",
			 store_col_text(st, 1));
		u->nsites++;
	}
	store_finish(st);
	return ERR_OK;
}

enum err user_load(struct store *s, int64_t id, struct user *u)
{
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT login, role, must_change_password, CASE WHEN password_changed_ms > "
	       "created_ms THEN password_changed_ms ELSE created_ms END "
	       "FROM users WHERE id = ? AND disabled = 0");
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	memset(u, 0, sizeof *u);
	u->id = id;
	snprintf(u->login, sizeof u->login, "%s", store_col_text(st, 0));
	u->role = role_parse(store_col_text(st, 1));
	u->must_change_password = (int)store_col_int(st, 2);
	/* Roles whose passwords must be changed each school term (password_term.h). */
	u->password_term_due = auth_password_term_due(u->role, store_col_int(st, 3), clock_now_ms());
	if (u->password_term_due)
		u->must_change_password = 1;
	store_finish(st);
	st = NULL;
	if (u->role & ROLE_SECOND_FACTOR) {
		int enrolled = 0;
		e = totp_enrolled(c, id, &enrolled);
		if (e != ERR_OK)
			goto out;
		u->totp_due = !enrolled;
	}
	e = load_sites(c, u);
out:
	store_finish(st);
	store_release(c);
	return e;
}

/* Delay before the next attempt after n consecutive failures: none for the first two, then
 * 1 s, 2 s, 4 s … capped at 60 s. */
static int64_t delay_after(int64_t n)
{
	if (n < 3)
		return 0;
	int64_t d = 1000;
	for (int64_t i = 3; i < n && d < 60000; i++)
		d *= 2;
	return d < 60000 ? d : 60000;
}

/* Failures for logins that do not exist, kept in memory (a fixed table: guessing names cannot
 * grow it), so that an unknown login is throttled exactly like a known one and a 429 does not
 * tell which logins exist. Runs under the write turn, like the counters in the users table. */
#define GHOST_SLOTS 256
static struct {
	unsigned char key[VAULT_HASH_LEN];
	int64_t failed, last_failed;
} ghosts[GHOST_SLOTS];

static size_t ghost_slot(const char *login, unsigned char key[VAULT_HASH_LEN])
{
	vault_hash(login, strlen(login), key);
	size_t slot = key[0] % GHOST_SLOTS;
	if (!vault_equal(ghosts[slot].key, key, VAULT_HASH_LEN)) {
		memcpy(ghosts[slot].key, key, VAULT_HASH_LEN);
		ghosts[slot].failed = 0;
		ghosts[slot].last_failed = 0;
	}
	return slot;
}

/* Charges one failed attempt to user id before its password is checked: requests arriving
 * together each see the others' attempts, so parallel guessing gains nothing. */
static enum err charge_attempt(struct store_conn *c, int64_t id, int64_t now)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE users SET failed_count = failed_count + 1, last_failed_ms = ?2, "
	       "locked_until_ms = CASE WHEN failed_count + 1 >= ?3 THEN ?2 + ?4 "
	       "ELSE locked_until_ms END WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, USER_LOCK_AFTER);
	store_bind_int(st, 4, USER_LOCK_MS);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* When counters k let the next attempt through: the lock's end or the growing delay's. */
static int64_t next_attempt_at(const struct signin_counters *k)
{
	int64_t delayed = k->last_failed + delay_after(k->failed);
	return k->locked_until > delayed ? k->locked_until : delayed;
}

/* The account of login on c: *id (0 when there is none or it is disabled), its password hash
 * (*hash, malloc'd), counters and role; a disabled account's hash goes to *stopped_hash
 * (malloc'd) instead, and nothing else of it is read. */
static enum err find_account(struct store_conn *c, const char *login, int64_t *id, char **hash,
			     char **stopped_hash, struct signin_counters *k, char role[32])
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, password_hash, failed_count, last_failed_ms, locked_until_ms, role, "
	       "disabled FROM users WHERE login = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, login);
	int rc = store_step(st);
	if (rc == STORE_ROW && store_col_int(st, 6)) {
		/* A stopped account signs in as no one; only its own password learns why. */
		*stopped_hash = xstrdup(store_col_text(st, 1));
	} else if (rc == STORE_ROW) {
		*id = store_col_int(st, 0);
		*hash = xstrdup(store_col_text(st, 1));
		k->failed = store_col_int(st, 2);
		k->last_failed = store_col_int(st, 3);
		k->locked_until = store_col_int(st, 4);
		snprintf(role, 32, "%s", store_col_text(st, 5));
	}
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

static enum err reset_account(struct store_conn *c, int64_t id)
{
	struct store_stmt *st = store_prepare(c, "UPDATE users SET failed_count = 0, "
						 "last_failed_ms = 0, locked_until_ms = 0 "
						 "WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err user_sign_in_ex(struct store *s, const struct vault *v, const char *login,
			 const char *password, const struct user_sign_in_ctx *ctx, struct user *u,
			 struct user_sign_in_out *out)
{
	enum err e = ERR_DB;
	struct store_conn *c = store_acquire(s);
	struct signin_counters acct = {0, 0, 0}, dev = {0, 0, 0};
	unsigned char dev_hash[VAULT_HASH_LEN];
	int64_t now = clock_now_ms(), id = 0;
	char *hash = NULL, *stopped_hash = NULL, role[32] = "";
	char object[96];
	int ok = 0, trusted = 0, stopped = 0;
	size_t ghost = 0;
	memset(out, 0, sizeof *out);
	snprintf(object, sizeof object, "login:%.60s", login_ok(login) ? login : "(invalid)");
	pthread_once(&dummy_once, dummy_init);
	/* Read the counters and charge this attempt in one write transaction. */
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	now = clock_now_ms(); /* after waiting for the turn: earlier attempts may have just written */
	e = find_account(c, login, &id, &hash, &stopped_hash, &acct, role);
	if (e == ERR_OK && id && ctx->device)
		e = signin_device_find(c, id, ctx->device, now, &trusted, dev_hash, &dev);
	if (e != ERR_OK)
		goto out;
	if (!id) {
		/* Protected by the write turn taken above. */
		unsigned char key[VAULT_HASH_LEN];
		ghost = ghost_slot(login, key);
		acct.failed = ghosts[ghost].failed;
		acct.last_failed = ghosts[ghost].last_failed;
		acct.locked_until = acct.failed >= USER_LOCK_AFTER ? acct.last_failed + USER_LOCK_MS : 0;
	}
	/* A client that signed in to this account before is held only by its own counters; any
	 * other is held by the account's and by its address's. */
	const struct signin_counters *k = trusted ? &dev : &acct;
	int64_t until = next_attempt_at(k);
	int64_t addr_wait = trusted ? 0 : auth_throttle_wait(ctx->client_addr, clock_mono_ms());
	if (until > now || addr_wait > 0) {
		out->retry_ms = until - now > addr_wait ? until - now : addr_wait;
		out->by_address = until <= now;
		e = audit_append(c, v, object, "signin.throttled", object,
				 until > now ? (trusted ? "device" : "") : "address");
		if (e == ERR_OK)
			e = store_commit(c);
		if (e == ERR_OK)
			e = ERR_TOOMANY;
		goto out;
	}
	if (trusted) {
		e = signin_device_charge(c, dev_hash, now, USER_LOCK_AFTER, USER_LOCK_MS);
	} else if (id) {
		e = charge_attempt(c, id, now);
		/* This attempt locks the account if it fails: say so now, in the same commit (the
		 * counter stays charged whatever the password). */
		if (e == ERR_OK && acct.failed + 1 >= USER_LOCK_AFTER)
			out->locked = 1;
	} else {
		ghosts[ghost].failed++;
		ghosts[ghost].last_failed = now;
	}
	if (e != ERR_OK)
		goto out;
	e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	/* The slow argon2id check runs outside the write transaction. An unknown login costs
	 * the same work. */
	if (hash)
		ok = vault_password_verify(hash, password) && id;
	else if (stopped_hash)
		stopped = vault_password_verify(stopped_hash, password);
	else if (dummy_hash)
		(void)vault_password_verify(dummy_hash, password);
	if (ok)
		out->locked = 0; /* the right password: the charge is undone below, no lock */
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	if (ok && trusted)
		e = signin_device_reset(c, dev_hash, now);
	else if (ok)
		e = reset_account(c, id);
	if (e == ERR_OK && ok && !trusted)
		e = signin_device_issue(c, id, now, &out->device_token);
	if (e == ERR_OK && out->locked) {
		char detail[64];
		snprintf(detail, sizeof detail, "user:%lld %lld failures", (long long)id,
			 (long long)acct.failed + 1);
		e = audit_append(c, v, object, "signin.locked", object, detail);
		if (e == ERR_OK && ctx->alert_to && ctx->alert_to[0])
			e = auth_lock_alert(c, v, ctx->alert_to, id, role, acct.failed + 1, now);
	}
	if (e == ERR_OK)
		e = audit_append(c, v, object, ok ? "signin.ok" : "signin.fail", object,
				 ok ? (trusted ? "device" : "")
				    : (id ? (trusted ? "bad password (device)" : "bad password")
					  : (stopped ? "stopped account" : "unknown login")));
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	if (!ok) {
		if (!trusted)
			auth_throttle_fail(ctx->client_addr, clock_mono_ms());
		e = ERR_UNAUTH;
		out->stopped = stopped;
		goto out;
	}
	store_release(c);
	c = NULL;
	e = user_load(s, id, u);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	if (e != ERR_OK) {
		vault_wipe_free(out->device_token);
		out->device_token = NULL;
		if (e != ERR_UNAUTH)
			out->locked = 0;
	}
	vault_wipe_free(hash);
	vault_wipe_free(stopped_hash);
	return e;
}

enum err user_sign_in(struct store *s, const struct vault *v, const char *login,
		      const char *password, struct user *u, int64_t *retry_ms)
{
	struct user_sign_in_ctx ctx = {NULL, NULL, NULL};
	struct user_sign_in_out out;
	enum err e = user_sign_in_ex(s, v, login, password, &ctx, u, &out);
	*retry_ms = out.retry_ms;
	vault_wipe_free(out.device_token);
	return e;
}

int user_can_see_site(const struct user *u, int64_t site_id)
{
	if (!(u->role & ROLE_ANY_USER))
		return 0; /* the school staff see no club's site */
	if (u->role != ROLE_SITE_STAFF)
		return 1;
	for (size_t i = 0; i < u->nsites; i++)
		if (u->site_ids[i] == site_id)
			return 1;
	return 0;
}

int user_login_ok(const char *login)
{
	return login_ok(login);
}
