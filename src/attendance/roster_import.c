/* SPDX-License-Identifier: MIT */
/* roster_import.c — the children/guardians roster CSV: one row per child–guardian pair; adds
 * and updates, never duplicates or removes; bad rows reported by line, good rows applied whole. */
#include "attendance/attendance.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "doc/csv.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

enum col { C_CHILD_NO, C_SITE, C_NAME, C_KANA, C_GRADE, C_BIRTH, C_GNAME, C_GEMAIL, C_COUNT };

static const char *const english[C_COUNT] = {
	"child_no", "site_code", "child_name", "child_kana",
	"grade", "birth_date", "guardian_name", "guardian_email",
};
static const char *const japanese[C_COUNT] = {
	"児童番号", "施設コード", "児童氏名", "児童氏名カナ",
	"学年", "生年月日", "保護者氏名", "保護者メールアドレス",
};

struct row {
	const char *f[C_COUNT];
	int grade;
};

static int header_map(const struct doc_csv_row *h, int map[C_COUNT], const char **why)
{
	for (int i = 0; i < C_COUNT; i++)
		map[i] = -1;
	for (size_t j = 0; j < h->nfields; j++) {
		const char *name = h->fields[j];
		for (int i = 0; i < C_COUNT; i++) {
			if (strcmp(name, english[i]) == 0 || strcmp(name, japanese[i]) == 0)
				map[i] = (int)j;
		}
	}
	for (int i = 0; i < C_COUNT; i++) {
		if (map[i] < 0) {
			*why = "1行目（見出し）に必要な列がありません。児童番号、施設コード、児童氏名、"
			       "児童氏名カナ、学年、生年月日、保護者氏名、保護者メールアドレス（または "
			       "child_no, site_code, child_name, child_kana, grade, birth_date, "
			       "guardian_name, guardian_email）の列が必要です";
			return 0;
		}
	}
	return 1;
}

static int date_ok(const char *s)
{
	int y, m, d;
	char extra;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return 0;
	return 1;
}

/* Returns 1 when s holds a control character (a line break inside a quoted name, a tab…):
 * such a name would break mail subjects and printed cards. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static const char *validate(struct row *r)
{
	for (int i = 0; i < C_COUNT; i++) {
		if (!r->f[i][0])
			return "必須の項目が空です（empty）";
		if (has_control(r->f[i]))
			return "項目に改行や制御文字が含まれています（line break）";
	}
	if (strlen(r->f[C_CHILD_NO]) > 32)
		return "児童番号（child_no）が32文字を超えています";
	if (strlen(r->f[C_NAME]) > 200 || strlen(r->f[C_KANA]) > 200 ||
	    strlen(r->f[C_GNAME]) > 200)
		return "氏名が長すぎます（200バイトまで）";
	char *end = NULL;
	long g = strtol(r->f[C_GRADE], &end, 10);
	if (!end || *end || g < 1 || g > 6)
		return "学年（grade）は1〜6の数字で入力してください";
	r->grade = (int)g;
	if (!date_ok(r->f[C_BIRTH]))
		return "生年月日（birth_date）は実在する日付を YYYY-MM-DD の形で入力してください";
	if (!mail_address_valid(r->f[C_GEMAIL]))
		return "保護者メールアドレス（guardian_email）が使えるアドレスではありません";
	return NULL;
}

/* Applies one valid row on c (inside a savepoint). */
static enum err apply_row(struct app *a, struct store_conn *c, const struct row *r,
			  struct import_report *rep, const char **why)
{
	int64_t now = clock_now_ms(), site_id, child_id = 0, gid = 0;
	struct site site;
	enum err e = site_find(c, r->f[C_SITE], &site);
	struct store_stmt *st = NULL;
	if (e == ERR_NOTFOUND) {
		*why = "施設コード（site_code）の施設が登録されていません";
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	site_id = site.id;
	st = store_prepare(c, "SELECT id FROM children WHERE child_no = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, r->f[C_CHILD_NO]);
	if (store_step(st) == STORE_ROW)
		child_id = store_col_int(st, 0);
	store_finish(st);
	if (child_id)
		st = store_prepare(c, "UPDATE children SET site_id = ?, name_enc = ?, kana_enc = ?, "
				      "birth_enc = ?, grade = ?, active = 1, updated_ms = ? "
				      "WHERE id = ?");
	else
		st = store_prepare(c, "INSERT INTO children(site_id, name_enc, kana_enc, birth_enc, "
				      "grade, updated_ms, child_no) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	vault_bind_sealed(attendance_vault(a), st, 2, "children.name", r->f[C_NAME]);
	vault_bind_sealed(attendance_vault(a), st, 3, "children.kana", r->f[C_KANA]);
	vault_bind_sealed(attendance_vault(a), st, 4, "children.birth", r->f[C_BIRTH]);
	store_bind_int(st, 5, r->grade);
	store_bind_int(st, 6, now);
	if (child_id)
		store_bind_int(st, 7, child_id);
	else
		store_bind_text(st, 7, r->f[C_CHILD_NO]);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	if (!child_id) {
		child_id = store_last_id(c);
		rep->children_added++;
	} else {
		rep->children_updated++;
	}
	unsigned char idx[VAULT_BLIND_LEN];
	mail_address_index(attendance_vault(a), r->f[C_GEMAIL], idx);
	st = store_prepare(c, "SELECT id FROM guardians WHERE email_idx = ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	if (store_step(st) == STORE_ROW)
		gid = store_col_int(st, 0);
	store_finish(st);
	if (gid) {
		st = store_prepare(c, "UPDATE guardians SET name_enc = ? WHERE id = ?");
		if (!st)
			return ERR_DB;
		vault_bind_sealed(attendance_vault(a), st, 1, "guardians.name", r->f[C_GNAME]);
		store_bind_int(st, 2, gid);
		e = store_run(st);
		store_finish(st);
	} else {
		st = store_prepare(c, "INSERT INTO guardians(name_enc, email_enc, email_idx, "
				      "created_ms) VALUES (?, ?, ?, ?)");
		if (!st)
			return ERR_DB;
		vault_bind_sealed(attendance_vault(a), st, 1, "guardians.name", r->f[C_GNAME]);
		vault_bind_sealed(attendance_vault(a), st, 2, "guardians.email", r->f[C_GEMAIL]);
		store_bind_blob(st, 3, idx, sizeof idx);
		store_bind_int(st, 4, now);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK) {
			gid = store_last_id(c);
			rep->guardians_added++;
			e = guardian_confirm_request(a, c, gid, r->f[C_GEMAIL]);
		}
	}
	if (e != ERR_OK)
		return e;
	st = store_prepare(c, "INSERT OR IGNORE INTO child_guardians(child_id, guardian_id) "
			      "VALUES (?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	store_bind_int(st, 2, gid);
	e = store_run(st);
	store_finish(st);
	return e;
}

enum err roster_import(struct app *a, const char *data, size_t len, struct import_report *rep,
		       void (*on_error)(size_t line, const char *reason, void *ctx), void *ctx,
		       const char **why)
{
	struct doc_csv *csv = NULL;
	char errbuf[256];
	int map[C_COUNT];
	struct store_conn *c = NULL;
	enum err e;
	memset(rep, 0, sizeof *rep);
	*why = NULL;
	e = doc_csv_parse(data, len, &csv, errbuf, sizeof errbuf);
	if (e != ERR_OK) {
		static __thread char msg[256];
		snprintf(msg, sizeof msg, "%s", errbuf);
		*why = msg;
		return ERR_INVALID;
	}
	snprintf(rep->encoding, sizeof rep->encoding, "%s", csv->encoding);
	if (csv->nrows == 0) {
		*why = "ファイルが空です";
		e = ERR_INVALID;
		goto out;
	}
	if (!header_map(&csv->rows[0], map, why)) {
		e = ERR_INVALID;
		goto out;
	}
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	for (size_t i = 1; i < csv->nrows; i++) {
		const struct doc_csv_row *cr = &csv->rows[i];
		struct row r;
		const char *bad = NULL;
		if (cr->nfields == 1 && !cr->fields[0][0])
			continue; /* a blank line */
		rep->rows++;
		for (int k = 0; k < C_COUNT; k++)
			r.f[k] = (size_t)map[k] < cr->nfields ? cr->fields[map[k]] : "";
		bad = validate(&r);
		if (!bad) {
			store_exec(c, "SAVEPOINT row");
			struct import_report before = *rep;
			e = apply_row(a, c, &r, rep, &bad);
			if (e == ERR_OK) {
				store_exec(c, "RELEASE row");
			} else {
				store_exec(c, "ROLLBACK TO row");
				store_exec(c, "RELEASE row");
				*rep = before;
				if (!bad)
					bad = e == ERR_CONFLICT ? "ほかの行と食い違っています"
								: "保存できませんでした";
				if (e == ERR_DB || e == ERR_IO)
					goto out; /* storage trouble: stop, apply nothing */
			}
		}
		if (bad) {
			rep->rejected++;
			on_error(cr->line, bad, ctx);
			continue;
		}
		rep->applied++;
	}
	char detail[160];
	snprintf(detail, sizeof detail, "rows=%zu applied=%zu rejected=%zu children_added=%zu "
					"guardians_added=%zu",
		 rep->rows, rep->applied, rep->rejected, rep->children_added,
		 rep->guardians_added);
	e = audit_append(c, a->vault, "cli", "roster.import", "children", detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	doc_csv_free(csv);
	return e;
}
