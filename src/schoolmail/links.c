/* SPDX-License-Identifier: MIT */
/* links.c — the service's links: one-time sign-up links (the reply to an empty mail) and edit
 * links (asked from a footer), stored as hashes; and the footer's token, a keyed MAC of the
 * address and school made when needed and never stored. */
#include "schoolmail/schoolmail.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define F_LINK_EMAIL "school_links.email"
#define EDIT_HOURS 24
#define MAC_HEX 32 /* 128 bits */

static int token_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;
	return n >= 20 && n <= 64 &&
	       strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* Deletes links past their expiry on c (at most a few hundred at a time). */
static enum err purge(struct store_conn *c, int64_t now)
{
	struct store_stmt *st = store_prepare(
	    c, "DELETE FROM school_links WHERE token_hash IN (SELECT token_hash FROM school_links "
	       "WHERE expires_ms < ? LIMIT 500)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, now);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

static enum err insert(struct store_conn *c, const struct vault *v, const char *kind,
		       int64_t school_id, const char *email, int64_t address_id, int hours,
		       char **token)
{
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms();
	char *t = vault_token(32);
	enum err e = purge(c, now);
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	vault_hash(t, strlen(t), h);
	st = store_prepare(c, "INSERT INTO school_links(token_hash, kind, school_id, email_enc, "
			      "address_id, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_text(st, 2, kind);
	if (school_id)
		store_bind_int(st, 3, school_id);
	else
		store_bind_null(st, 3);
	if (email)
		vault_bind_sealed(v, st, 4, F_LINK_EMAIL, email);
	else
		store_bind_null(st, 4);
	if (address_id)
		store_bind_int(st, 5, address_id);
	else
		store_bind_null(st, 5);
	store_bind_int(st, 6, now);
	store_bind_int(st, 7, now + (int64_t)hours * 3600 * 1000);
	e = store_run(st);
out:
	store_finish(st);
	if (e == ERR_OK)
		*token = t;
	else
		vault_wipe_free(t);
	return e;
}

enum err schoolmail_signup_link(struct store_conn *c, const struct vault *v, int64_t school_id,
				const char *email, int hours, char **token)
{
	return insert(c, v, "signup", school_id, email, 0, hours, token);
}

enum err schoolmail_edit_link(struct store_conn *c, int64_t address_id, char **token)
{
	return insert(c, NULL, "edit", 0, NULL, address_id, EDIT_HOURS, token);
}

enum err schoolmail_link_find(struct store_conn *c, const struct vault *v, const char *kind,
			      const char *token, int64_t *school_id, char **email,
			      int64_t *address_id)
{
	unsigned char h[VAULT_HASH_LEN];
	if (!token_ok(token))
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st = store_prepare(
	    c, "SELECT COALESCE(school_id, 0), email_enc, COALESCE(address_id, 0) FROM school_links "
	       "WHERE token_hash = ? AND kind = ? AND used_ms IS NULL AND expires_ms > ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_text(st, 2, kind);
	store_bind_int(st, 3, clock_now_ms());
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		e = ERR_OK;
		if (school_id)
			*school_id = store_col_int(st, 0);
		if (address_id)
			*address_id = store_col_int(st, 2);
		if (email) {
			size_t len = 0;
			const void *b = store_col_blob(st, 1, &len);
			*email = NULL;
			if (b && len)
				e = vault_unseal(v, F_LINK_EMAIL, b, len, email);
			else
				e = ERR_NOTFOUND;
		}
	}
	store_finish(st);
	return e;
}

enum err schoolmail_link_use(struct store_conn *c, const char *token)
{
	unsigned char h[VAULT_HASH_LEN];
	if (!token_ok(token))
		return ERR_NOTFOUND;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st =
	    store_prepare(c, "UPDATE school_links SET used_ms = ? WHERE token_hash = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_blob(st, 2, h, sizeof h);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

static void manage_mac(const struct vault *v, int64_t address_id, int64_t school_id,
		       char hex[MAC_HEX + 1])
{
	unsigned char mac[VAULT_BLIND_LEN];
	char text[48];
	snprintf(text, sizeof text, "%" PRId64 "-%" PRId64, address_id, school_id);
	vault_blind(v, "school-manage", text, mac);
	vault_hex(mac, MAC_HEX / 2, hex);
}

void schoolmail_manage_token(const struct vault *v, int64_t address_id, int64_t school_id,
			     char *out, size_t n)
{
	char hex[MAC_HEX + 1];
	manage_mac(v, address_id, school_id, hex);
	snprintf(out, n, "%" PRId64 "-%" PRId64 "-%s", address_id, school_id, hex);
}

enum err schoolmail_manage_parse(const struct vault *v, const char *token, int64_t *address_id,
				 int64_t *school_id)
{
	char hex[MAC_HEX + 1];
	char *end = NULL;
	if (!token || strlen(token) > 80 || token[0] < '1' || token[0] > '9')
		return ERR_NOTFOUND;
	long long a = strtoll(token, &end, 10);
	if (!end || *end != '-' || a <= 0 || end[1] < '1' || end[1] > '9')
		return ERR_NOTFOUND;
	long long s = strtoll(end + 1, &end, 10);
	if (!end || *end != '-' || s <= 0 || strlen(end + 1) != MAC_HEX)
		return ERR_NOTFOUND;
	manage_mac(v, a, s, hex);
	if (!vault_equal(hex, end + 1, MAC_HEX))
		return ERR_NOTFOUND;
	*address_id = a;
	*school_id = s;
	return ERR_OK;
}
