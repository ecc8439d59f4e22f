/* SPDX-License-Identifier: MIT */
/* site.c — clubs (学童クラブ) and ひろばプラス sites with their opening hours. */
#include "attendance/attendance.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "store/store.h"

static int hhmm_ok(const char *s)
{
	return strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	       s[2] == ':' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' &&
	       (s[0] < '2' || s[1] <= '3');
}

static int code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 15)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

enum err site_add(struct app *a, const char *code, const char *name, const char *type,
		  const char *opens, const char *closes, const char **why)
{
	*why = NULL;
	if (!code_ok(code)) {
		*why = "site code must be 1-15 letters, digits, '-' or '_'";
		return ERR_INVALID;
	}
	if (!name[0] || strlen(name) > 200) {
		*why = "site name must be 1-200 bytes";
		return ERR_INVALID;
	}
	if (strcmp(type, "gakudo") != 0 && strcmp(type, "hiroba_plus") != 0) {
		*why = "type must be gakudo or hiroba_plus";
		return ERR_INVALID;
	}
	if (!hhmm_ok(opens) || !hhmm_ok(closes) || strcmp(opens, closes) >= 0) {
		*why = "opening hours must be HH:MM with opening before closing";
		return ERR_INVALID;
	}
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO sites(code, name, type, opens, closes) "
			      "VALUES (?, ?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, code);
	store_bind_text(st, 2, name);
	store_bind_text(st, 3, type);
	store_bind_text(st, 4, opens);
	store_bind_text(st, 5, closes);
	e = store_run(st);
	if (e == ERR_CONFLICT)
		*why = "a site with that code exists";
	if (e != ERR_OK)
		goto out;
	char object[64];
	snprintf(object, sizeof object, "site:%s", code);
	e = audit_append(c, a->vault, "cli", "site.add", object, type);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

static enum err load(struct store_stmt *st, struct site *s)
{
	if (!st)
		return ERR_DB;
	int rc = store_step(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	s->id = store_col_int(st, 0);
	snprintf(s->code, sizeof s->code, "%s", store_col_text(st, 1));
	snprintf(s->name, sizeof s->name, "%s", store_col_text(st, 2));
	snprintf(s->type, sizeof s->type, "%s", store_col_text(st, 3));
	snprintf(s->opens, sizeof s->opens, "%s", store_col_text(st, 4));
	snprintf(s->closes, sizeof s->closes, "%s", store_col_text(st, 5));
	return ERR_OK;
}

enum err site_find(struct store_conn *c, const char *code, struct site *s)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, code, name, type, opens, closes FROM sites WHERE code = ?");
	if (st)
		store_bind_text(st, 1, code);
	enum err e = load(st, s);
	store_finish(st);
	return e;
}

enum err site_get(struct store_conn *c, int64_t id, struct site *s)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, code, name, type, opens, closes FROM sites WHERE id = ?");
	if (st)
		store_bind_int(st, 1, id);
	enum err e = load(st, s);
	store_finish(st);
	return e;
}
