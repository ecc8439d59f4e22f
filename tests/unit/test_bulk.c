/* SPDX-License-Identifier: MIT */
/* test_bulk.c — unit tests for src/bulk/ on a real data directory (SQLite file, keys): a test
 * service's kind of bulk mail composed, refused for personal data, approved by a second person
 * within scope only, scheduled and sent at its time (or refused then), read once, re-sent to
 * those who have not read it, withdrawn; templates. The mail's rows are checked in the outbox. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "app.h"
#include "auth/role.h"
#include "base/buf.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "bulk/bulk.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define PW "correct horse battery"
#define HOUR (3600 * 1000LL)

/* The test service's people: an address, its owner id and its group. */
static const struct {
	const char *address;
	int64_t owner;
	const char *group;
} people[] = {
    {"a1@example.jp", 11, "g1"},
    {"a2@example.jp", 12, "g1"},
    {"b1@example.jp", 21, "g2"},
};
/* A name the test service refuses in a message (folded), changed by a test. */
static const char *registered_name = "やまだはなこ";

static int member(const char *audience, const char *group)
{
	if (strcmp(audience, "*") == 0)
		return 1;
	const char *p = strstr(audience, group);
	return p && (p == audience || p[-1] == ',') && (p[2] == '\0' || p[2] == ',');
}

static enum err audience(struct app *a, struct store_conn *c, const char *aud, bulk_emit_fn emit,
			 void *ctx)
{
	(void)a;
	(void)c;
	enum err e = ERR_OK;
	for (size_t i = 0; i < sizeof people / sizeof people[0] && e == ERR_OK; i++)
		if (member(aud, people[i].group)) {
			struct bulk_recipient r = {people[i].address, people[i].owner, NULL};
			e = emit(ctx, &r);
		}
	return e;
}

static enum err count(struct app *a, struct store_conn *c, const char *aud, size_t *n)
{
	(void)a;
	(void)c;
	*n = 0;
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		*n += (size_t)member(aud, people[i].group);
	return ERR_OK;
}

static size_t groups(const char *aud)
{
	if (strcmp(aud, "*") == 0)
		return 0;
	size_t n = 1;
	for (const char *p = aud; *p; p++)
		n += *p == ',';
	return n;
}

/* Ward admins cover everything; site staff the groups named by their site codes. */
static int in_scope(struct app *a, const struct user *u, const char *aud)
{
	(void)a;
	if (u->role == ROLE_WARD_ADMIN)
		return 1;
	if (strcmp(aud, "*") == 0)
		return 0;
	for (const char *p = aud; *p;) {
		size_t n = strcspn(p, ",");
		int mine = 0;
		for (size_t i = 0; i < u->nsites; i++)
			mine |=
			    strlen(u->site_codes[i]) == n && strncmp(u->site_codes[i], p, n) == 0;
		if (!mine)
			return 0;
		p += n + (p[n] == ',');
	}
	return 1;
}

static enum err personal(struct app *a, const char *folded, const char **why)
{
	(void)a;
	if (strstr(folded, registered_name)) {
		*why = "登録されている名前が含まれています。";
		return ERR_INVALID;
	}
	return ERR_OK;
}

static json_t *audience_json(const char *aud)
{
	return json_string(aud);
}

static const struct bulk_kind kind = {
    .service = "testsvc",
    .list = {"notice-test", "テストのお知らせ", 1},
    .what_ja = "お知らせ",
    .footer_ja = "テストの一斉配信です。\n",
    .four_eyes_multi = 1,
    .audience_key = "groups",
    .audience = audience,
    .count = count,
    .groups = groups,
    .in_scope = in_scope,
    .personal = personal,
    .audience_json = audience_json,
};

struct env {
	char dir[64];
	struct app *a;
	struct user admin, admin2, staff1, staff12;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void add_user(struct env *e, const char *login, const char *role, const char *const *sites,
		     size_t n, struct user *u)
{
	const char *why = NULL;
	assert_int_equal(user_add(e->a->store, e->a->vault, login, role, sites, n, PW, &why),
			 ERR_OK);
	int64_t retry = 0;
	assert_int_equal(user_sign_in(e->a->store, e->a->vault, login, PW, u, &retry), ERR_OK);
}

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/mimamori-bulk-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	char *dir = xasprintf("%s/data", e->dir);
	assert_int_equal(app_init_dir(dir), ERR_OK);
	assert_int_equal(app_open(dir, 2, &e->a), ERR_OK);
	free(dir);
	struct store_conn *c = store_acquire(e->a->store);
	assert_int_equal(store_exec(c, "INSERT INTO sites(code, name, type) VALUES "
				       "('g1', 'one', 'gakudo'), ('g2', 'two', 'gakudo')"),
			 ERR_OK);
	store_release(c);
	const char *g1[] = {"g1"}, *g12[] = {"g1", "g2"};
	add_user(e, "admin1", "ward_admin", NULL, 0, &e->admin);
	add_user(e, "admin2", "ward_admin", NULL, 0, &e->admin2);
	add_user(e, "staff1", "site_staff", g1, 1, &e->staff1);
	add_user(e, "staff12", "site_staff", g12, 2, &e->staff12);
	clock_set_now_ms(1900000000000LL);
	clock_hold(1);
	registered_name = "やまだはなこ";
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	clock_hold(0);
	app_close(e->a);
	nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

/* Returns the first column of sql bound with text arg (or nothing). */
static int64_t query_int(struct env *e, const char *sql, const char *arg)
{
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st = store_prepare(c, sql);
	assert_non_null(st);
	if (arg)
		store_bind_text(st, 1, arg);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t v = store_col_int(st, 0);
	store_finish(st);
	store_release(c);
	return v;
}

/* Records every queued mail as delivered, as the sender does once the relay took it. */
static void all_delivered(struct env *e)
{
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st = store_prepare(c, "UPDATE outbox SET state = 'sent' WHERE state = "
						 "'queued'");
	assert_non_null(st);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
	store_release(c);
}

static enum err compose(struct env *e, const struct user *u, const char *aud, const char *subject,
			const char *body, int64_t at_ms, int read, struct bulk_result *res)
{
	const char *why = NULL;
	struct bulk_draft d = {aud, subject, body, at_ms, read};
	return bulk_compose(e->a, &kind, u, "test", &d, res, &why);
}

/* One group: queued at once, one row per recipient, sealed under the service's key and marked
 * as its own, with each recipient's owner id. */
static void test_compose_queues_at_once(void **state)
{
	struct env *e = *state;
	struct bulk_result res;
	assert_int_equal(compose(e, &e->admin, "g1", "件名", "本文", 0, 0, &res), ERR_OK);
	assert_string_equal(res.state, "sent");
	assert_int_equal(res.recipients, 2);
	assert_int_equal(query_int(e,
				   "SELECT count(*) FROM outbox WHERE send_id = ? AND "
				   "service = 'testsvc' AND list = 'notice-test' AND kind = 'bulk'",
				   "notice-test:1"),
			 2);
	assert_int_equal(
	    query_int(e, "SELECT sum(owner_id) FROM outbox WHERE send_id = ?", "notice-test:1"),
	    11 + 12);
	/* The list was declared as the service's, and may be left. */
	assert_int_equal(query_int(e,
				   "SELECT may_leave FROM mail_lists WHERE name = ? AND "
				   "service = 'testsvc'",
				   "notice-test"),
			 1);
	/* Sealed under testsvc's key: the platform's does not open it, the service's does. */
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st = store_prepare(c, "SELECT body_enc FROM outbox ORDER BY id LIMIT 1");
	assert_int_equal(store_step(st), STORE_ROW);
	size_t len;
	const void *b = store_col_blob(st, 0, &len);
	char *plain = NULL;
	assert_int_equal(vault_unseal(e->a->vault, "outbox.body", b, len, &plain), ERR_CRYPTO);
	assert_int_equal(vault_unseal(app_vault(e->a, "testsvc"), "outbox.body", b, len, &plain),
			 ERR_OK);
	assert_non_null(strstr(plain, "本文\n\n--\nテストの一斉配信です。"));
	vault_wipe_free(plain);
	store_finish(st);
	store_release(c);
	struct bulk_send_view v;
	c = store_acquire(e->a->store);
	assert_int_equal(bulk_send_get(e->a, &kind, c, res.id, 1, &v), ERR_OK);
	assert_string_equal(v.subject, "件名");
	assert_string_equal(v.body, "本文");
	assert_int_equal(v.total, 2);
	assert_string_equal(v.author, "admin1");
	assert_string_equal(v.approver, "");
	bulk_send_view_free(&v);
	store_release(c);
}

/* Refusals: personal data of the service's people, a phone number, a bad shape; nothing is
 * stored; the preview counts without storing. */
static void test_refusals_and_preview(void **state)
{
	struct env *e = *state;
	struct bulk_result res;
	const char *why = NULL, *code = NULL;
	assert_int_equal(compose(e, &e->admin, "g1", "お知らせ", "山田 花子 さんへ", 0, 0, &res),
			 ERR_OK); /* not folded into a name the kind knows: kana only */
	assert_int_equal(
	    compose(e, &e->admin, "g1", "お知らせ", "やまだ　はなこさんへ", 0, 0, &res),
	    ERR_INVALID);
	assert_string_equal(res.code, "personal_data");
	assert_int_equal(
	    compose(e, &e->admin, "g1", "お知らせ", "０９０－１２３４－５６７８", 0, 0, &res),
	    ERR_INVALID);
	assert_string_equal(res.code, "personal_data");
	assert_int_equal(compose(e, &e->admin, "g1", "", "本文", 0, 0, &res), ERR_INVALID);
	assert_int_equal(compose(e, &e->admin, "", "件名", "本文", 0, 0, &res), ERR_INVALID);
	assert_int_equal(query_int(e, "SELECT count(*) FROM bulk_sends", NULL), 1);
	assert_int_equal(query_int(e,
				   "SELECT count(*) FROM audit WHERE action = "
				   "'notice-test.refused'",
				   NULL),
			 2);
	size_t n = 0;
	int needs = 0;
	struct bulk_draft d = {"g1,g2", "件名", "本文", 0, 0};
	assert_int_equal(bulk_preview(e->a, &kind, &e->admin, &d, &n, &needs, &why, &code), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(needs, 1);
	d.audience = "*";
	assert_int_equal(bulk_preview(e->a, &kind, &e->staff12, &d, &n, &needs, &why, &code),
			 ERR_FORBIDDEN);
	assert_string_equal(code, "out_of_scope");
	assert_int_equal(query_int(e, "SELECT count(*) FROM bulk_sends", NULL), 1);
}

/* Four eyes within scope: the author neither approves nor rejects; a site-scoped approver
 * decides only for an audience inside their groups; the approver is recorded. */
static void test_four_eyes_and_scope(void **state)
{
	struct env *e = *state;
	struct bulk_result res, r2;
	const char *why = NULL;
	assert_int_equal(compose(e, &e->admin, "g1,g2", "二つ", "本文", 0, 0, &res), ERR_OK);
	assert_string_equal(res.state, "awaiting_approval");
	assert_int_equal(res.recipients, 3);
	for (int approve = 0; approve <= 1; approve++) {
		assert_int_equal(
		    bulk_decide(e->a, &kind, &e->admin, "test", res.id, approve, &r2, &why),
		    ERR_FORBIDDEN);
		assert_string_equal(r2.code, "second_approver_required");
		assert_int_equal(
		    bulk_decide(e->a, &kind, &e->staff1, "test", res.id, approve, &r2, &why),
		    ERR_FORBIDDEN);
		assert_string_equal(r2.code, "out_of_scope");
	}
	assert_int_equal(query_int(e, "SELECT count(*) FROM outbox", NULL), 0);
	assert_int_equal(bulk_decide(e->a, &kind, &e->staff12, "test", res.id, 1, &r2, &why),
			 ERR_OK);
	assert_string_equal(r2.state, "sent");
	assert_int_equal(r2.recipients, 3);
	assert_int_equal(query_int(e, "SELECT approver_id FROM bulk_sends WHERE id = 1", NULL),
			 e->staff12.id);
	assert_int_equal(bulk_decide(e->a, &kind, &e->admin2, "test", res.id, 0, &r2, &why),
			 ERR_CONFLICT);
	assert_string_equal(r2.code, "already_decided");
	/* To everyone: only a ward-wide approver; a rejection records who rejected. */
	assert_int_equal(compose(e, &e->admin, "*", "全員", "本文", 0, 0, &res), ERR_OK);
	assert_int_equal(bulk_decide(e->a, &kind, &e->staff12, "test", res.id, 0, &r2, &why),
			 ERR_FORBIDDEN);
	assert_int_equal(bulk_decide(e->a, &kind, &e->admin2, "test", res.id, 0, &r2, &why),
			 ERR_OK);
	assert_string_equal(r2.state, "rejected");
	assert_int_equal(query_int(e, "SELECT approver_id FROM bulk_sends WHERE id = 2", NULL),
			 e->admin2.id);
	/* Site staff see only their groups' sends. */
	struct bulk_send_view *v = NULL;
	size_t n = 0;
	struct store_conn *c = store_acquire(e->a->store);
	assert_int_equal(bulk_send_list(e->a, &kind, &e->staff12, c, 10, &v, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, 1);
	assert_string_equal(v[0].approver, "staff12");
	bulk_send_view_free(&v[0]);
	free(v);
	assert_int_equal(bulk_send_list(e->a, &kind, &e->admin, c, 10, &v, &n), ERR_OK);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		bulk_send_view_free(&v[i]);
	free(v);
	store_release(c);
}

/* A scheduled send goes at its time, with the text checked again then; one that now holds
 * personal data is refused; one withdrawn never goes. */
static void test_scheduled(void **state)
{
	struct env *e = *state;
	struct bulk_result res, later, gone, r2;
	const char *why = NULL;
	const struct bulk_kind *const kinds[] = {&kind, NULL};
	int64_t t0 = clock_now_ms();
	size_t sent = 0;
	assert_int_equal(compose(e, &e->admin, "g2", "朝の連絡", "本文", t0 + HOUR, 0, &res),
			 ERR_OK);
	assert_string_equal(res.state, "scheduled");
	assert_int_equal(
	    compose(e, &e->admin, "g1", "さとうさんの件", "本文", t0 + 2 * HOUR, 0, &later),
	    ERR_OK);
	assert_int_equal(compose(e, &e->admin, "g1", "取り消す", "本文", t0 + HOUR, 0, &gone),
			 ERR_OK);
	assert_int_equal(bulk_cancel(e->a, &kind, &e->staff1, "test", gone.id, &r2, &why),
			 ERR_FORBIDDEN);
	assert_int_equal(bulk_cancel(e->a, &kind, &e->admin, "test", gone.id, &r2, &why), ERR_OK);
	assert_int_equal(bulk_cancel(e->a, &kind, &e->admin, "test", gone.id, &r2, &why),
			 ERR_CONFLICT);
	/* In the past, or too far ahead. */
	assert_int_equal(compose(e, &e->admin, "g1", "x", "y", t0 - 1, 0, &r2), ERR_INVALID);
	assert_int_equal(compose(e, &e->admin, "g1", "x", "y", t0 + 32 * 24 * HOUR, 0, &r2),
			 ERR_INVALID);
	assert_int_equal(bulk_run_due(e->a, kinds, t0 + HOUR - 1, &sent), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(query_int(e, "SELECT count(*) FROM outbox", NULL), 0);
	assert_int_equal(bulk_run_due(e->a, kinds, t0 + HOUR, &sent), ERR_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(
	    query_int(e, "SELECT count(*) FROM outbox WHERE send_id = ?", "notice-test:1"), 1);
	/* The people changed: さとう is a registered name now. */
	registered_name = "さとう";
	assert_int_equal(bulk_run_due(e->a, kinds, t0 + 3 * HOUR, &sent), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(query_int(e,
				   "SELECT count(*) FROM bulk_sends WHERE state = 'refused' AND "
				   "refusal IS NOT NULL",
				   NULL),
			 1);
	assert_int_equal(query_int(e, "SELECT count(*) FROM outbox", NULL), 1);
	assert_int_equal(
	    query_int(e, "SELECT count(*) FROM bulk_sends WHERE state = 'cancelled'", NULL), 1);
	/* Nothing runs twice. */
	assert_int_equal(bulk_run_due(e->a, kinds, t0 + 4 * HOUR, &sent), ERR_OK);
	assert_int_equal(sent, 0);
}

/* A read counts once; the re-send reaches only those who have not read. */
static void test_read_and_resend(void **state)
{
	struct env *e = *state;
	struct bulk_result res, again;
	const char *why = NULL;
	int already = -1;
	assert_int_equal(compose(e, &e->admin, "*", "確認", "本文", 0, 1, &res), ERR_OK);
	/* "*" waits for a second person. */
	assert_string_equal(res.state, "awaiting_approval");
	assert_int_equal(bulk_decide(e->a, &kind, &e->admin2, "test", res.id, 1, &again, &why),
			 ERR_OK);
	assert_int_equal(query_int(e, "SELECT count(*) FROM outbox WHERE read_link = 1", NULL), 3);
	int64_t first = query_int(e, "SELECT min(id) FROM outbox", NULL);
	struct store_conn *c = store_acquire(e->a->store);
	assert_int_equal(mail_read_record(c, first, &already), ERR_OK);
	assert_int_equal(already, 0);
	assert_int_equal(mail_read_record(c, first, &already), ERR_OK);
	assert_int_equal(already, 1);
	assert_int_equal(mail_read_record(c, 999, &already), ERR_NOTFOUND);
	struct bulk_send_view v;
	assert_int_equal(bulk_send_get(e->a, &kind, c, res.id, 0, &v), ERR_OK);
	assert_int_equal(v.reads, 1);
	assert_int_equal(v.total, 3);
	bulk_send_view_free(&v);
	store_release(c);
	/* The token the mail carries names its row; a changed mac does not. */
	char token[64];
	int64_t id = 0;
	assert_int_equal(mail_read_token(e->a->vault, first, token, sizeof token), ERR_OK);
	assert_int_equal(mail_read_parse(e->a->vault, token, &id), ERR_OK);
	assert_int_equal(id, first);
	token[strlen(token) - 1] = token[strlen(token) - 1] == '0' ? '1' : '0';
	assert_int_equal(mail_read_parse(e->a->vault, token, &id), ERR_NOTFOUND);
	/* Not while the mail is still going out: those guardians would get it twice. */
	assert_int_equal(bulk_resend_unread(e->a, &kind, &e->admin, "test", res.id, &again, &why),
			 ERR_CONFLICT);
	assert_string_equal(again.code, "still_sending");
	all_delivered(e);
	assert_int_equal(bulk_resend_unread(e->a, &kind, &e->admin, "test", res.id, &again, &why),
			 ERR_OK);
	assert_int_equal(again.recipients, 2);
	/* A second press while the re-send is going out sends nothing more. */
	struct bulk_result twice;
	assert_int_equal(bulk_resend_unread(e->a, &kind, &e->admin, "test", res.id, &twice, &why),
			 ERR_CONFLICT);
	assert_string_equal(twice.code, "still_sending");
	assert_int_equal(query_int(e, "SELECT count(*) FROM bulk_sends WHERE parent_id IS NOT NULL",
				   NULL),
			 1);
	char send_id[64];
	snprintf(send_id, sizeof send_id, "notice-test:%lld", (long long)again.id);
	assert_int_equal(query_int(e,
				   "SELECT count(*) FROM outbox WHERE send_id = ? AND "
				   "owner_id <> 11",
				   send_id),
			 2);
	assert_int_equal(query_int(e, "SELECT parent_id FROM bulk_sends WHERE id = ?",
				   send_id + strlen("notice-test:")),
			 res.id);
	c = store_acquire(e->a->store);
	assert_int_equal(bulk_send_get(e->a, &kind, c, again.id, 0, &v), ERR_OK);
	assert_string_equal(v.subject, "【再送】確認");
	bulk_send_view_free(&v);
	store_release(c);
	/* Without read confirmation there is nothing to re-send. */
	assert_int_equal(compose(e, &e->admin, "g1", "確認なし", "本文", 0, 0, &res), ERR_OK);
	assert_int_equal(bulk_resend_unread(e->a, &kind, &e->admin, "test", res.id, &again, &why),
			 ERR_CONFLICT);
}

static void test_templates(void **state)
{
	struct env *e = *state;
	const char *why = NULL, *code = NULL;
	int64_t id = 0, id2 = 0;
	assert_int_equal(bulk_template_save(e->a, &kind, &e->admin, "test", &id, "休校",
					    "休校のお知らせ", "本日は休校です。", &why, &code),
			 ERR_OK);
	assert_true(id > 0);
	assert_int_equal(
	    bulk_template_save(e->a, &kind, &e->admin, "test", &id2, "休校", "x", "y", &why, &code),
	    ERR_CONFLICT);
	id2 = 0;
	assert_int_equal(bulk_template_save(e->a, &kind, &e->admin, "test", &id2, "やまだはなこ",
					    "x", "y", &why, &code),
			 ERR_INVALID);
	assert_string_equal(code, "personal_data");
	assert_int_equal(bulk_template_save(e->a, &kind, &e->admin, "test", &id2, "連絡", "x",
					    "03-1234-5678", &why, &code),
			 ERR_INVALID);
	assert_int_equal(bulk_template_save(e->a, &kind, &e->admin2, "test", &id, "休校",
					    "休校のお知らせ", "明日も休校です。", &why, &code),
			 ERR_OK);
	struct bulk_template *t = NULL;
	size_t n = 0;
	assert_int_equal(bulk_template_list(e->a, &kind, &t, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].body, "明日も休校です。");
	assert_string_equal(t[0].author, "admin2");
	bulk_template_free(&t[0]);
	free(t);
	assert_int_equal(bulk_template_delete(e->a, &kind, "test", id), ERR_OK);
	assert_int_equal(bulk_template_delete(e->a, &kind, "test", id), ERR_NOTFOUND);
	assert_int_equal(query_int(e,
				   "SELECT count(*) FROM audit WHERE action LIKE "
				   "'notice-test.template.%'",
				   NULL),
			 3);
}

/* A kind that sends on a list per group (as the schools do, one per school) and adds each
 * recipient's own footer line (as the schools add the link to change a registration). */
static enum err audience_groups(struct app *a, struct store_conn *c, const char *aud,
				bulk_emit_fn emit, void *ctx)
{
	static const struct mail_list lists[] = {{"notice-g1", "一組のお知らせ", 1},
						 {"notice-g2", "二組のお知らせ", 1}};
	(void)a;
	enum err e = ERR_OK;
	for (size_t i = 0; i < 2 && e == ERR_OK; i++)
		e = mail_list_declare(c, "testsvc", &lists[i]);
	for (size_t i = 0; i < sizeof people / sizeof people[0] && e == ERR_OK; i++)
		if (member(aud, people[i].group)) {
			struct bulk_recipient r = {people[i].address, people[i].owner,
						   people[i].group[1] == '1' ? "notice-g1"
									     : "notice-g2"};
			e = emit(ctx, &r);
		}
	return e;
}

static enum err footer_groups(struct app *a, struct store_conn *c, const struct bulk_recipient *r,
			      struct buf *out)
{
	(void)a;
	(void)c;
	return buf_printf(out, "あなたの番号 %lld（%s）\n", (long long)r->owner_id,
			  r->list ? r->list : "-");
}

static const struct bulk_kind kind_groups = {
    .service = "testsvc",
    .list = {"notice-all", "テストのお知らせ", 1},
    .what_ja = "お知らせ",
    .footer_ja = "テストの一斉配信です。\n",
    .four_eyes_multi = 1,
    .audience_key = "groups",
    .audience = audience_groups,
    .count = count,
    .groups = groups,
    .in_scope = in_scope,
    .personal = personal,
    .audience_json = audience_json,
    .footer = footer_groups,
};

/* The body of outbox row id, unsealed with testsvc's key (wipe with vault_wipe_free). */
static char *row_body(struct env *e, int64_t id)
{
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st = store_prepare(c, "SELECT body_enc FROM outbox WHERE id = ?");
	store_bind_int(st, 1, id);
	assert_int_equal(store_step(st), STORE_ROW);
	size_t len;
	const void *b = store_col_blob(st, 0, &len);
	char *plain = NULL;
	assert_int_equal(vault_unseal(app_vault(e->a, "testsvc"), "outbox.body", b, len, &plain),
			 ERR_OK);
	store_finish(st);
	store_release(c);
	return plain;
}

/* Each row goes out on its recipient's list with its own footer under the kind's; leaving one
 * group's list leaves no other; a re-send keeps each row's list and footer; a retry leaves out
 * who left the row's list. */
static void test_lists_per_group_and_own_footers(void **state)
{
	struct env *e = *state;
	struct bulk_result res, r2;
	const char *why = NULL;
	struct bulk_draft d = {"g1,g2", "件名", "本文", 0, 1};
	assert_int_equal(bulk_compose(e->a, &kind_groups, &e->admin, "test", &d, &res, &why),
			 ERR_OK);
	assert_int_equal(bulk_decide(e->a, &kind_groups, &e->admin2, "test", res.id, 1, &r2, &why),
			 ERR_OK);
	assert_int_equal(r2.recipients, 3);
	assert_int_equal(query_int(e, "SELECT count(*) FROM outbox WHERE list = ?", "notice-g1"),
			 2);
	assert_int_equal(query_int(e, "SELECT count(*) FROM outbox WHERE list = ?", "notice-g2"),
			 1);
	int64_t b1 = query_int(e, "SELECT id FROM outbox WHERE owner_id = 21 AND send_id = ?",
			       "notice-all:1");
	char *body = row_body(e, b1);
	assert_non_null(strstr(body, "本文\n\n--\nテストの一斉配信です。\nあなたの番号 21（notice-g2）\n"));
	vault_wipe_free(body);
	/* a1 (owner 11) leaves group 1's list by its message's link. */
	int64_t a1 = query_int(e, "SELECT id FROM outbox WHERE owner_id = 11 AND send_id = ?",
			       "notice-all:1");
	struct mail_unsub_result ur;
	struct store_conn *c = store_acquire(e->a->store);
	assert_int_equal(mail_unsubscribe(c, e->a->keys, a1, "web", &ur), ERR_OK);
	store_release(c);
	assert_string_equal(ur.list, "notice-g1");
	/* The re-send to the unread: the same lists and footers; a1 left its list. */
	all_delivered(e);
	assert_int_equal(
	    bulk_resend_unread(e->a, &kind_groups, &e->admin, "test", res.id, &r2, &why), ERR_OK);
	assert_int_equal(r2.recipients, 2);
	char send_id[64];
	snprintf(send_id, sizeof send_id, "notice-all:%lld", (long long)r2.id);
	assert_int_equal(query_int(e,
				   "SELECT count(*) FROM outbox WHERE send_id = ? AND ((owner_id = "
				   "12 AND list = 'notice-g1') OR (owner_id = 21 AND list = "
				   "'notice-g2'))",
				   send_id),
			 2);
	b1 = query_int(e, "SELECT id FROM outbox WHERE owner_id = 21 AND send_id = ?", send_id);
	body = row_body(e, b1);
	assert_non_null(strstr(body, "あなたの番号 21（notice-g2）"));
	vault_wipe_free(body);
	/* Group 2 alone still reaches everyone of it. */
	d.audience = "g2";
	assert_int_equal(bulk_compose(e->a, &kind_groups, &e->admin, "test", &d, &res, &why),
			 ERR_OK);
	assert_int_equal(res.recipients, 1);
	/* A retry of the first send leaves a1 out: it left the row's list, not the send's. */
	c = store_acquire(e->a->store);
	assert_int_equal(
	    store_exec(c, "UPDATE outbox SET state = 'failed' WHERE send_id = 'notice-all:1'"),
	    ERR_OK);
	struct mail_send_retry rr;
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(mail_send_retry(c, e->a->keys, "notice-all:1", &rr), ERR_OK);
	assert_int_equal(store_commit(c), ERR_OK);
	store_release(c);
	assert_int_equal(rr.retried, 2);
	assert_int_equal(rr.skipped_unsubscribed, 1);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_compose_queues_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_and_preview, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_four_eyes_and_scope, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scheduled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_and_resend, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lists_per_group_and_own_footers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
