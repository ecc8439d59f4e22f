/* SPDX-License-Identifier: MIT */
/* site.c — clubs (学童クラブ) and ひろばプラス sites: opening hours and the settings of plans and
 * alerts (expected arrival, grace, same-day deadline, phone, alert address). */
#include "attendance/attendance.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/plan.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "mail/mail.h"
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
		*why = "施設コードは、英数字・「-」・「_」の1〜15文字で指定してください（code）。";
		return ERR_INVALID;
	}
	if (!name[0] || strlen(name) > 200) {
		*why = "施設名を入力してください（200バイトまで）。";
		return ERR_INVALID;
	}
	if (strcmp(type, "gakudo") != 0 && strcmp(type, "hiroba_plus") != 0) {
		*why = "施設の種類（type）は gakudo（学童クラブ）か hiroba_plus（ひろばプラス）を指定してください。";
		return ERR_INVALID;
	}
	if (!hhmm_ok(opens) || !hhmm_ok(closes) || strcmp(opens, closes) >= 0) {
		*why = "開所・閉所時刻は HH:MM の形で、開所を閉所より前にしてください（opens・closes）。";
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
		*why = "この施設コードの施設は、すでに登録されています。";
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

#define SITE_COLUMNS                                                                             \
	"SELECT id, code, name, type, opens, closes, COALESCE(arrival, opens), grace_min, "       \
	"deadline, phone, alert_email, alert_guardians FROM sites WHERE "

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
	snprintf(s->arrival, sizeof s->arrival, "%s", store_col_text(st, 6));
	s->grace_min = (int)store_col_int(st, 7);
	snprintf(s->deadline, sizeof s->deadline, "%s", store_col_text(st, 8));
	snprintf(s->phone, sizeof s->phone, "%s", store_col_text(st, 9));
	snprintf(s->alert_email, sizeof s->alert_email, "%s", store_col_text(st, 10));
	s->alert_guardians = (int)store_col_int(st, 11);
	return ERR_OK;
}

enum err site_find(struct store_conn *c, const char *code, struct site *s)
{
	struct store_stmt *st = store_prepare(
	    c, SITE_COLUMNS "code = ?");
	if (st)
		store_bind_text(st, 1, code);
	enum err e = load(st, s);
	store_finish(st);
	return e;
}

enum err site_get(struct store_conn *c, int64_t id, struct site *s)
{
	struct store_stmt *st = store_prepare(
	    c, SITE_COLUMNS "id = ?");
	if (st)
		store_bind_int(st, 1, id);
	enum err e = load(st, s);
	store_finish(st);
	return e;
}

/* 1 when phone is empty or 6-20 characters of digits, hyphens, brackets and spaces. */
static int phone_ok(const char *p)
{
	size_t n = strlen(p), digits = 0;
	if (n == 0)
		return 1;
	if (n > 20)
		return 0;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr("-() ", *p))
			return 0;
	}
	return digits >= 6;
}

enum err site_update(struct app *a, const char *actor, const struct site *s, const char **why)
{
	int opens = clock_hhmm_minutes(s->opens), closes = clock_hhmm_minutes(s->closes);
	int arrival = clock_hhmm_minutes(s->arrival), deadline = clock_hhmm_minutes(s->deadline);
	*why = NULL;
	if (opens < 0 || closes < 0 || opens >= closes) {
		*why = "開所・閉所時刻は HH:MM の形で、開所を閉所より前にしてください（opens・closes）。";
		return ERR_INVALID;
	}
	if (arrival < opens || arrival >= closes) {
		*why = "到着予定時刻は、開所時間内の HH:MM で指定してください（arrival）。";
		return ERR_INVALID;
	}
	if (deadline < 0) {
		*why = "当日の変更の締切は HH:MM の形（例 12:00）で指定してください（deadline）。";
		return ERR_INVALID;
	}
	if (s->grace_min < 0 || s->grace_min > 240) {
		*why = "未到着とするまでの猶予は0〜240分で指定してください（grace_min）。";
		return ERR_INVALID;
	}
	if (!phone_ok(s->phone)) {
		*why = "電話番号は、数字とハイフンの6〜20文字で入力してください（phone）。";
		return ERR_INVALID;
	}
	if (s->alert_email[0] && !mail_address_valid(s->alert_email)) {
		*why = "通知先のメールアドレスが正しくありません（alert_email）。";
		return ERR_INVALID;
	}
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE sites SET opens = ?, closes = ?, arrival = ?, grace_min = ?, "
			      "deadline = ?, phone = ?, alert_email = ?, alert_guardians = ? "
			      "WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, s->opens);
	store_bind_text(st, 2, s->closes);
	store_bind_text(st, 3, s->arrival);
	store_bind_int(st, 4, s->grace_min);
	store_bind_text(st, 5, s->deadline);
	store_bind_text(st, 6, s->phone);
	store_bind_text(st, 7, s->alert_email);
	store_bind_int(st, 8, s->alert_guardians ? 1 : 0);
	store_bind_int(st, 9, s->id);
	e = store_run(st);
	/* Today's alerts follow the new times at once (cleared, or moved; alerts.c). */
	size_t cleared = 0;
	if (e == ERR_OK)
		e = alerts_settle(c, s, clock_now_ms(), &cleared);
	if (e != ERR_OK)
		goto out;
	char object[48], detail[96];
	snprintf(object, sizeof object, "site:%s", s->code);
	snprintf(detail, sizeof detail, "hours=%s-%s arrival=%s grace=%d deadline=%s", s->opens,
		 s->closes, s->arrival, s->grace_min, s->deadline);
	e = audit_append(c, a->vault, actor, "site.update", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
