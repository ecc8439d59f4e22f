/* SPDX-License-Identifier: MIT */
/* emergency.c — emergency mail (緊急時の一斉メール配信) as attendance's kind of bulk send: its
 * list (緊急連絡, which may not be left), its audience (the confirmed guardians of active
 * children at chosen sites, each once), whose scope covers which sites, and the personal-data
 * check against the roster. Composing, approval, scheduling and queueing are src/bulk/'s. */
#include "attendance/attendance.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "auth/role.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "bulk/bulk.h"
#include "store/store.h"
#include "vault/vault.h"

/* The audience: confirmed guardians of active children at the chosen sites ('*': all), each
 * guardian once however many of their children attend those sites. sites is bound twice. */
#define AUDIENCE_FROM                                                                              \
	" FROM guardians g WHERE g.confirmed_ms IS NOT NULL AND EXISTS (SELECT 1 FROM "            \
	"child_guardians cg JOIN children ch ON ch.id = cg.child_id JOIN sites s ON s.id = "       \
	"ch.site_id WHERE cg.guardian_id = g.id AND ch.active = 1 AND (? = '*' OR "                \
	"instr(',' || ? || ',', ',' || s.code || ',') > 0))"

static enum err audience(struct app *a, struct store_conn *c, const char *sites, bulk_emit_fn emit,
			 void *ctx)
{
	const struct vault *v = attendance_vault(a);
	struct store_stmt *st =
	    store_prepare(c, "SELECT g.id, g.email_enc" AUDIENCE_FROM " ORDER BY g.id");
	enum err e = ERR_DB;
	if (!st)
		return e;
	store_bind_text(st, 1, sites);
	store_bind_text(st, 2, sites);
	int rc;
	e = ERR_OK;
	while (e == ERR_OK && (rc = store_step(st)) == STORE_ROW) {
		char *addr = NULL;
		size_t len;
		const void *b = store_col_blob(st, 1, &len);
		e = vault_unseal(v, "guardians.email", b, len, &addr);
		if (e == ERR_OK) {
			struct bulk_recipient r = {addr, store_col_int(st, 0), NULL};
			e = emit(ctx, &r);
		}
		vault_wipe_free(addr);
	}
	if (e == ERR_OK && rc != STORE_DONE)
		e = ERR_DB;
	store_finish(st);
	return e;
}

enum err emergency_audience_count(struct store_conn *c, const char *sites, size_t *n)
{
	struct store_stmt *st = store_prepare(c, "SELECT count(*)" AUDIENCE_FROM);
	enum err e = ERR_DB;
	*n = 0;
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, sites);
	store_bind_text(st, 2, sites);
	if (store_step(st) == STORE_ROW) {
		*n = (size_t)store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

static enum err count(struct app *a, struct store_conn *c, const char *sites, size_t *n)
{
	(void)a;
	return emergency_audience_count(c, sites, n);
}

/* Sites named: "*" is every site (0), else one more than the commas. */
static size_t groups(const char *sites)
{
	if (strcmp(sites, "*") == 0)
		return 0;
	size_t n = 1;
	for (const char *p = sites; *p; p++)
		n += *p == ',';
	return n;
}

/* Ward roles and the contractor act for every site; site staff for their own sites only: a
 * send to all sites, or to any other site, is outside their scope. */
static int in_scope(struct app *a, const struct user *u, const char *sites)
{
	(void)a;
	if (u->role != ROLE_SITE_STAFF)
		return u->role == ROLE_WARD_ADMIN || u->role == ROLE_WARD_STAFF ||
		       u->role == ROLE_CONTRACTOR;
	if (strcmp(sites, "*") == 0)
		return 0;
	const char *p = sites;
	while (*p) {
		size_t n = strcspn(p, ",");
		int mine = 0;
		for (size_t i = 0; i < u->nsites && !mine; i++)
			mine =
			    strlen(u->site_codes[i]) == n && strncmp(u->site_codes[i], p, n) == 0;
		if (!mine)
			return 0;
		p += n + (p[n] == ',');
	}
	return 1;
}

/* Scans the sealed column `field` of every row of sql; sets *found when a value occurs in
 * folded (names: folded; addresses: lower-cased). */
static enum err scan_column(struct app *a, struct store_conn *c, const char *sql, const char *field,
			    int is_address, const char *folded, int *found)
{
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		goto out;
	int rc = STORE_DONE;
	while (!*found && (rc = store_step(st)) == STORE_ROW) {
		size_t len;
		char *v = NULL;
		const void *b = store_col_blob(st, 0, &len);
		e = vault_unseal(attendance_vault(a), field, b, len, &v);
		if (e != ERR_OK)
			goto out;
		if (is_address) {
			for (char *p = v; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			*found = v[0] && strstr(folded, v) != NULL;
		} else {
			*found = bulk_has_name(folded, v);
		}
		vault_wipe_free(v);
	}
	e = ERR_OK;
	if (!*found && rc != STORE_DONE)
		e = ERR_DB;
out:
	store_finish(st);
	return e;
}

/* The roster's personal data in a message: every child's name and kana, every guardian's name
 * and address (about 20k fields for the whole ward, decrypted for the check). */
static enum err personal(struct app *a, const char *folded, const char **why)
{
	static const struct {
		const char *sql, *field, *why;
		int is_address;
	} cols[] = {
	    {"SELECT name_enc FROM children", "children.name",
	     "登録されている子どもの名前が含まれています。名前を消してから送信してください。", 0},
	    {"SELECT kana_enc FROM children", "children.kana",
	     "登録されている子どもの名前が含まれています。名前を消してから送信してください。", 0},
	    {"SELECT name_enc FROM guardians", "guardians.name",
	     "登録されている保護者の名前が含まれています。名前を消してから送信してください。", 0},
	    {"SELECT email_enc FROM guardians", "guardians.email",
	     "保護者のメールアドレスが含まれています。アドレスを消してから送信してください。", 1},
	};
	int found = 0;
	enum err e = ERR_OK;
	struct store_conn *c = store_acquire(a->store);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0] && e == ERR_OK && !found; i++) {
		e = scan_column(a, c, cols[i].sql, cols[i].field, cols[i].is_address, folded,
				&found);
		if (e == ERR_OK && found) {
			*why = cols[i].why;
			e = ERR_INVALID;
		}
	}
	store_release(c);
	return e;
}

/* "G01,G02" → ["G01","G02"]; "*" → "all". Returns a new reference. */
static json_t *sites_json(const char *sites)
{
	if (strcmp(sites, "*") == 0)
		return json_string("all");
	json_t *arr = json_array();
	const char *p = sites;
	while (*p) {
		size_t n = strcspn(p, ",");
		json_array_append_new(arr, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return arr;
}

const struct bulk_kind emergency_kind = {
    .service = ATTENDANCE_SERVICE,
    /* A club's emergency mail must reach every guardian of an enrolled child: the club's
     * duty of care. It may not be left. */
    .list = {"emergency", "緊急連絡", 0},
    .what_ja = "緊急メール",
    .footer_ja = "このメールは見守り（放課後児童クラブ）からの一斉配信です。\n"
		 "送信専用のため、返信はできません。\n",
    .four_eyes_multi = 1,
    .audience_key = "sites",
    .audience = audience,
    .count = count,
    .groups = groups,
    .in_scope = in_scope,
    .personal = personal,
    .audience_json = sites_json,
};

char *emergency_sites_join(struct app *a, const char *const *codes, size_t ncodes, enum err *e,
			   const char **why)
{
	struct buf b;
	size_t nsites = 0;
	if (ncodes == 0) {
		*e = ERR_OK;
		return xstrdup("*");
	}
	buf_init(&b, 64 * 1024);
	struct store_conn *c = store_acquire(a->store);
	*e = ERR_OK;
	for (size_t i = 0; i < ncodes && *e == ERR_OK; i++) {
		struct site s;
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(codes[i], codes[j]) == 0;
		if (dup)
			continue;
		*e = site_find(c, codes[i], &s);
		if (*e == ERR_NOTFOUND) {
			*e = ERR_INVALID;
			*why = "送信先に、登録されていない施設コードがあります。施設を選び直してく"
			       "ださい。";
		} else if (*e == ERR_OK) {
			buf_printf(&b, "%s%s", nsites ? "," : "", s.code);
			nsites++;
		}
	}
	store_release(c);
	char *out = *e == ERR_OK ? xstrdup(b.data ? b.data : "") : NULL;
	buf_free(&b);
	return out;
}
