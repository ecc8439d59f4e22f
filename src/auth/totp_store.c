/* SPDX-License-Identifier: MIT */
/* totp_store.c — an account's authenticator in user_totp (the secret sealed under the platform
 * key), its recovery codes in user_totp_recovery (keyed blind indexes only) and the sign-ins
 * waiting for a code in totp_challenges (token hashes only). */
#include "auth/totp_store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/totp.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define SECRET_FIELD "user_totp.secret"
#define RECOVERY_DOMAIN "user_totp_recovery"
/* Recovery codes' 31 symbols: lower-case letters and digits without 0/o, 1/l/i (10 of them
 * carry 49.5 bits). */
static const char symbols[] = "abcdefghjkmnpqrstuvwxyz23456789";

struct factor {
	unsigned char *secret; /* malloc'd, wiped by factor_clear */
	size_t len;
	int confirmed;
	int64_t last_step, failed, locked_until;
};

static void factor_clear(struct factor *f)
{
	if (f->secret) {
		vault_wipe(f->secret, f->len);
		free(f->secret);
	}
	f->secret = NULL;
}

/* Reads uid's row into *f. ERR_NOTFOUND when there is none, ERR_CRYPTO when its secret does
 * not open. */
static enum err factor_load(struct store_conn *c, const struct vault *v, int64_t uid,
			    struct factor *f)
{
	memset(f, 0, sizeof *f);
	struct store_stmt *st = store_prepare(
	    c, "SELECT secret, confirmed_ms, last_step, failed_count, locked_until_ms "
	       "FROM user_totp WHERE user_id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, uid);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		size_t n = 0;
		const void *blob = store_col_blob(st, 0, &n);
		f->confirmed = !store_col_is_null(st, 1);
		f->last_step = store_col_int(st, 2);
		f->failed = store_col_int(st, 3);
		f->locked_until = store_col_int(st, 4);
		e = vault_unseal_bytes(v, SECRET_FIELD, blob, n, &f->secret, &f->len);
	}
	store_finish(st);
	return e;
}

static void object_of(int64_t uid, char out[48])
{
	snprintf(out, 48, "user:%lld", (long long)uid);
}

/* The keyed index of uid's recovery code (normalised: lower case, no '-' or spaces). ERR_INVALID
 * when code is not one. */
static enum err recovery_index(const struct vault *v, int64_t uid, const char *code,
			       unsigned char out[VAULT_BLIND_LEN])
{
	char norm[16], text[64];
	size_t n = 0;
	for (const char *p = code; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (n >= 10 || !strchr(symbols, tolower((unsigned char)*p)))
			return ERR_INVALID;
		norm[n++] = (char)tolower((unsigned char)*p);
	}
	if (n != 10)
		return ERR_INVALID;
	norm[n] = '\0';
	snprintf(text, sizeof text, "%lld:%s", (long long)uid, norm);
	vault_blind(v, RECOVERY_DOMAIN, text, out);
	vault_wipe(text, sizeof text);
	vault_wipe(norm, sizeof norm);
	return ERR_OK;
}

/* A new recovery code "xxxxx-xxxxx" (malloc'd). */
static char *recovery_new(void)
{
	char *c = xmalloc(TOTP_RECOVERY_LEN + 1);
	for (int i = 0, j = 0; i < 10; i++) {
		if (i == 5)
			c[j++] = '-';
		c[j++] = symbols[vault_random_uniform(sizeof symbols - 1)];
	}
	c[TOTP_RECOVERY_LEN] = '\0';
	return c;
}

enum err totp_enrol_begin(struct store *s, const struct vault *v, int64_t uid, char **secret_b32)
{
	unsigned char secret[TOTP_SECRET_LEN], *blob = NULL;
	size_t blen = 0;
	struct factor f = {0};
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = NULL;
	char object[48];
	*secret_b32 = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = factor_load(c, v, uid, &f);
	if (e == ERR_OK && f.confirmed) {
		e = ERR_CONFLICT;
		goto out;
	}
	if (e != ERR_OK && e != ERR_NOTFOUND && e != ERR_CRYPTO)
		goto out;
	vault_random(secret, sizeof secret);
	vault_seal(v, SECRET_FIELD, secret, sizeof secret, &blob, &blen);
	e = ERR_DB;
	st = store_prepare(c, "DELETE FROM user_totp WHERE user_id = ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, uid);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	e = ERR_DB;
	st =
	    store_prepare(c, "INSERT INTO user_totp(user_id, secret, created_ms) VALUES (?, ?, ?)");
	if (!st)
		goto out;
	store_bind_int(st, 1, uid);
	store_bind_blob(st, 2, blob, blen);
	store_bind_int(st, 3, clock_now_ms());
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	object_of(uid, object);
	e = audit_append(c, v, object, "totp.enrol_started", object, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK) {
		*secret_b32 = totp_base32(secret, sizeof secret);
		if (!*secret_b32)
			e = ERR_CRYPTO;
	}
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	factor_clear(&f);
	vault_wipe(secret, sizeof secret);
	free(blob);
	return e;
}

enum err totp_enrol_pending(struct store *s, const struct vault *v, int64_t uid, char **secret_b32)
{
	struct factor f;
	struct store_conn *c = store_acquire(s);
	*secret_b32 = NULL;
	enum err e = factor_load(c, v, uid, &f);
	store_release(c);
	if (e == ERR_OK && f.confirmed)
		e = ERR_CONFLICT;
	if (e == ERR_OK) {
		*secret_b32 = totp_base32(f.secret, f.len);
		if (!*secret_b32)
			e = ERR_CRYPTO;
	}
	factor_clear(&f);
	return e;
}

/* Counts a wrong code on uid's row (locking it after TOTP_LOCK_AFTER) and audits it with
 * action; commits. */
static enum err count_failure(struct store_conn *c, const struct vault *v, int64_t uid,
			      const struct factor *f, const char *action)
{
	int64_t failed = f->failed + 1, until = 0;
	char object[48];
	if (failed >= TOTP_LOCK_AFTER) {
		until = clock_now_ms() + TOTP_LOCK_MS;
		failed = 0;
	}
	struct store_stmt *st = store_prepare(
	    c, "UPDATE user_totp SET failed_count = ?, locked_until_ms = ? WHERE user_id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, failed);
	store_bind_int(st, 2, until);
	store_bind_int(st, 3, uid);
	enum err e = store_run(st);
	store_finish(st);
	object_of(uid, object);
	if (e == ERR_OK)
		e = audit_append(c, v, object, action, object, until ? "locked" : "");
	if (e == ERR_OK)
		e = store_commit(c);
	return e;
}

/* Records a good code: its step (no replay; step < 0 for a recovery code keeps the last one),
 * no failures, and with confirm the enrolment's confirmation. */
static enum err mark_success(struct store_conn *c, int64_t uid, int64_t step, int confirm)
{
	struct store_stmt *st = store_prepare(
	    c, step < 0	 ? "UPDATE user_totp SET failed_count = 0, locked_until_ms = 0 "
			   "WHERE user_id = ?"
	       : confirm ? "UPDATE user_totp SET failed_count = 0, locked_until_ms = 0, "
			   "last_step = ?, confirmed_ms = ? WHERE user_id = ?"
			 : "UPDATE user_totp SET failed_count = 0, locked_until_ms = 0, "
			   "last_step = ? WHERE user_id = ?");
	if (!st)
		return ERR_DB;
	int i = 1;
	if (step >= 0)
		store_bind_int(st, i++, step);
	if (step >= 0 && confirm)
		store_bind_int(st, i++, clock_now_ms());
	store_bind_int(st, i, uid);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err totp_enrol_confirm(struct store *s, const struct vault *v, int64_t uid, const char *code,
			    int64_t now_s, char *codes[TOTP_RECOVERY_CODES])
{
	struct factor f = {0};
	struct store_conn *c = store_acquire(s);
	char object[48];
	int64_t step = 0;
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
		codes[i] = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = factor_load(c, v, uid, &f);
	if (e == ERR_OK && f.confirmed)
		e = ERR_CONFLICT;
	if (e != ERR_OK)
		goto out;
	if (f.locked_until > clock_now_ms()) {
		e = ERR_TOOMANY;
		goto out;
	}
	e = totp_check(f.secret, f.len, now_s, code, f.last_step, &step);
	if (e == ERR_UNAUTH || e == ERR_INVALID) {
		enum err ce = count_failure(c, v, uid, &f, "totp.enrol_failed");
		if (ce != ERR_OK)
			e = ce;
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	e = mark_success(c, uid, step, 1);
	struct store_stmt *st = NULL;
	if (e == ERR_OK) {
		st = store_prepare(c, "DELETE FROM user_totp_recovery WHERE user_id = ?");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_int(st, 1, uid);
		e = store_run(st);
	}
	store_finish(st);
	st = NULL;
	for (int i = 0; i < TOTP_RECOVERY_CODES && e == ERR_OK; i++) {
		unsigned char idx[VAULT_BLIND_LEN];
		codes[i] = recovery_new();
		recovery_index(v, uid, codes[i], idx);
		st = store_prepare(c,
				   "INSERT INTO user_totp_recovery(code_idx, user_id, created_ms) "
				   "VALUES (?, ?, ?)");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_blob(st, 1, idx, sizeof idx);
		store_bind_int(st, 2, uid);
		store_bind_int(st, 3, clock_now_ms());
		e = store_run(st);
		store_finish(st);
	}
	object_of(uid, object);
	if (e == ERR_OK)
		e = audit_append(c, v, object, "totp.enrolled", object, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	factor_clear(&f);
	if (e != ERR_OK)
		for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
			vault_wipe_free(codes[i]);
			codes[i] = NULL;
		}
	return e;
}

enum err totp_verify(struct store *s, const struct vault *v, int64_t uid, const char *code,
		     int64_t now_s, int *used_recovery, int64_t *retry_ms)
{
	struct factor f = {0};
	struct store_conn *c = store_acquire(s);
	char object[48];
	int64_t step = 0, now_ms = clock_now_ms();
	*used_recovery = 0;
	*retry_ms = 0;
	object_of(uid, object);
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = factor_load(c, v, uid, &f);
	if (e == ERR_OK && !f.confirmed)
		e = ERR_NOTFOUND;
	if (e != ERR_OK)
		goto out;
	if (f.locked_until > now_ms) {
		*retry_ms = f.locked_until - now_ms;
		e = audit_append(c, v, object, "signin.totp_locked", object, "");
		if (e == ERR_OK)
			e = store_commit(c);
		if (e == ERR_OK)
			e = ERR_TOOMANY;
		goto out;
	}
	e = totp_check(f.secret, f.len, now_s, code, f.last_step, &step);
	if (e == ERR_OK) {
		e = mark_success(c, uid, step, 0);
		if (e == ERR_OK)
			e = audit_append(c, v, object, "signin.totp_ok", object, "");
	} else if (e == ERR_INVALID) {
		unsigned char idx[VAULT_BLIND_LEN];
		e = recovery_index(v, uid, code, idx);
		struct store_stmt *st = NULL;
		if (e == ERR_OK) {
			st = store_prepare(
			    c, "UPDATE user_totp_recovery SET used_ms = ? "
			       "WHERE code_idx = ? AND user_id = ? AND used_ms IS NULL");
			e = st ? ERR_OK : ERR_DB;
		}
		if (e == ERR_OK) {
			store_bind_int(st, 1, now_ms);
			store_bind_blob(st, 2, idx, sizeof idx);
			store_bind_int(st, 3, uid);
			e = store_run(st);
		}
		store_finish(st);
		if (e == ERR_OK && store_changes(c) != 1)
			e = ERR_UNAUTH;
		if (e == ERR_INVALID)
			e = ERR_UNAUTH;
		if (e == ERR_OK) {
			*used_recovery = 1;
			e = mark_success(c, uid, -1, 0);
			if (e == ERR_OK)
				e = audit_append(c, v, object, "signin.recovery_used", object, "");
		}
	}
	if (e == ERR_UNAUTH) {
		enum err ce = count_failure(c, v, uid, &f, "signin.totp_fail");
		if (ce != ERR_OK)
			e = ce;
		goto out;
	}
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	factor_clear(&f);
	return e;
}

enum err totp_reset(struct store *s, const struct vault *v, int64_t uid, const char *actor)
{
	static const char *const sqls[] = {"DELETE FROM user_totp_recovery WHERE user_id = ?",
					   "DELETE FROM totp_challenges WHERE user_id = ?",
					   "DELETE FROM user_totp WHERE user_id = ?"};
	struct store_conn *c = store_acquire(s);
	char object[48];
	int had = 0;
	enum err e = store_begin(c);
	for (size_t i = 0; i < sizeof sqls / sizeof *sqls && e == ERR_OK; i++) {
		struct store_stmt *st = store_prepare(c, sqls[i]);
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, uid);
		e = store_run(st);
		store_finish(st);
		if (i == 2 && e == ERR_OK)
			had = store_changes(c) > 0;
	}
	if (e == ERR_OK && !had)
		e = ERR_NOTFOUND;
	object_of(uid, object);
	if (e == ERR_OK)
		e = audit_append(c, v, actor, "totp.reset", object, "lost authenticator");
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err totp_user_id(struct store *s, const char *login, int64_t *uid)
{
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	*uid = 0;
	struct store_stmt *st = store_prepare(c, "SELECT id FROM users WHERE login = ?");
	if (st) {
		store_bind_text(st, 1, login);
		int rc = store_step(st);
		if (rc == STORE_ROW)
			*uid = store_col_int(st, 0);
		e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	return e;
}

enum err totp_challenge_create(struct store *s, int64_t uid, char **token)
{
	unsigned char h[VAULT_HASH_LEN];
	char *t = vault_token(32);
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = NULL;
	*token = NULL;
	vault_hash(t, strlen(t), h);
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	/* Old challenges of anyone are swept where challenges are written anyway. */
	st = store_prepare(c, "DELETE FROM totp_challenges WHERE created_ms < ?");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, now - TOTP_CHALLENGE_MS);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO totp_challenges(token_hash, user_id, created_ms) "
			      "VALUES (?, ?, ?)");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, uid);
	store_bind_int(st, 3, now);
	e = store_run(st);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	if (e == ERR_OK)
		*token = t;
	else
		vault_wipe_free(t);
	return e;
}

enum err totp_challenge_try(struct store *s, const char *token, int64_t *uid)
{
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = NULL;
	*uid = 0;
	vault_hash(token, strlen(token), h);
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = ERR_DB;
	st = store_prepare(c, "SELECT user_id, created_ms, tries FROM totp_challenges "
			      "WHERE token_hash = ?");
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_UNAUTH : ERR_DB;
		goto out;
	}
	int64_t id = store_col_int(st, 0), created = store_col_int(st, 1),
		tries = store_col_int(st, 2);
	store_finish(st);
	int dead = now - created > TOTP_CHALLENGE_MS || tries >= TOTP_CHALLENGE_TRIES;
	st = store_prepare(c, dead ? "DELETE FROM totp_challenges WHERE token_hash = ?"
				   : "UPDATE totp_challenges SET tries = tries + 1 "
				     "WHERE token_hash = ?");
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	e = store_run(st);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && dead)
		e = ERR_UNAUTH;
	if (e == ERR_OK)
		*uid = id;
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

void totp_challenge_done(struct store *s, const char *token)
{
	unsigned char h[VAULT_HASH_LEN];
	struct store_conn *c = store_acquire(s);
	vault_hash(token, strlen(token), h);
	struct store_stmt *st =
	    store_prepare(c, "DELETE FROM totp_challenges WHERE token_hash = ?");
	if (st) {
		store_bind_blob(st, 1, h, sizeof h);
		store_run(st);
	}
	store_finish(st);
	store_release(c);
}
