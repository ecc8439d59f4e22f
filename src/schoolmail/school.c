/* SPDX-License-Identifier: MIT */
/* school.c — schools (kind, grades, classes), school years and the yearly security codes. */
#include "schoolmail/schoolmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

/* Characters of a security code: no 0/O, 1/I/L (read off paper, typed on a phone). */
static const char code_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static const struct {
	const char *kind, *label;
	int max_grades;
} kinds[] = {
	{"kindergarten", "幼稚園", 3},
	{"elementary", "小学校", 6},
	{"junior_high", "中学校", 3},
	{"special", "特別支援学校", 12},
};

const char *schoolmail_kind_label(const char *kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].label;
	return NULL;
}

const char *schoolmail_kind_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, s) == 0 || strcmp(kinds[i].label, s) == 0)
			return kinds[i].kind;
	return NULL;
}

static int max_grades(const char *kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].max_grades;
	return 0;
}

void schoolmail_grade_label(const char *kind, int grades, int g, char *out, size_t n)
{
	static const char *const kg[] = {"年少", "年中", "年長"};
	if (strcmp(kind, "kindergarten") == 0 && grades <= 3 && g >= 1 && g <= grades) {
		snprintf(out, n, "%s", kg[3 - grades + g - 1]);
	} else if (strcmp(kind, "special") == 0 && grades == 12) {
		if (g <= 6)
			snprintf(out, n, "小学部%d年", g);
		else if (g <= 9)
			snprintf(out, n, "中学部%d年", g - 6);
		else
			snprintf(out, n, "高等部%d年", g - 9);
	} else {
		snprintf(out, n, "%d年", g);
	}
}

/* Appends the ASCII of text to out (n bytes): full-width ASCII (U+FF01-U+FF5E) folded to
 * ASCII, ideographic space (U+3000) to a space, other non-ASCII to a space. */
static void ascii_fold(const char *text, char *out, size_t n)
{
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)text;
	while (*p && k + 1 < n) {
		if (*p < 0x80) {
			out[k++] = (char)*p++;
		} else if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2]) {
			/* U+FF01..U+FF5E: EF BC 81..BF, EF BD 80..9E */
			unsigned cp = 0xFF00u + ((unsigned)(p[1] & 0x03) << 6) + (p[2] & 0x3F);
			out[k++] = (cp >= 0xFF01 && cp <= 0xFF5E) ? (char)(cp - 0xFF01 + 0x21) : ' ';
			p += 3;
		} else {
			out[k++] = ' ';
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
		}
	}
	out[k] = '\0';
}

static int code_char(char ch)
{
	return ch && strchr(code_alphabet, ch) != NULL;
}

/* 1 when s (n characters, upper-cased) is a code: SCHOOLMAIL_CODE_LEN of the alphabet. */
static int code_shaped(const char *s, size_t n)
{
	if (n != SCHOOLMAIL_CODE_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!code_char(s[i]))
			return 0;
	return 1;
}

int schoolmail_code_read(const char *text, char out[SCHOOLMAIL_CODE_LEN + 1])
{
	char a[1024], all[1024];
	size_t nall = 0;
	if (!text)
		return 0;
	ascii_fold(text, a, sizeof a);
	for (char *p = a; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	/* Every letter and digit together ("ABCD 2345", "ABCD-2345" are one code) … */
	for (const char *p = a; *p && nall + 1 < sizeof all; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			all[nall++] = *p;
	all[nall] = '\0';
	if (code_shaped(all, nall)) {
		memcpy(out, all, SCHOOLMAIL_CODE_LEN + 1);
		return 1;
	}
	/* … else a word of its own among others ("登録 ABCD2345", "Re: ABCD2345"). */
	for (const char *p = a; *p;) {
		size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (code_shaped(p, n)) {
			memcpy(out, p, n);
			out[n] = '\0';
			return 1;
		}
		p += n ? n : 1;
	}
	return 0;
}

int schoolmail_fiscal_year(int64_t now_ms)
{
	char day[16];
	clock_jst_date(now_ms, day, sizeof day);
	int y = (int)strtol(day, NULL, 10), m = (int)strtol(day + 5, NULL, 10);
	return m >= 4 ? y : y - 1;
}

enum err schoolmail_year(struct store_conn *c, int *year)
{
	struct store_stmt *st = store_prepare(c, "SELECT COALESCE(MAX(year), 0) FROM school_years");
	if (!st)
		return ERR_DB;
	enum err e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
	if (e == ERR_OK)
		*year = (int)store_col_int(st, 0);
	store_finish(st);
	return e;
}

enum err schoolmail_code_issue(struct store_conn *c, int64_t school_id, int year,
			       char out[SCHOOLMAIL_CODE_LEN + 1])
{
	enum err e = ERR_CONFLICT;
	/* 31^8 codes: a clash with an existing one is rare; draw again when it happens. */
	for (int attempt = 0; attempt < 8 && e == ERR_CONFLICT; attempt++) {
		for (int i = 0; i < SCHOOLMAIL_CODE_LEN; i++)
			out[i] = code_alphabet[vault_random_uniform(sizeof code_alphabet - 1)];
		out[SCHOOLMAIL_CODE_LEN] = '\0';
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO school_codes(school_id, year, code, created_ms) VALUES (?,?,?,?)");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, school_id);
		store_bind_int(st, 2, year);
		store_bind_text(st, 3, out);
		store_bind_int(st, 4, clock_now_ms());
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

enum err schoolmail_code_lookup(struct store_conn *c, const char *code, int64_t *school_id,
				int *year)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT school_id, year FROM school_codes WHERE code = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	enum err e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (e == ERR_OK) {
		*school_id = store_col_int(st, 0);
		*year = (int)store_col_int(st, 1);
	}
	store_finish(st);
	return e;
}

#define SCHOOL_COLUMNS                                                                        \
	"SELECT s.id, s.code, s.name, s.kind, s.grades, s.classes, COALESCE(k.code, ''), "      \
	"(SELECT COUNT(*) FROM school_registrants r WHERE r.school_id = s.id) FROM schools s " \
	"LEFT JOIN school_codes k ON k.school_id = s.id AND "                                  \
	"k.year = (SELECT MAX(year) FROM school_years) "

static void read_school(struct store_stmt *st, struct school *o)
{
	memset(o, 0, sizeof *o);
	o->id = store_col_int(st, 0);
	snprintf(o->code, sizeof o->code, "%s", store_col_text(st, 1));
	snprintf(o->name, sizeof o->name, "%s", store_col_text(st, 2));
	snprintf(o->kind, sizeof o->kind, "%s", store_col_text(st, 3));
	o->grades = (int)store_col_int(st, 4);
	o->classes = (int)store_col_int(st, 5);
	snprintf(o->security_code, sizeof o->security_code, "%s", store_col_text(st, 6));
	o->registrants = store_col_int(st, 7);
}

static enum err find_one(struct store_conn *c, const char *sql, const char *code, int64_t id,
			 struct school *out)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	if (code)
		store_bind_text(st, 1, code);
	else
		store_bind_int(st, 1, id);
	int rc = store_step(st);
	enum err e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (e == ERR_OK)
		read_school(st, out);
	store_finish(st);
	return e;
}

enum err schoolmail_school_find(struct store_conn *c, const char *code, struct school *out)
{
	if (!code || strlen(code) >= sizeof out->code)
		return ERR_NOTFOUND;
	return find_one(c, SCHOOL_COLUMNS "WHERE s.code = ?", code, 0, out);
}

enum err schoolmail_school_get(struct store_conn *c, int64_t id, struct school *out)
{
	return find_one(c, SCHOOL_COLUMNS "WHERE s.id = ?", NULL, id, out);
}

enum err schoolmail_school_list(struct store_conn *c, struct school **out, size_t *n)
{
	struct store_stmt *st = store_prepare(c, SCHOOL_COLUMNS "ORDER BY s.code");
	size_t cap = 16, k = 0;
	struct school *rows = xcalloc(cap, sizeof *rows);
	int rc = 0;
	if (!st) {
		free(rows);
		return ERR_DB;
	}
	while ((rc = store_step(st)) == STORE_ROW) {
		if (k == cap) {
			cap *= 2;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		read_school(st, &rows[k++]);
	}
	store_finish(st);
	if (rc != STORE_DONE) {
		free(rows);
		return ERR_DB;
	}
	*out = rows;
	*n = k;
	return ERR_OK;
}

/* A school's code: 1 to 8 letters A-Z and digits. */
static int school_code_ok(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	return n >= 1 && n <= 8 && strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

/* Checks grades and classes for kind; NULL or a Japanese reason. */
static const char *size_problem(const char *kind, int grades, int classes)
{
	if (grades < 1 || grades > max_grades(kind))
		return strcmp(kind, "special") == 0 ? "学年の数（--grades）は1〜12で指定してください。"
		       : strcmp(kind, "elementary") == 0
			   ? "小学校の学年の数（--grades）は1〜6で指定してください。"
			   : "幼稚園・中学校の学年の数（--grades）は1〜3で指定してください。";
	if (classes < 1 || classes > SCHOOLMAIL_CLASSES_MAX)
		return "学級の数（--classes）は1〜20で指定してください。";
	return NULL;
}

enum err schoolmail_school_add(struct app *a, const char *actor, const char *code,
			       const char *name, const char *kind, int grades, int classes,
			       struct school *out, const char **why)
{
	const char *k = schoolmail_kind_parse(kind);
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	char sec[SCHOOLMAIL_CODE_LEN + 1], object[48];
	enum err e = ERR_INVALID;
	int year = 0;
	*why = NULL;
	if (!school_code_ok(code)) {
		*why = "学校コード（--code）は英大文字と数字の1〜8文字で指定してください（例：E01）。";
		return e;
	}
	if (!name || text_line_check(name, SCHOOLMAIL_NAME_MAX) != TEXT_OK) {
		*why = "学校名（--name）は1〜60文字で指定してください。";
		return e;
	}
	if (!k) {
		*why = "種別（--kind）は kindergarten（幼稚園）、elementary（小学校）、junior_high"
		       "（中学校）、special（特別支援学校）のどれかです。";
		return e;
	}
	*why = size_problem(k, grades, classes);
	if (*why)
		return e;
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = schoolmail_year(c, &year);
	if (e != ERR_OK)
		goto out;
	if (!year) {
		/* The first school starts the school years: this fiscal year. */
		year = schoolmail_fiscal_year(clock_now_ms());
		st = store_prepare(c, "INSERT INTO school_years(year, started_ms, actor) VALUES (?,?,?)");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, year);
		store_bind_int(st, 2, clock_now_ms());
		store_bind_text(st, 3, actor);
		e = store_run(st);
		store_finish(st);
		st = NULL;
		if (e != ERR_OK)
			goto out;
	}
	st = store_prepare(c, "INSERT INTO schools(code, name, kind, grades, classes, created_ms) "
			      "VALUES (?, ?, ?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, code);
	store_bind_text(st, 2, name);
	store_bind_text(st, 3, k);
	store_bind_int(st, 4, grades);
	store_bind_int(st, 5, classes);
	store_bind_int(st, 6, clock_now_ms());
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_CONFLICT)
		*why = "その学校コードの学校はすでにあります。";
	if (e != ERR_OK)
		goto out;
	int64_t id = store_last_id(c);
	e = schoolmail_code_issue(c, id, year, sec);
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "school:%lld", (long long)id);
	e = audit_append(c, a->vault, actor, "school.add", object, code);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && out)
		e = schoolmail_school_get(c, id, out);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err schoolmail_school_set(struct app *a, const char *actor, const char *code,
			       const char *name, int grades, int classes, const char **why)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	struct school s;
	char object[48];
	enum err e = store_begin(c);
	*why = NULL;
	if (e == ERR_OK)
		e = schoolmail_school_find(c, code, &s);
	if (e == ERR_NOTFOUND)
		*why = "その学校コードの学校はありません。";
	if (e != ERR_OK)
		goto out;
	if (name && text_line_check(name, SCHOOLMAIL_NAME_MAX) != TEXT_OK) {
		*why = "学校名（--name）は1〜60文字で指定してください。";
		e = ERR_INVALID;
		goto out;
	}
	*why = size_problem(s.kind, grades ? grades : s.grades, classes ? classes : s.classes);
	if (*why) {
		e = ERR_INVALID;
		goto out;
	}
	if (grades && grades < s.grades) {
		/* Fewer grades would make families of the grades above leave at the next roll-over
		 * as if they had graduated: refused while any are registered. */
		st = store_prepare(c, "SELECT COUNT(*) FROM school_registrants WHERE school_id = ? "
				      "AND grade > ?");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, s.id);
		store_bind_int(st, 2, grades);
		if (store_step(st) != STORE_ROW)
			goto out;
		int64_t above = store_col_int(st, 0);
		store_finish(st);
		st = NULL;
		if (above > 0) {
			*why = "減らす学年にまだ登録者がいます。先に登録者を整理してください"
			       "（年度更新で卒業したことになってしまいます）。";
			e = ERR_CONFLICT;
			goto out;
		}
	}
	st = store_prepare(c, "UPDATE schools SET name = ?, grades = ?, classes = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, name ? name : s.name);
	store_bind_int(st, 2, grades ? grades : s.grades);
	store_bind_int(st, 3, classes ? classes : s.classes);
	store_bind_int(st, 4, s.id);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "school:%lld", (long long)s.id);
	char detail[64];
	snprintf(detail, sizeof detail, "grades=%d classes=%d", grades ? grades : s.grades,
		 classes ? classes : s.classes);
	e = audit_append(c, a->vault, actor, "school.update", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
