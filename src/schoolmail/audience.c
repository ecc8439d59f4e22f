/* SPDX-License-Identifier: MIT */
/* audience.c — whom a school send reaches: schools, grades of a school and classes of a grade,
 * chosen anew for each send and never remembered, as one canonical text ("E01", "E01:3",
 * "E01:3-2", joined by commas) that the bulk layer stores with the send; the registered
 * addresses it reaches as of now, each once, on its school's list (one list per school, so that
 * leaving one school's mail leaves no other's); whose scope covers it; and the footer line of
 * each recipient (the link to change or cancel the registration). */
#include "schoolmail/send.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "auth/role.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "bulk/bulk.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

/* ---- the canonical text ---- */

/* Orders targets by school code, then grade, then class (a whole school or grade first). */
static int target_cmp(const void *pa, const void *pb)
{
	const struct school_target *a = pa, *b = pb;
	int c = strcmp(a->code, b->code);
	if (c)
		return c;
	if (a->grade != b->grade)
		return a->grade < b->grade ? -1 : 1;
	return a->klass < b->klass ? -1 : a->klass > b->klass;
}

/* 1 when target a covers b (the same school, and a whole school, or b's grade, or equal). */
static int covers(const struct school_target *a, const struct school_target *b)
{
	return strcmp(a->code, b->code) == 0 &&
	       (a->grade == 0 || (a->grade == b->grade && (a->klass == 0 || a->klass == b->klass)));
}

int schoolmail_targets_parse(const char *text, struct school_target *t, size_t max, size_t *n)
{
	*n = 0;
	const char *p = text;
	if (!p || !*p)
		return -1;
	while (*p) {
		size_t len = strcspn(p, ",");
		char item[40];
		if (len == 0 || len >= sizeof item || *n >= max)
			return -1;
		memcpy(item, p, len);
		item[len] = '\0';
		struct school_target *x = &t[(*n)++];
		memset(x, 0, sizeof *x);
		char *colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		if (!item[0] || strlen(item) >= sizeof x->code ||
		    strspn(item, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(item))
			return -1;
		memcpy(x->code, item, strlen(item) + 1); /* shorter than code: checked above */
		if (colon) {
			char *end = NULL;
			long g = strtol(colon + 1, &end, 10);
			if (end == colon + 1 || g < 1 || g > SCHOOLMAIL_GRADES_MAX)
				return -1;
			x->grade = (int)g;
			if (*end == '-') {
				const char *cs = end + 1;
				long k = strtol(cs, &end, 10);
				if (end == cs || k < 1 || k > SCHOOLMAIL_CLASSES_MAX)
					return -1;
				x->klass = (int)k;
			}
			if (*end)
				return -1;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

enum err schoolmail_audience_make(struct store_conn *c, struct school_target *t, size_t n,
				  char **text, const char **why)
{
	struct buf b;
	enum err e = ERR_INVALID;
	*text = NULL;
	*why = "送信先（学校・学年・組）を1つ以上選んでください。";
	if (n == 0 || n > SCHOOLMAIL_TARGETS_MAX)
		return e;
	*why = NULL;
	for (size_t i = 0; i < n; i++) {
		struct school s;
		if (t[i].klass && !t[i].grade) {
			*why = "組を選ぶときは、学年も選んでください。";
			return ERR_INVALID;
		}
		e = schoolmail_school_find(c, t[i].code, &s);
		if (e == ERR_NOTFOUND) {
			*why = "送信先に、登録されていない学校・園があります。選び直してください。";
			return ERR_INVALID;
		}
		if (e != ERR_OK)
			return e;
		if (t[i].grade > s.grades || t[i].klass > s.classes) {
			*why =
			    "送信先に、その学校・園にない学年か組があります。選び直してください。";
			return ERR_INVALID;
		}
	}
	/* One canonical text: sorted, each target once, none that a broader one covers. */
	qsort(t, n, sizeof *t, target_cmp);
	buf_init(&b, BULK_AUDIENCE_MAX);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		int covered = 0;
		for (size_t j = 0; j < n && !covered; j++)
			covered = j != i && covers(&t[j], &t[i]) &&
				  (!covers(&t[i], &t[j]) || j < i); /* equal ones: keep the first */
		if (covered)
			continue;
		buf_printf(&b, "%s%s", kept++ ? "," : "", t[i].code);
		if (t[i].grade)
			buf_printf(&b, ":%d", t[i].grade);
		if (t[i].klass)
			buf_printf(&b, "-%d", t[i].klass);
	}
	if (!b.data) {
		*why = "送信先が長すぎます。学校・学年・組を減らしてください。";
		return ERR_INVALID;
	}
	*text = buf_steal(&b);
	return ERR_OK;
}

/* ---- the recipients ---- */

void schoolmail_list_name(const char *code, char *out, size_t n)
{
	char lower[16];
	size_t k = 0;
	for (; code[k] && k + 1 < sizeof lower; k++)
		lower[k] = (char)tolower((unsigned char)code[k]);
	lower[k] = '\0';
	snprintf(out, n, "school-%s", lower);
}

enum err schoolmail_list_declare(struct store_conn *c, const struct school *s)
{
	char name[MAIL_LIST_MAX], label[128];
	/* What the unsubscribe page calls it: the school's name (cut on a character's edge). */
	size_t len = strlen(s->name), cut = len < 90 ? len : 90;
	while (cut > 0 && cut < len && ((unsigned char)s->name[cut] & 0xc0) == 0x80)
		cut--;
	snprintf(label, sizeof label, "%.*sの一斉メール", (int)cut, s->name);
	schoolmail_list_name(s->code, name, sizeof name);
	struct mail_list l = {name, label, 1};
	return mail_list_declare(c, SCHOOLMAIL_SERVICE, &l);
}

/* The registrations (r, their school s) a canonical audience reaches. ?1 is the audience; a
 * registration is in it when its school, its school and grade, or its school, grade and class
 * is one of the items. */
#define AUDIENCE_WHERE                                                                             \
	" WHERE (instr(',' || ?1 || ',', ',' || s.code || ',') > 0 OR "                            \
	"instr(',' || ?1 || ',', ',' || s.code || ':' || r.grade || ',') > 0 OR "                  \
	"instr(',' || ?1 || ',', ',' || s.code || ':' || r.grade || '-' || r.class || ',') > 0)"

/* Emits one address (sealed email, its row id, the codes of its schools in the audience):
 * unsealed, on the list of the first of those schools it has not left. */
static enum err emit_address(struct app *a, struct store_conn *c, const void *sealed, size_t len,
			     int64_t address_id, char codes[][16], size_t ncodes, bulk_emit_fn emit,
			     void *ctx)
{
	const struct vault *v = schoolmail_vault(a);
	char *addr = NULL, list[MAIL_LIST_MAX];
	enum err e = vault_unseal(v, "school_addresses.email", sealed, len, &addr);
	if (e != ERR_OK)
		return e;
	schoolmail_list_name(codes[0], list, sizeof list);
	/* A family at two of the schools gets one mail, on a list it is still on. */
	for (size_t i = 0; i < ncodes && ncodes > 1 && e == ERR_OK; i++) {
		int left = 0;
		char name[MAIL_LIST_MAX];
		schoolmail_list_name(codes[i], name, sizeof name);
		e = mail_unsubscribed(c, v, addr, name, &left);
		if (e == ERR_OK && !left) {
			memcpy(list, name, sizeof list);
			break;
		}
	}
	if (e == ERR_OK) {
		struct bulk_recipient r = {addr, address_id, list};
		e = emit(ctx, &r);
	}
	vault_wipe_free(addr);
	return e;
}

static enum err audience(struct app *a, struct store_conn *c, const char *text, bulk_emit_fn emit,
			 void *ctx)
{
	struct school_target t[SCHOOLMAIL_TARGETS_MAX];
	size_t n = 0;
	if (schoolmail_targets_parse(text, t, SCHOOLMAIL_TARGETS_MAX, &n) != 0)
		return ERR_INVALID;
	/* Each school's list, declared where its mail is queued. */
	enum err e = ERR_OK;
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct school s;
		if (i > 0 && strcmp(t[i].code, t[i - 1].code) == 0)
			continue;
		e = schoolmail_school_find(c, t[i].code, &s);
		if (e == ERR_OK)
			e = schoolmail_list_declare(c, &s);
	}
	if (e != ERR_OK)
		return e;
	struct store_stmt *st = store_prepare(
	    c, "SELECT ad.id, ad.email_enc, s.code FROM school_registrants r JOIN schools s ON "
	       "s.id = r.school_id JOIN school_addresses ad ON ad.id = r.address_id" AUDIENCE_WHERE
	       " ORDER BY ad.id, s.code");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, text);
	int64_t cur = 0;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0, ncodes = 0;
	char codes[SCHOOLMAIL_TARGETS_MAX][16];
	int rc;
	while (e == ERR_OK && (rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int(st, 0);
		const char *code = store_col_text(st, 2);
		if (id != cur && cur) {
			e = emit_address(a, c, sealed, sealed_len, cur, codes, ncodes, emit, ctx);
			ncodes = 0;
		}
		if (id != cur) {
			size_t len = 0;
			const void *b = store_col_blob(st, 1, &len);
			sealed = xrealloc(sealed, len ? len : 1);
			memcpy(sealed, b, len);
			sealed_len = len;
			cur = id;
		}
		/* Two children at one school are one address, one school. */
		if (ncodes < SCHOOLMAIL_TARGETS_MAX &&
		    (ncodes == 0 || strcmp(codes[ncodes - 1], code) != 0))
			snprintf(codes[ncodes++], sizeof codes[0], "%s", code);
	}
	if (e == ERR_OK && rc != STORE_DONE)
		e = ERR_DB;
	if (e == ERR_OK && cur)
		e = emit_address(a, c, sealed, sealed_len, cur, codes, ncodes, emit, ctx);
	store_finish(st);
	free(sealed);
	return e;
}

enum err schoolmail_audience_count(struct store_conn *c, const char *text, size_t *n)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT count(DISTINCT r.address_id) FROM school_registrants r JOIN "
			     "schools s ON s.id = r.school_id" AUDIENCE_WHERE);
	*n = 0;
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, text);
	enum err e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
	if (e == ERR_OK)
		*n = (size_t)store_col_int(st, 0);
	store_finish(st);
	return e;
}

static enum err count(struct app *a, struct store_conn *c, const char *text, size_t *n)
{
	(void)a;
	return schoolmail_audience_count(c, text, n);
}

/* The schools an audience spans: a send to more than one waits for a second person. */
static size_t groups(const char *text)
{
	struct school_target t[SCHOOLMAIL_TARGETS_MAX];
	size_t n = 0, schools = 0;
	if (schoolmail_targets_parse(text, t, SCHOOLMAIL_TARGETS_MAX, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(t[i].code, t[j].code) == 0;
		schools += !seen;
	}
	return schools;
}

/* ---- scope ---- */

/* The school of the caller this thread is serving (set by the routes from school_users before
 * they call the bulk layer): in_scope never reads the database, so it needs no second
 * connection while the layer holds one. */
static _Thread_local struct {
	int64_t user_id;
	char code[16];
} caller;

void schoolmail_scope_caller(int64_t user_id, const char *code)
{
	caller.user_id = user_id;
	snprintf(caller.code, sizeof caller.code, "%s", code ? code : "");
}

/* The ward's roles act for every school; a school administrator or a sender for their own
 * school only (every target of the audience at it); anyone else for none. */
static int in_scope(struct app *a, const struct user *u, const char *text)
{
	(void)a;
	if (u->role == ROLE_WARD_ADMIN || u->role == ROLE_WARD_STAFF)
		return 1;
	if (!(u->role & ROLE_SCHOOL_USERS) || caller.user_id != u->id || !caller.code[0])
		return 0;
	struct school_target t[SCHOOLMAIL_TARGETS_MAX];
	size_t n = 0;
	if (schoolmail_targets_parse(text, t, SCHOOLMAIL_TARGETS_MAX, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].code, caller.code) != 0)
			return 0;
	return 1;
}

/* ---- views ---- */

static json_t *audience_json(const char *text)
{
	struct school_target t[SCHOOLMAIL_TARGETS_MAX];
	size_t n = 0;
	json_t *arr = json_array();
	if (schoolmail_targets_parse(text, t, SCHOOLMAIL_TARGETS_MAX, &n) != 0)
		return arr;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s}", "school", t[i].code);
		if (t[i].grade)
			json_object_set_new(o, "grade", json_integer(t[i].grade));
		if (t[i].klass)
			json_object_set_new(o, "class", json_integer(t[i].klass));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* ---- each recipient's footer ---- */

/* The link to change or cancel the registration at the recipient's school (its list): the
 * footer every mail to a registered address carries. */
static enum err footer(struct app *a, struct store_conn *c, const struct bulk_recipient *r,
		       struct buf *out)
{
	char code[16] = "";
	const char *l = r->list && strncmp(r->list, "school-", 7) == 0 ? r->list + 7 : "";
	size_t k = 0;
	for (; l[k] && k + 1 < sizeof code; k++)
		code[k] = (char)toupper((unsigned char)l[k]);
	code[k] = '\0';
	struct store_stmt *st = store_prepare(c, "SELECT id FROM schools WHERE code = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	int64_t school_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	return schoolmail_footer_line(out, schoolmail_vault(a), a->cfg.base_url, r->owner_id,
				      school_id);
}

const struct bulk_kind school_kind = {
    .service = SCHOOLMAIL_SERVICE,
    /* The kind's own list; each message goes out on its school's ("school-e01"), which may be
     * left on its own. */
    .list = {"school", "学校・園からのお知らせ", 1},
    .what_ja = "一斉メール",
    .footer_ja = "このメールは、学校・園の一斉メール配信から送っています。\n"
		 "送信専用のため、このメールには返信できません。\n",
    .four_eyes_multi = 1,
    .audience_key = "targets",
    .audience = audience,
    .count = count,
    .groups = groups,
    .in_scope = in_scope,
    .personal = schoolmail_personal,
    .audience_json = audience_json,
    .footer = footer,
};
