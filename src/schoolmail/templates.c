/* SPDX-License-Identifier: MIT */
/* templates.c — the templates a school starts from (休校のお知らせ, 不審者情報 …): stored once in
 * the bulk layer's templates (sealed under the service's key, editable by the ward like any
 * other), the first time the templates are asked for or the service starts, as written by the
 * first ward administrator. A meta row remembers that it was done, so a template the ward
 * deleted does not come back. */
#include "schoolmail/send.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/role.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/log.h"
#include "bulk/bulk.h"
#include "store/store.h"

#define SEEDED_KEY "schoolmail:templates_seeded"

static const struct {
	const char *name, *subject, *body;
} defaults[] = {
    {"休校のお知らせ", "【休校】臨時休校のお知らせ",
     "保護者の皆様\n\n（理由）のため、本日（月日）は臨時休校とします。\n"
     "児童・生徒は自宅で安全に過ごすよう、ご家庭でお声がけください。\n"
     "今後の予定は、決まりしだい、このメールでお知らせします。"},
    {"不審者情報", "【不審者情報】登下校の際はご注意ください",
     "保護者の皆様\n\n本日（時刻）ごろ、（場所）付近で不審な人物が目撃されたとの情報があり"
     "ました。\n（特徴）\n\n登下校の際はなるべく複数で行動し、知らない人にはついて行かない"
     "よう、ご家庭でもお声がけください。\n不審な人物を見かけたときは、すぐに110番通報して"
     "ください。"},
    {"下校時刻の変更", "【お知らせ】本日の下校時刻を変更します",
     "保護者の皆様\n\n（理由）のため、本日の下校時刻を（時刻）に変更します。\n"
     "お迎えなどのご都合がある場合は、学校までご連絡ください。"},
    {"気象警報による対応", "【気象警報】本日の登校について",
     "保護者の皆様\n\n（地域）に（警報の種類）が発表されています。\n"
     "（登校を見合わせる時刻）の時点で警報が解除されていない場合は、臨時休校とします。\n"
     "解除された場合の登校時刻は、このメールでお知らせします。"},
    {"行事のお知らせ", "【行事】（行事名）の実施について",
     "保護者の皆様\n\n（月日）の（行事名）は、予定どおり実施します。\n"
     "（持ち物・集合時刻など）\n\n天候などにより変更する場合は、このメールでお知らせします。"},
};

/* The first ward administrator (the templates' author) into *u; ERR_NOTFOUND when none. */
static enum err first_admin(struct app *a, struct user *u)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id FROM users WHERE role = 'ward_admin' ORDER BY id LIMIT 1");
	enum err e = st ? ERR_OK : ERR_DB;
	int rc = st ? store_step(st) : STORE_DONE;
	int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	store_release(c);
	if (e != ERR_OK)
		return e;
	if (!id)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	memset(u, 0, sizeof *u);
	u->id = id;
	u->role = ROLE_WARD_ADMIN;
	return ERR_OK;
}

/* Whether the defaults were stored once already (*done). */
static enum err seeded(struct app *a, int *done)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT 1 FROM meta WHERE key = ?");
	enum err e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, SEEDED_KEY);
		int rc = store_step(st);
		*done = rc == STORE_ROW;
		e = rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	return e;
}

enum err schoolmail_templates_seed(struct app *a)
{
	struct user admin;
	int done = 0;
	enum err e = seeded(a, &done);
	if (e != ERR_OK || done)
		return e;
	e = first_admin(a, &admin);
	if (e == ERR_NOTFOUND)
		return ERR_OK; /* a directory without its administrator yet: next time */
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0] && e == ERR_OK; i++) {
		const char *why = NULL, *code = NULL;
		int64_t id = 0;
		e = bulk_template_save(a, &school_kind, &admin, "system", &id, defaults[i].name,
				       defaults[i].subject, defaults[i].body, &why, &code);
		if (e == ERR_CONFLICT)
			e = ERR_OK; /* one of that name exists: the ward's own stays */
		else if (e != ERR_OK)
			log_error("schoolmail: the template %zu cannot be stored: %s", i,
				  why ? "refused by the text check" : err_str(e));
	}
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
	e = st ? ERR_OK : ERR_DB;
	if (st) {
		/* meta.value is a blob: when the defaults were stored, as decimal ms. */
		char when[24];
		int n = snprintf(when, sizeof when, "%lld", (long long)clock_now_ms());
		store_bind_text(st, 1, SEEDED_KEY);
		store_bind_blob(st, 2, when, (size_t)n);
		e = store_run(st);
	}
	store_finish(st);
	store_release(c);
	return e;
}
