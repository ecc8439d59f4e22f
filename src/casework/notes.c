/* SPDX-License-Identifier: MIT */
/* notes.c — casework's case notes: every edit is a new version (the tables refuse changes and
 * deletions of versions), so nothing is edited silently and the history stays readable to
 * those who may open the case. Bodies sealed under the service's key. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "casework/casework.h"
#include "store/store.h"
#include "vault/vault.h"

#define Q(sql) casework_sql(k, sql, q, sizeof q)

/* The sealed field's name: "<prefix>_note_versions.body". */

/* Binds user id u as parameter idx, NULL for 0 (the CLI, the demo). */
static void bind_user(struct store_stmt *st, int idx, int64_t u)
{
	if (u)
		store_bind_int(st, idx, u);
	else
		store_bind_null(st, idx);
}

static const char *field(const struct casework_kind *k, char *out, size_t n)
{
	snprintf(out, n, "%s_note_versions.body", k->prefix);
	return out;
}

/* Appends version ver of note_id. */
static enum err put_version(struct store_conn *c, const struct vault *v,
			    const struct casework_kind *k, int64_t note_id, int64_t ver,
			    const char *body, int64_t user_id, int64_t now_ms)
{
	char q[256], f[64];
	struct store_stmt *st = store_prepare(
	    c, Q("INSERT INTO @_note_versions (note_id, version, body, user_id, at_ms) VALUES "
		 "(?1, ?2, ?3, ?4, ?5)"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, note_id);
	store_bind_int(st, 2, ver);
	vault_bind_sealed(v, st, 3, field(k, f, sizeof f), body);
	bind_user(st, 4, user_id);
	store_bind_int(st, 5, now_ms);
	return casework_run(st);
}

/* Checks a note's body; returns NULL or why. */
static const char *body_why(const char *body)
{
	if (!body || !text_note_ok(body, CASEWORK_NOTE_MAX * 3))
		return "記録の内容を入力してください（12,000バイト、おおむね4,000文字まで）。";
	return NULL;
}

enum err casework_note_add(struct store_conn *c, const struct vault *v,
			   const struct casework_kind *k, int64_t case_id, const char *kind,
			   const char *on_date, const char *body, int64_t user_id, int64_t now_ms,
			   int64_t *note_id, const char **why)
{
	char q[256];
	int y, m, d;
	*why = body_why(body);
	if (*why)
		return ERR_INVALID;
	if (!kind || !*kind || strlen(kind) > 32) {
		*why = "記録の種類を選んでください。";
		return ERR_INVALID;
	}
	if (!on_date || wareki_parse_iso(on_date, &y, &m, &d) != ERR_OK) {
		*why = "面談などの日付を年-月-日で入力してください。";
		return ERR_INVALID;
	}
	/* A record is of what happened: a day still to come is a slip of the keyboard. */
	char today[16];
	clock_jst_date(now_ms, today, sizeof today);
	if (strcmp(on_date, today) > 0) {
		*why = "面談などの日付は、今日までの日付で入力してください。";
		return ERR_INVALID;
	}
	struct store_stmt *st = store_prepare(
	    c, Q("INSERT INTO @_notes (case_id, kind, on_date, created_by, created_ms) VALUES (?1, "
		 "?2, ?3, ?4, ?5)"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, case_id);
	store_bind_text(st, 2, kind);
	store_bind_text(st, 3, on_date);
	bind_user(st, 4, user_id);
	store_bind_int(st, 5, now_ms);
	enum err e = casework_run(st);
	if (e != ERR_OK)
		return e;
	*note_id = store_last_id(c);
	return put_version(c, v, k, *note_id, 1, body, user_id, now_ms);
}

enum err casework_note_edit(struct store_conn *c, const struct vault *v,
			    const struct casework_kind *k, int64_t note_id, int64_t expect,
			    const char *body, int64_t user_id, int64_t now_ms, const char **why)
{
	char q[256];
	*why = body_why(body);
	if (*why)
		return ERR_INVALID;
	struct store_stmt *st =
	    store_prepare(c, Q("SELECT max(version) FROM @_note_versions WHERE note_id = ?1"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, note_id);
	int r = store_step(st);
	int64_t latest = r == STORE_ROW && !store_col_is_null(st, 0) ? store_col_int(st, 0) : 0;
	store_finish(st);
	if (r != STORE_ROW)
		return ERR_DB;
	if (latest == 0)
		return ERR_NOTFOUND;
	if (expect != latest)
		return ERR_CONFLICT;
	return put_version(c, v, k, note_id, latest + 1, body, user_id, now_ms);
}

enum err casework_note_case(struct store_conn *c, const struct casework_kind *k, int64_t note_id,
			    int64_t *case_id)
{
	char q[128];
	struct store_stmt *st = store_prepare(c, Q("SELECT case_id FROM @_notes WHERE id = ?1"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, note_id);
	int r = store_step(st);
	if (r == STORE_ROW)
		*case_id = store_col_int(st, 0);
	store_finish(st);
	return r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

/* Unseals column col of st as a note's body into a JSON string (new reference), or NULL. */
static json_t *body_json(const struct vault *v, const struct casework_kind *k,
			 struct store_stmt *st, int col)
{
	char f[64], *plain = NULL;
	if (vault_unseal_column(v, st, col, field(k, f, sizeof f), &plain) != ERR_OK || !plain)
		return NULL;
	json_t *s = json_string(plain);
	vault_wipe_free(plain);
	return s;
}

enum err casework_notes_json(struct store_conn *c, const struct vault *v,
			     const struct casework_kind *k, int64_t case_id, json_t **out)
{
	char q[768];
	enum err e = ERR_OK;
	*out = json_array();
	struct store_stmt *st = store_prepare(
	    c, Q("SELECT n.id, n.kind, n.on_date, x.version, x.body, u.login, x.at_ms FROM @_notes "
		 "n JOIN @_note_versions x ON x.note_id = n.id AND x.version = (SELECT "
		 "max(version) FROM @_note_versions y WHERE y.note_id = n.id) LEFT JOIN users u ON "
		 "u.id = x.user_id WHERE n.case_id = ?1 ORDER BY n.on_date DESC, n.id DESC"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, case_id);
	while (store_step(st) == STORE_ROW) {
		json_t *b = body_json(v, k, st, 4);
		if (!b) {
			e = ERR_CRYPTO;
			break;
		}
		json_array_append_new(
		    *out, json_pack("{s:I, s:s, s:s, s:I, s:o, s:s, s:I}", "id",
				    (json_int_t)store_col_int(st, 0), "kind", store_col_text(st, 1),
				    "on_date", store_col_text(st, 2), "version",
				    (json_int_t)store_col_int(st, 3), "body", b, "by",
				    store_col_is_null(st, 5) ? "" : store_col_text(st, 5), "at_ms",
				    (json_int_t)store_col_int(st, 6)));
	}
	store_finish(st);
	return e;
}

enum err casework_note_history(struct store_conn *c, const struct vault *v,
			       const struct casework_kind *k, int64_t note_id, json_t **out)
{
	char q[512];
	enum err e = ERR_OK;
	*out = json_array();
	struct store_stmt *st = store_prepare(
	    c, Q("SELECT x.version, x.body, u.login, x.at_ms FROM @_note_versions x LEFT JOIN "
		 "users u ON u.id = x.user_id WHERE x.note_id = ?1 ORDER BY x.version"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, note_id);
	while (store_step(st) == STORE_ROW) {
		json_t *b = body_json(v, k, st, 1);
		if (!b) {
			e = ERR_CRYPTO;
			break;
		}
		json_array_append_new(
		    *out, json_pack("{s:I, s:o, s:s, s:I}", "version",
				    (json_int_t)store_col_int(st, 0), "body", b, "by",
				    store_col_is_null(st, 2) ? "" : store_col_text(st, 2), "at_ms",
				    (json_int_t)store_col_int(st, 3)));
	}
	store_finish(st);
	return e;
}
