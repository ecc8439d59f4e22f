/* SPDX-License-Identifier: MIT */
/* recipient.c — the ward's staff who receive files: an account of a receiving role with a name,
 * a department and the mail address the link and the password go to (sealed), set by the ward's
 * administrator. */
#include "exchange/exchange.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

enum err exchange_recipient_set(struct app *a, struct store_conn *c, const char *login,
				const char *name, const char *dept, const char *mail, int active,
				int64_t *user_id, const char **why)
{
	enum err e = ERR_NOTFOUND;
	*why = NULL;
	if (!name || text_line_check(name, 101) != TEXT_OK || !*name) {
		*why = "氏名を入れてください（1行、100バイトまで）。";
		return ERR_INVALID;
	}
	if (!dept)
		dept = "";
	if (*dept && text_line_check(dept, 101) != TEXT_OK) {
		*why = "所属は1行、100バイトまでです。";
		return ERR_INVALID;
	}
	if (!mail || !mail_address_valid(mail)) {
		*why = "メールアドレスが正しくありません。";
		return ERR_INVALID;
	}
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, role FROM users WHERE login = ? AND disabled = 0");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, login ? login : "");
	if (store_step(st) == STORE_ROW) {
		*user_id = store_col_int(st, 0);
		e = (role_parse(store_col_text(st, 1)) & EXCHANGE_RECEIVERS) ? ERR_OK : ERR_INVALID;
	}
	store_finish(st);
	if (e == ERR_NOTFOUND)
		*why = "そのログイン名のアカウントはありません。";
	if (e == ERR_INVALID)
		*why = "受け取れるのは区の職員のアカウントだけです。";
	if (e != ERR_OK)
		return e;
	json_t *j = json_pack("{s:s, s:s, s:s}", "name", name, "dept", dept, "mail", mail);
	char *data = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!data) {
		*why = "氏名や所属に使えない文字があります。";
		return ERR_INVALID;
	}
	/* An upsert both engines take: update, and insert when there was nothing to update. */
	st = store_prepare(c, "UPDATE ex_recipients SET data = ?, active = ? WHERE user_id = ?");
	e = ERR_DB;
	if (st) {
		vault_bind_sealed(exchange_vault(a), st, 1, "ex_recipients.data", data);
		store_bind_int(st, 2, active ? 1 : 0);
		store_bind_int(st, 3, *user_id);
		e = store_run(st);
	}
	store_finish(st);
	if (e == ERR_OK && store_changes(c) == 0) {
		st = store_prepare(c, "INSERT INTO ex_recipients (user_id, data, active, created_ms) "
				      "VALUES (?, ?, ?, ?)");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, *user_id);
			vault_bind_sealed(exchange_vault(a), st, 2, "ex_recipients.data", data);
			store_bind_int(st, 3, active ? 1 : 0);
			store_bind_int(st, 4, clock_now_ms());
			e = store_run(st);
		}
		store_finish(st);
	}
	vault_wipe_free(data);
	return e;
}

enum err exchange_recipient_stop(struct store_conn *c, const char *login, int64_t *user_id,
				 const char **why)
{
	enum err e = ERR_DB;
	*why = NULL;
	*user_id = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT r.user_id FROM ex_recipients r JOIN users u ON u.id = r.user_id "
	       "WHERE u.login = ?");
	if (st) {
		store_bind_text(st, 1, login ? login : "");
		e = store_step(st) == STORE_ROW ? ERR_OK : ERR_NOTFOUND;
		if (e == ERR_OK)
			*user_id = store_col_int(st, 0);
	}
	store_finish(st);
	if (e == ERR_NOTFOUND)
		*why = "そのログイン名は受け取りに登録されていません。";
	if (e != ERR_OK)
		return e;
	st = store_prepare(c, "UPDATE ex_recipients SET active = 0 WHERE user_id = ?");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, *user_id);
		e = store_run(st);
	}
	store_finish(st);
	return e;
}
