/* SPDX-License-Identifier: MIT */
/* user_admin.c — the ward administrator's management of staff accounts and a user's own
 * password change; the sign-in itself and its rules stay in user.c. */
#include "auth/user_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/password.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

static const struct {
	const char *role, *label;
} labels[] = {
	{"ward_admin", "区の管理者"},
	{"ward_staff", "区職員"},
	{"contractor", "委託事業者"},
	{"site_staff", "施設職員"},
	{"school_admin", "学校管理者"},
	{"sender", "送信者（校長・副校長）"},
	{"bath_office", "入浴証 本庁担当"},
	{"bath_branch", "入浴証 出張所窓口"},
	{"grant_operator", "助成 事業者の担当者"},
	{"grant_supervisor", "助成 事業者の責任者"},
	{"grant_staff", "助成 区の担当職員"},
	{"grant_approver", "助成 区の決定者"},
	{"plaza_staff", "共育プラザ 窓口職員"},
	{"youth_worker", "ユースサポート 担当職員"},
	{"youth_supervisor", "ユースサポート 区の統括"},
	{"centre_staff", "発達支援センター 職員"},
	{"centre_manager", "発達支援センター 管理責任者"},
	{"centre_parent", "発達支援センター 保護者"},
	{"course_staff", "講座 担当者"},
};

const char *user_role_label(const char *role)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].role, role) == 0)
			return labels[i].label;
	return role;
}

/* Checks a role and its sites; NULL when acceptable, else a static Japanese reason. */
static const char *role_sites_problem(const char *role, size_t nsites)
{
	enum role r = role_parse(role ? role : "");
	if (r == ROLE_NONE)
		return "役割は 区の管理者・区職員・委託事業者・施設職員・学校管理者・送信者・入浴証 本庁担当・"
		       "入浴証 出張所窓口・助成 事業者の担当者・助成 事業者の責任者・助成 区の担当職員・"
		       "助成 区の決定者・共育プラザ 窓口職員・ユースサポート 担当職員・ユースサポート 区の統括・"
		       "発達支援センター 職員・発達支援センター 管理責任者・発達支援センター 保護者・講座 担当者"
		       " のどれかを選んでください。";
	if (r == ROLE_SITE_STAFF && nsites == 0)
		return "施設職員には担当する施設を1つ以上選んでください。";
	if (r != ROLE_SITE_STAFF && nsites > 0)
		return "担当施設を選べるのは施設職員だけです（他の役割はすべての施設を扱います）。";
	if (nsites > USER_MAX_SITES)
		return "担当施設が多すぎます。";
	return NULL;
}

/* Replaces id's sites with the codes given, on c inside the caller's transaction. ERR_INVALID
 * with *why for an unknown code. */
static enum err set_sites(struct store_conn *c, int64_t id, const char *const *sites,
			  size_t nsites, const char **why)
{
	struct store_stmt *st = store_prepare(c, "DELETE FROM user_sites WHERE user_id = ?");
	enum err e = ERR_DB;
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	e = store_run(st);
	store_finish(st);
	for (size_t i = 0; i < nsites && e == ERR_OK; i++) {
		st = store_prepare(c, "INSERT INTO user_sites(user_id, site_id) "
				      "SELECT ?, id FROM sites WHERE code = ? ON CONFLICT DO NOTHING");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, sites[i]);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && store_changes(c) != 1) {
			/* A code twice is harmless; a code that is no site is not. */
			int dup = 0;
			for (size_t k = 0; k < i; k++)
				dup |= strcmp(sites[k], sites[i]) == 0;
			if (!dup) {
				*why = "存在しない施設が選ばれています。";
				e = ERR_INVALID;
			}
		}
	}
	return e;
}

/* "role=R sites=A,B" for the audit detail. */
static void role_detail(char *out, size_t n, const char *role, const char *const *sites,
			size_t nsites)
{
	size_t len = (size_t)snprintf(out, n, "role=%s sites=", role);
	for (size_t i = 0; i < nsites && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "", sites[i]);
	if (nsites == 0 && len < n)
		snprintf(out + len, n - len, "*");
}

#define RETIRED_WHY "廃止したアカウントは変更できません。"

static enum err run_id(struct store_conn *c, const char *sql, int64_t id)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Fills the sites of the rows in v (n rows) on c. */
static enum err load_sites(struct store_conn *c, struct user_row *r)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.code FROM user_sites us JOIN sites s ON s.id = us.site_id "
	       "WHERE us.user_id = ? ORDER BY s.code");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, r->id);
	r->nsites = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW && r->nsites < USER_MAX_SITES)
		snprintf(r->site_codes[r->nsites++], sizeof r->site_codes[0], "%s",
			 store_col_text(st, 0));
	store_finish(st);
	return rc < 0 ? ERR_DB : ERR_OK;
}

#define ROW_COLUMNS                                                                              \
	"SELECT id, login, role, disabled, locked_until_ms, failed_count, must_change_password, " \
	"created_ms, (SELECT count(*) FROM user_totp t WHERE t.user_id = users.id AND "          \
	"t.confirmed_ms IS NOT NULL), retired_ms FROM users "

static void read_row(struct store_stmt *st, struct user_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = store_col_int(st, 0);
	snprintf(r->login, sizeof r->login, "%s", store_col_text(st, 1));
	snprintf(r->role, sizeof r->role, "%s", store_col_text(st, 2));
	r->locked = store_col_int(st, 3) != 0;
	r->locked_until_ms = store_col_int(st, 4);
	r->failed_count = store_col_int(st, 5);
	r->must_change_password = store_col_int(st, 6) != 0;
	r->created_ms = store_col_int(st, 7);
	r->second_factor = store_col_int(st, 8) != 0;
	r->retired_ms = store_col_int(st, 9);
}

enum err user_admin_list(struct store *s, struct user_row **rows, size_t *n)
{
	struct user_row *v = NULL;
	size_t len = 0, cap = 0;
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, ROW_COLUMNS "ORDER BY login");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		read_row(st, &v[len++]);
	}
	store_finish(st);
	st = NULL;
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
	for (size_t i = 0; i < len && e == ERR_OK; i++)
		e = load_sites(c, &v[i]);
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		free(v);
		return e;
	}
	*rows = v;
	*n = len;
	return ERR_OK;
}

/* Loads account id on c. */
static enum err get_on(struct store_conn *c, int64_t id, struct user_row *row)
{
	struct store_stmt *st = store_prepare(c, ROW_COLUMNS "WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		read_row(st, row);
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	return load_sites(c, row);
}

/* Begins a write transaction on a connection of s put in *c and loads account id into *row;
 * with live_only, a retired account is refused (ERR_CONFLICT). *why says why (static Japanese)
 * for a missing or retired account. The caller rolls back and releases *c, also after an
 * error. */
static enum err begin_on(struct store *s, int64_t id, int live_only, struct store_conn **c,
			 struct user_row *row, const char **why)
{
	*c = store_acquire(s);
	*why = NULL;
	enum err e = store_begin(*c);
	if (e == ERR_OK)
		e = get_on(*c, id, row);
	if (e == ERR_NOTFOUND)
		*why = "その利用者はいません。";
	if (e == ERR_OK && live_only && row->retired_ms) {
		*why = RETIRED_WHY;
		e = ERR_CONFLICT;
	}
	return e;
}

enum err user_admin_get(struct store *s, int64_t id, struct user_row *row)
{
	struct store_conn *c = store_acquire(s);
	enum err e = get_on(c, id, row);
	store_release(c);
	return e;
}

/* Returns the number of unlocked ward administrators other than id, or -1 on error. */
static int64_t other_admins(struct store_conn *c, int64_t id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT COUNT(*) FROM users WHERE role = 'ward_admin' AND disabled = 0 AND id <> ?");
	int64_t n = -1;
	if (!st)
		return -1;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW)
		n = store_col_int(st, 0);
	store_finish(st);
	return n;
}

static enum err audit_user(struct store_conn *c, const struct vault *v, const char *actor,
			   const char *action, int64_t id, const char *detail)
{
	char object[48];
	snprintf(object, sizeof object, "user:%lld", (long long)id);
	return audit_append(c, v, actor, action, object, detail);
}

/* A random first (or reset) password a person reads off the screen and types: 16 characters
 * without look-alikes (no 0/O/o, 1/l/I/i, 8/B, 5/S, 2/Z), about 88 bits. */
static char *random_password(void)
{
	static const char alphabet[] = "abcdefghjkmnpqrtuvwxyACDEFGHJKLMNPQRTUVWXY34679";
	char *pw = xmalloc(17);
	for (size_t i = 0; i < 16; i++)
		pw[i] = alphabet[vault_random_uniform(sizeof alphabet - 1)];
	pw[16] = '\0';
	return pw;
}

enum err user_admin_add(struct store *s, const struct vault *v, const char *actor,
			const char *login, const char *role, const char *const *sites,
			size_t nsites, char **password, int64_t *id, const char **why)
{
	char *pw = NULL, *hash = NULL, detail[1200];
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e = ERR_INVALID;
	*why = NULL;
	if (!login || !user_login_ok(login)) {
		*why = "ログインIDは2〜60文字の英数字と - _ . で入力してください。";
		goto out;
	}
	*why = role_sites_problem(role, nsites);
	if (*why)
		goto out;
	pw = random_password();
	e = vault_password_hash(pw, &hash);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(s);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO users(login, role, password_hash, created_ms, "
			      "must_change_password) VALUES (?, ?, ?, ?, 1)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, login);
	store_bind_text(st, 2, role);
	store_bind_text(st, 3, hash);
	store_bind_int(st, 4, clock_now_ms());
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_CONFLICT)
		*why = "そのログインIDはすでに使われています。";
	if (e != ERR_OK)
		goto out;
	*id = store_last_id(c);
	e = set_sites(c, *id, sites, nsites, why);
	if (e != ERR_OK)
		goto out;
	role_detail(detail, sizeof detail, role, sites, nsites);
	e = audit_user(c, v, actor, "user.add", *id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	vault_wipe_free(hash);
	if (e != ERR_OK) {
		vault_wipe_free(pw);
		return e;
	}
	*password = pw;
	return ERR_OK;
}

enum err user_admin_set_role(struct store *s, const struct vault *v, const char *actor,
			     int64_t admin_id, int64_t id, const char *role,
			     const char *const *sites, size_t nsites, const char **why)
{
	struct user_row row;
	char detail[1200];
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e = ERR_INVALID;
	*why = role_sites_problem(role, nsites);
	if (*why)
		return ERR_INVALID;
	e = begin_on(s, id, 1, &c, &row, why);
	if (e != ERR_OK)
		goto out;
	if (strcmp(row.role, role) != 0 && id == admin_id) {
		*why = "自分の役割は変えられません。別の区の管理者に依頼してください。";
		e = ERR_CONFLICT;
		goto out;
	}
	if (strcmp(row.role, "ward_admin") == 0 && strcmp(role, "ward_admin") != 0 &&
	    !row.locked && other_admins(c, id) == 0) {
		*why = "区の管理者が1人もいなくなるため、役割を変えられません。";
		e = ERR_CONFLICT;
		goto out;
	}
	st = store_prepare(c, "UPDATE users SET role = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, role);
	store_bind_int(st, 2, id);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_OK)
		e = set_sites(c, id, sites, nsites, why);
	/* A new role applies to the next request already (the role is read on each); its open
	 * sessions may stay. */
	role_detail(detail, sizeof detail, role, sites, nsites);
	if (e == ERR_OK)
		e = audit_user(c, v, actor, "user.update", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err user_admin_lock(struct store *s, const struct vault *v, const char *actor,
			 int64_t admin_id, int64_t id, int lock, const char **why)
{
	struct user_row row;
	struct store_conn *c = NULL;
	enum err e = begin_on(s, id, 1, &c, &row, why);
	if (e != ERR_OK)
		goto out;
	if (lock && id == admin_id) {
		*why = "自分のアカウントはロックできません。";
		e = ERR_CONFLICT;
		goto out;
	}
	if (lock && strcmp(row.role, "ward_admin") == 0 && other_admins(c, id) == 0) {
		*why = "区の管理者が1人もいなくなるため、ロックできません。";
		e = ERR_CONFLICT;
		goto out;
	}
	e = run_id(c,
		   lock ? "UPDATE users SET disabled = 1 WHERE id = ?"
			: "UPDATE users SET disabled = 0, failed_count = 0, last_failed_ms = 0, "
			  "locked_until_ms = 0 WHERE id = ?",
		   id);
	if (e == ERR_OK && lock)
		e = run_id(c, "DELETE FROM sessions WHERE user_id = ?", id);
	if (e == ERR_OK)
		e = audit_user(c, v, actor, lock ? "user.lock" : "user.unlock", id, row.role);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	return e;
}

/* What retiring an account deletes besides its row's login and password: whatever else of the
 * platform's names or lets the account in. */
static const char *const retire_sql[] = {
    "DELETE FROM sessions WHERE user_id = ?",
    "DELETE FROM device_cookies WHERE user_id = ?",
    "DELETE FROM approved_devices WHERE user_id = ?",
    "DELETE FROM totp_challenges WHERE user_id = ?",
    "DELETE FROM user_totp_recovery WHERE user_id = ?",
    "DELETE FROM user_totp WHERE user_id = ?",
    "DELETE FROM user_sites WHERE user_id = ?",
    "DELETE FROM grant_staff WHERE user_id = ?",
};

enum err user_retire_on(struct store_conn *c, const struct vault *v, const char *actor,
			int64_t id, const char *detail)
{
	char login[48];
	/* A name no one can sign in with or choose (':' is not allowed in a login). */
	snprintf(login, sizeof login, "retired:%lld", (long long)id);
	struct store_stmt *st = store_prepare(
	    c, "UPDATE users SET login = ?, password_hash = '!', disabled = 1, "
	       "must_change_password = 0, failed_count = 0, last_failed_ms = 0, "
	       "locked_until_ms = 0, retired_ms = ? WHERE id = ? AND retired_ms = 0");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, login);
	store_bind_int(st, 2, clock_now_ms());
	store_bind_int(st, 3, id);
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && store_changes(c) != 1)
		e = ERR_NOTFOUND;
	for (size_t i = 0; e == ERR_OK && i < sizeof retire_sql / sizeof retire_sql[0]; i++)
		e = run_id(c, retire_sql[i], id);
	if (e == ERR_OK)
		e = audit_user(c, v, actor, "user.retire", id, detail);
	return e;
}

enum err user_admin_retire(struct store *s, const struct vault *v, const char *actor,
			   int64_t admin_id, int64_t id, const char **why)
{
	struct user_row row;
	struct store_conn *c = NULL;
	enum err e = begin_on(s, id, 0, &c, &row, why);
	if (e != ERR_OK)
		goto out;
	e = ERR_CONFLICT;
	if (row.retired_ms) {
		*why = "そのアカウントはすでに廃止しています。";
		goto out;
	}
	if (id == admin_id) {
		*why = "自分のアカウントは廃止できません。別の区の管理者に依頼してください。";
		goto out;
	}
	if (strcmp(row.role, "ward_admin") == 0 && !row.locked && other_admins(c, id) == 0) {
		*why = "区の管理者が1人もいなくなるため、廃止できません。";
		goto out;
	}
	e = user_retire_on(c, v, actor, id, row.role);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	return e;
}

enum err user_admin_reset_password(struct store *s, const struct vault *v, const char *actor,
				   int64_t id, char **password, const char **why)
{
	struct user_row row;
	char *pw = random_password(), *hash = NULL;
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e = vault_password_hash(pw, &hash);
	*why = NULL;
	if (e != ERR_OK)
		goto out;
	e = begin_on(s, id, 1, &c, &row, why);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE users SET password_hash = ?, must_change_password = 1, "
			      "failed_count = 0, last_failed_ms = 0, locked_until_ms = 0 WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, hash);
	store_bind_int(st, 2, id);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_OK)
		e = run_id(c, "DELETE FROM sessions WHERE user_id = ?", id);
	if (e == ERR_OK)
		e = audit_user(c, v, actor, "user.password.reset", id, row.role);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	vault_wipe_free(hash);
	if (e != ERR_OK) {
		vault_wipe_free(pw);
		return e;
	}
	*password = pw;
	return ERR_OK;
}

enum err user_change_password(struct store *s, const struct vault *v, const struct user *u,
			      const char *current, const char *new_password, int64_t *retry_ms,
			      const char **why)
{
	struct user checked;
	char *hash = NULL;
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e = ERR_INVALID;
	*why = NULL;
	*retry_ms = 0;
	/* The same rules as every password (length, common passwords, the login or a site code
	 * inside it). */
	const char *site_codes[USER_MAX_SITES];
	for (size_t i = 0; i < u->nsites; i++)
		site_codes[i] = u->site_codes[i];
	*why = auth_password_refusal(new_password, u->login, site_codes, u->nsites);
	if (*why)
		return ERR_INVALID;
	if (strcmp(new_password, current) == 0) {
		*why = "新しいパスワードは今のパスワードと違うものにしてください。";
		return ERR_INVALID;
	}
	/* The current password is checked as a sign-in is: failures count toward the delay and
	 * the lockout, so a session left open cannot be used to guess it. */
	e = user_sign_in(s, v, u->login, current, &checked, retry_ms);
	if (e == ERR_UNAUTH)
		*why = "今のパスワードが違います。";
	if (e == ERR_TOOMANY)
		*why = "パスワードの誤りが続いたため、しばらく待ってからもう一度お試しください。";
	if (e != ERR_OK)
		return e;
	if (checked.id != u->id)
		return ERR_UNAUTH;
	e = vault_password_hash(new_password, &hash);
	if (e != ERR_OK)
		return e;
	c = store_acquire(s);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	/* password_changed_ms: the term rule (password_term.h) counts from the owner's change. */
	st = store_prepare(c, "UPDATE users SET password_hash = ?, must_change_password = 0, "
			      "password_changed_ms = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, hash);
	store_bind_int(st, 2, clock_now_ms());
	store_bind_int(st, 3, u->id);
	e = store_run(st);
	if (e == ERR_OK) {
		char actor[48];
		snprintf(actor, sizeof actor, "user:%lld", (long long)u->id);
		e = audit_user(c, v, actor, "user.password.change", u->id,
			       u->must_change_password ? "required" : "");
	}
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	vault_wipe_free(hash);
	return e;
}
