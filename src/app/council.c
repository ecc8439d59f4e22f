/* SPDX-License-Identifier: MIT */
/* council.c — the units the council approves (the platform and each service), the roles and
 * who is responsible among them, the check that the live schema is annotated, and the list of
 * designated handlers (取扱責任者・取扱者) from the accounts. */
#include "app/council.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/service.h"
#include "base/xalloc.h"
#include "http/http.h"
#include "routes.h"
#include "store/items.h"
#include "store/store.h"

size_t council_units(const char *only, struct council_unit *out)
{
	size_t n = 0;
	if (!only || strcmp(only, "platform") == 0)
		out[n++] = (struct council_unit){
		    "platform", "共通基盤（アカウント・監査ログ・メール）", routes_platform(), 0};
	for (const struct service *const *sv = app_services(); *sv && n < COUNCIL_UNITS_MAX; sv++)
		if (!only || strcmp(only, (*sv)->name) == 0)
			out[n++] = (struct council_unit){(*sv)->name, (*sv)->label_ja,
							 (*sv)->routes, (*sv)->benefit};
	return n;
}

int council_format_parse(const char *s, enum council_format *f)
{
	if (!s)
		return 0;
	if (strcmp(s, "md") == 0)
		*f = COUNCIL_MD;
	else if (strcmp(s, "pdf") == 0)
		*f = COUNCIL_PDF;
	else if (strcmp(s, "xlsx") == 0)
		*f = COUNCIL_XLSX;
	else
		return 0;
	return 1;
}

const char *council_format_ext(enum council_format f)
{
	return f == COUNCIL_PDF ? "pdf" : f == COUNCIL_XLSX ? "xlsx" : "md";
}

const char *council_format_type(enum council_format f)
{
	return f == COUNCIL_PDF	   ? "application/pdf"
	       : f == COUNCIL_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml"
				     ".sheet"
				   : "text/markdown; charset=utf-8";
}

/* The roles as the ward's pages name them (web/ward/shell.js ROLE_LABEL), and which are
 * responsible: the seeds' contracts ask the contractor to name 取扱責任者 (the person who
 * answers for the handling: the ward's administrator, the contractor's responsible person or
 * supervisor, a school's administrator, the bath pass's head office, the benefits' ward
 * approver, youth support's ward supervisor, the centre's manager) and 取扱者 (everyone else
 * who handles the data). Non-staff callers (kiosk, guardian, parent, public) are no handlers. */
static const struct {
	enum role role;
	const char *ja;
	int responsible;
} roles_ja[] = {
    {ROLE_WARD_ADMIN, "区の管理者", 1},
    {ROLE_WARD_STAFF, "区職員", 0},
    {ROLE_CONTRACTOR, "委託事業者（責任者）", 1},
    {ROLE_SITE_STAFF, "施設職員", 0},
    {ROLE_SCHOOL_ADMIN, "学校管理者", 1},
    {ROLE_SENDER, "送信者", 0},
    {ROLE_BATH_OFFICE, "入浴証 本庁担当", 1},
    {ROLE_BATH_BRANCH, "入浴証 出張所窓口", 0},
    {ROLE_GRANT_OPERATOR, "助成 事業者の担当者", 0},
    {ROLE_GRANT_SUPERVISOR, "助成 事業者の責任者", 1},
    {ROLE_GRANT_STAFF, "助成 区の担当職員", 0},
    {ROLE_GRANT_APPROVER, "助成 区の決定者", 1},
    {ROLE_PLAZA_STAFF, "共育プラザ 窓口職員", 0},
    {ROLE_YOUTH_WORKER, "ユースサポート 担当職員", 0},
    {ROLE_YOUTH_SUPERVISOR, "ユースサポート 区の統括", 1},
    {ROLE_CENTRE_STAFF, "発達支援センター 職員", 0},
    {ROLE_CENTRE_MANAGER, "発達支援センター 管理責任者", 1},
    {ROLE_COURSE_STAFF, "講座 担当者", 0},
    {ROLE_CENTRE_PARENT, "発達支援センター 保護者（本人の児童のみ）", -1},
    {ROLE_KIOSK, "入退室の端末", -1},
    {ROLE_GUARDIAN, "保護者（本人の児童のみ）", -1},
    {ROLE_PUBLIC, "誰でも（公開のページ・本人のリンク）", -1},
};

const char *council_role_ja(enum role r)
{
	for (size_t i = 0; i < sizeof roles_ja / sizeof *roles_ja; i++)
		if (roles_ja[i].role == r)
			return roles_ja[i].ja;
	return role_name(r);
}

int council_role_responsible(enum role r)
{
	for (size_t i = 0; i < sizeof roles_ja / sizeof *roles_ja; i++)
		if (roles_ja[i].role == r)
			return roles_ja[i].responsible == 1;
	return 0;
}

/* 1 for a staff role that can be a designated handler. */
static int role_handles(enum role r)
{
	for (size_t i = 0; i < sizeof roles_ja / sizeof *roles_ja; i++)
		if (roles_ja[i].role == r)
			return roles_ja[i].responsible >= 0;
	return 0;
}

/* The union of the roles of u's routes (bits of enum role only), but for the routes of one's
 * own session (sign-in, sign-out, one's password), which every account has. */
static unsigned unit_roles(const struct council_unit *u)
{
	unsigned r = 0;
	for (const struct http_route *rt = u->routes; rt && rt->method; rt++)
		if (!(rt->roles & HTTP_PASSWORD_DUE_OK)) /* one's own session: everyone's */
			r |= rt->roles;
	return r;
}

static int owner_known(const char *owner)
{
	struct council_unit units[COUNCIL_UNITS_MAX];
	return council_units(owner, units) > 0;
}

#define SYNTAX_ITEM "-- 項目: 日本語名; 一般|個人|要配慮[; 暗号化]"
#define SYNTAX_TABLE "-- 表: 日本語名; サービス名|platform[; 本人: 誰の情報か]"

enum err council_check(struct app *a, struct buf *report, size_t *problems)
{
	struct store_column *cols = NULL;
	size_t n = 0;
	*problems = 0;
	enum err e = store_columns_list(a->store, &cols, &n);
	if (e != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		const struct store_column *c = &cols[i];
		int first = i == 0 || strcmp(cols[i - 1].table, c->table) != 0;
		const struct store_item_table *t = store_item_table_find(c->table);
		if (first && !t) {
			buf_printf(
			    report,
			    "表 %s に注記がありません。移行（sql/NNNN_*.sql）の CREATE TABLE "
			    "の行に「%s」と書いてください\n",
			    c->table, SYNTAX_TABLE);
			++*problems;
		} else if (first && !owner_known(t->owner)) {
			buf_printf(report,
				   "表 %s の持ち主「%s」は登録されたサービスではありません"
				   "（サービス名か platform）\n",
				   c->table, t->owner);
			++*problems;
		}
		const struct store_item *it = store_item_find(c->table, c->column);
		if (!it) {
			buf_printf(
			    report,
			    "列 %s.%s に注記がありません。移行（sql/NNNN_*.sql）のその列の行に"
			    "「%s」と書いてください\n",
			    c->table, c->column, SYNTAX_ITEM);
			++*problems;
		} else if (it->sealed && !c->blob) {
			buf_printf(
			    report,
			    "列 %s.%s は暗号化と注記されていますが BLOB ではありません（%s）\n",
			    c->table, c->column, c->type);
			++*problems;
		}
	}
	store_columns_free(cols, n);
	return ERR_OK;
}

void council_people_free(struct council_person *p, size_t n)
{
	if (!p)
		return;
	for (size_t i = 0; i < n; i++)
		free(p[i].login);
	free(p);
}

/* 1 when the account user_id is scoped to the benefit service (grant_staff). */
static int grant_scoped(struct store_conn *c, int64_t user_id, const char *service)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT 1 FROM grant_staff WHERE user_id = ? AND service = ?");
	if (!st)
		return 0;
	store_bind_int(st, 1, user_id);
	store_bind_text(st, 2, service);
	int found = store_step(st) == STORE_ROW;
	store_finish(st);
	return found;
}

/* An active account, as read for council_staff. */
struct account {
	int64_t id;
	char *login;
	enum role role;
};

enum err council_staff(struct app *a, const char *only, struct council_person **out, size_t *n)
{
	struct council_unit units[COUNCIL_UNITS_MAX];
	size_t nu = council_units(only, units), len = 0, cap = 16, na = 0, acap = 16;
	*out = NULL;
	*n = 0;
	if (nu == 0)
		return ERR_NOTFOUND;
	struct council_person *p = xcalloc(cap, sizeof *p);
	struct account *acc = xcalloc(acap, sizeof *acc);
	enum err e = ERR_DB;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, login, role FROM users WHERE disabled = 0 ORDER BY login");
	int rc = st ? store_step(st) : -1;
	for (; rc == STORE_ROW; rc = store_step(st)) {
		if (na == acap) {
			acap *= 2;
			acc = xrealloc(acc, acap * sizeof *acc);
		}
		acc[na++] = (struct account){store_col_int(st, 0), xstrdup(store_col_text(st, 1)),
					     role_parse(store_col_text(st, 2))};
	}
	store_finish(st);
	if (rc != STORE_DONE)
		goto out;
	for (size_t u = 0; u < nu; u++) {
		unsigned roles = unit_roles(&units[u]);
		/* responsible ones first, then the handlers; each by login */
		for (int resp = 1; resp >= 0; resp--)
			for (size_t i = 0; i < na; i++) {
				enum role r = acc[i].role;
				if (!(roles & r) || !role_handles(r) ||
				    council_role_responsible(r) != resp)
					continue;
				if (units[u].benefit && (r & ROLE_GRANT_USERS) &&
				    !grant_scoped(c, acc[i].id, units[u].name))
					continue;
				if (len == cap) {
					cap *= 2;
					p = xrealloc(p, cap * sizeof *p);
				}
				p[len++] = (struct council_person){units[u].name, units[u].label,
								   resp, xstrdup(acc[i].login), r};
			}
	}
	e = ERR_OK;
out:
	store_release(c);
	for (size_t i = 0; i < na; i++)
		free(acc[i].login);
	free(acc);
	if (e != ERR_OK) {
		council_people_free(p, len);
		return e;
	}
	*out = p;
	*n = len;
	return ERR_OK;
}
