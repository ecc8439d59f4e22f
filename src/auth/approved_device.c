/* SPDX-License-Identifier: MIT */
/* approved_device.c — enrolment requests, the ward's approval and revocation, and the check of
 * a device's credential on each sign-in and request. */
#include "auth/approved_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define LABEL_FIELD "approved_devices.label"

static const char *state_of(int64_t approved_ms, int64_t revoked_ms)
{
	return revoked_ms ? "revoked" : approved_ms ? "approved" : "pending";
}

/* The printable ASCII of agent (control and non-ASCII bytes become '?'), at most 200 bytes. */
static void clean_agent(const char *agent, char out[201])
{
	size_t n = 0;
	for (const char *p = agent ? agent : ""; *p && n < 200; p++)
		out[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	out[n] = '\0';
}

#define DEVICE_COLUMNS                                                                        \
	"SELECT d.id, d.user_id, u.login, u.role, d.label, d.code, d.agent, d.requested_ms, "  \
	"COALESCE(d.approved_ms, 0), COALESCE(d.revoked_ms, 0), d.last_used_ms, "              \
	"COALESCE(d.approved_by, 0) FROM approved_devices d JOIN users u ON u.id = d.user_id "

/* Fills *d from a row of DEVICE_COLUMNS (label unsealed with v). */
static enum err read_row(struct store_stmt *st, const struct vault *v, struct approved_device *d)
{
	size_t len = 0;
	char *label = NULL;
	memset(d, 0, sizeof *d);
	d->id = store_col_int(st, 0);
	d->user_id = store_col_int(st, 1);
	snprintf(d->login, sizeof d->login, "%s", store_col_text(st, 2));
	snprintf(d->role, sizeof d->role, "%s", store_col_text(st, 3));
	const void *b = store_col_blob(st, 4, &len);
	enum err e = vault_unseal(v, LABEL_FIELD, b, len, &label);
	if (e != ERR_OK)
		return e;
	snprintf(d->label, sizeof d->label, "%s", label);
	vault_wipe_free(label);
	snprintf(d->code, sizeof d->code, "%s", store_col_text(st, 5));
	snprintf(d->agent, sizeof d->agent, "%s", store_col_text(st, 6));
	d->requested_ms = store_col_int(st, 7);
	d->approved_ms = store_col_int(st, 8);
	d->revoked_ms = store_col_int(st, 9);
	d->last_used_ms = store_col_int(st, 10);
	d->approved_by = store_col_int(st, 11);
	d->state = state_of(d->approved_ms, d->revoked_ms);
	return ERR_OK;
}

enum err approved_device_request(struct store *s, const struct vault *v, const char *actor,
				 int64_t user_id, const char *label, const char *agent,
				 char **token, struct approved_device *out)
{
	unsigned char h[VAULT_HASH_LEN];
	char code[8], object[48], ua[201];
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	char *t = NULL;
	enum err e = ERR_INVALID;
	*token = NULL;
	if (!label || text_line_check(label, APPROVED_DEVICE_LABEL_MAX) != TEXT_OK)
		return ERR_INVALID;
	clean_agent(agent, ua);
	snprintf(code, sizeof code, "%06u", (unsigned)vault_random_uniform(1000000));
	t = vault_token(32);
	vault_hash(t, strlen(t), h);
	c = store_acquire(s);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "SELECT COUNT(*) FROM approved_devices WHERE user_id = ? AND "
			      "approved_ms IS NULL AND revoked_ms IS NULL");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, user_id);
	if (store_step(st) != STORE_ROW)
		goto out;
	int64_t pending = store_col_int(st, 0);
	store_finish(st);
	st = NULL;
	if (pending >= APPROVED_DEVICE_PENDING_MAX) {
		e = ERR_TOOMANY;
		goto out;
	}
	st = store_prepare(c, "INSERT INTO approved_devices(user_id, token_hash, label, code, agent, "
			      "requested_ms) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		goto out;
	store_bind_int(st, 1, user_id);
	store_bind_blob(st, 2, h, sizeof h);
	vault_bind_sealed(v, st, 3, LABEL_FIELD, label);
	store_bind_text(st, 4, code);
	store_bind_text(st, 5, ua);
	store_bind_int(st, 6, clock_now_ms());
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	int64_t id = store_last_id(c);
	snprintf(object, sizeof object, "device:%lld", (long long)id);
	char detail[48];
	snprintf(detail, sizeof detail, "user:%lld", (long long)user_id);
	e = audit_append(c, v, actor, "device.request", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, DEVICE_COLUMNS "WHERE d.id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW)
		e = read_row(st, v, out);
out:
	store_finish(st);
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	if (e == ERR_OK)
		*token = t;
	else
		vault_wipe_free(t);
	return e;
}

enum err approved_device_of_token(struct store *s, const struct vault *v, const char *token,
				  struct approved_device *out)
{
	unsigned char h[VAULT_HASH_LEN];
	if (!token || !*token || strlen(token) > 128)
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), h);
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(c, DEVICE_COLUMNS "WHERE d.token_hash = ?");
	enum err e = ERR_DB;
	if (st) {
		store_bind_blob(st, 1, h, sizeof h);
		int rc = store_step(st);
		e = rc == STORE_ROW ? read_row(st, v, out) : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	return e;
}

enum err approved_device_check(struct store *s, const char *token, int64_t user_id)
{
	unsigned char h[VAULT_HASH_LEN];
	if (!token || !*token || strlen(token) > 128)
		return ERR_FORBIDDEN;
	vault_hash(token, strlen(token), h);
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM approved_devices WHERE token_hash = ? AND user_id = ? AND "
	       "approved_ms IS NOT NULL AND revoked_ms IS NULL");
	enum err e = ERR_DB;
	if (st) {
		store_bind_blob(st, 1, h, sizeof h);
		store_bind_int(st, 2, user_id);
		int rc = store_step(st);
		e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_FORBIDDEN : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	return e;
}

enum err approved_device_used(struct store *s, const char *token)
{
	unsigned char h[VAULT_HASH_LEN];
	if (!token || !*token || strlen(token) > 128)
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), h);
	struct store_conn *c = store_acquire(s);
	enum err e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE approved_devices SET last_used_ms = ? WHERE token_hash = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_blob(st, 2, h, sizeof h);
	e = store_run(st);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err approved_device_list(struct store *s, const struct vault *v,
			      struct approved_device **rows, size_t *n)
{
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(
	    c, DEVICE_COLUMNS "ORDER BY (d.approved_ms IS NULL AND d.revoked_ms IS NULL) DESC, "
			      "d.requested_ms DESC, d.id DESC LIMIT 1000");
	size_t cap = 16, k = 0;
	struct approved_device *out = xcalloc(cap, sizeof *out);
	enum err e = ERR_DB;
	int rc = 0;
	if (!st)
		goto out;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (k == cap) {
			cap *= 2;
			out = xrealloc(out, cap * sizeof *out);
		}
		e = read_row(st, v, &out[k]);
		if (e != ERR_OK)
			goto out;
		k++;
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		free(out);
		return e;
	}
	*rows = out;
	*n = k;
	return ERR_OK;
}

enum err approved_device_decide(struct store *s, const struct vault *v, const char *actor,
				int64_t admin_id, int64_t id, int approve)
{
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = NULL;
	char object[48], detail[48];
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "SELECT COALESCE(approved_ms, 0), COALESCE(revoked_ms, 0), user_id "
			      "FROM approved_devices WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	int64_t approved = store_col_int(st, 0), revoked = store_col_int(st, 1);
	int64_t uid = store_col_int(st, 2);
	store_finish(st);
	st = NULL;
	if (revoked || (approve && approved)) {
		e = ERR_CONFLICT;
		goto out;
	}
	st = store_prepare(c, approve ? "UPDATE approved_devices SET approved_ms = ?, "
					"approved_by = ? WHERE id = ?"
				      : "UPDATE approved_devices SET revoked_ms = ?, revoked_by = ? "
					"WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_int(st, 2, admin_id);
	store_bind_int(st, 3, id);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "device:%lld", (long long)id);
	snprintf(detail, sizeof detail, "user:%lld", (long long)uid);
	e = audit_append(c, v, actor, approve ? "device.approve" : "device.revoke", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
