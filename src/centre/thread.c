/* SPDX-License-Identifier: MIT */
/* thread.c — the parents of a child (centre_parent accounts linked to the child, each with a
 * sealed mail address) and the contact thread (連絡) between the centre and them: a new message
 * from the centre mails each parent a notice that carries none of its content. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "centre/centre.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

int centre_is_parent(struct store_conn *c, int64_t user_id, int64_t id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM ce_parents p JOIN users u ON u.id = p.user_id WHERE p.user_id = ?1 "
	       "AND p.case_id = ?2 AND u.disabled = 0");
	if (!st)
		return -1;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, id);
	int r = store_step(st);
	store_finish(st);
	return r == STORE_ROW ? 1 : r == STORE_DONE ? 0 : -1;
}

enum err centre_parent_link(struct store_conn *c, const struct vault *v, int64_t user_id,
			    int64_t id, const char *email, int64_t by, int64_t now_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ce_parents (user_id, case_id, email, created_by, created_ms) VALUES "
	       "(?1, ?2, ?3, ?4, ?5)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, id);
	vault_bind_sealed(v, st, 3, "ce_parents.email", email);
	if (by)
		store_bind_int(st, 4, by);
	else
		store_bind_null(st, 4);
	store_bind_int(st, 5, now_ms);
	return casework_run(st);
}

json_t *centre_parents_json(struct store_conn *c, int64_t id)
{
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT u.id, u.login FROM ce_parents p JOIN users u ON u.id = p.user_id WHERE "
	       "p.case_id = ?1 ORDER BY u.login");
	if (!st)
		return arr;
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s}", "id",
						     (json_int_t)store_col_int(st, 0), "login",
						     store_col_text(st, 1)));
	store_finish(st);
	return arr;
}

#define NOTICE_MAX 8 /* parents notified of one message */

/* Queues the notice of a new message to each parent of child id: no content, only a link to
 * sign in. *mailed how many. */
static enum err notify(struct store_conn *c, const struct vault *v, int64_t id,
		       const char *base_url, int *mailed)
{
	char *to[NOTICE_MAX] = {0};
	size_t n = 0;
	enum err e = ERR_OK;
	struct store_stmt *st = store_prepare(
	    c, "SELECT p.email FROM ce_parents p JOIN users u ON u.id = p.user_id WHERE p.case_id "
	       "= ?1 AND u.disabled = 0 ORDER BY p.user_id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	while (n < NOTICE_MAX && store_step(st) == STORE_ROW) {
		if (vault_unseal_column(v, st, 0, "ce_parents.email", &to[n]) != ERR_OK) {
			e = ERR_CRYPTO;
			break;
		}
		if (to[n] && *to[n])
			n++;
	}
	store_finish(st);
	char body[512];
	snprintf(body, sizeof body,
		 "児童発達支援センターから新しい連絡があります。\n"
		 "内容は、サインインしてお読みください（このメールには内容を書いていません）。\n"
		 "\n%s/centre/parent.html\n\n"
		 "このメールは送信専用です。お心当たりのないときは、センターにお問い合わせく"
		 "ださい。\n",
		 base_url ? base_url : "");
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		e = mail_outbox_enqueue(c, v, "centre:notice", "notice", to[i],
					"【児童発達支援センター】新しい連絡があります", body);
		if (e == ERR_OK)
			(*mailed)++;
	}
	for (size_t i = 0; i < NOTICE_MAX; i++)
		vault_wipe_free(to[i]);
	return e;
}

enum err centre_message_add(struct store_conn *c, const struct vault *v, int64_t id,
			    int64_t user_id, int from_parent, const char *body,
			    const char *base_url, int64_t now_ms, int *mailed,
			    char why[CENTRE_WHY_MAX])
{
	*mailed = 0;
	if (!body || !text_note_ok(body, CENTRE_MESSAGE_MAX)) {
		snprintf(why, CENTRE_WHY_MAX, "%s",
			 body && strlen(body) > CENTRE_MESSAGE_MAX
			     ? "連絡の本文を4,000バイト（おおむね1,300文字）以内で入力してください。"
			     : "連絡の本文を入力してください（空白だけの連絡は送れません）。");
		return ERR_INVALID;
	}
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ce_messages (case_id, user_id, from_parent, body, at_ms) VALUES (?1, "
	       "?2, ?3, ?4, ?5)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	if (user_id)
		store_bind_int(st, 2, user_id);
	else
		store_bind_null(st, 2);
	store_bind_int(st, 3, from_parent ? 1 : 0);
	vault_bind_sealed(v, st, 4, "ce_messages.body", body);
	store_bind_int(st, 5, now_ms);
	enum err e = casework_run(st);
	if (e == ERR_OK && !from_parent)
		e = notify(c, v, id, base_url, mailed);
	return e;
}

enum err centre_messages_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out)
{
	*out = json_array();
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT m.id, m.from_parent, u.login, m.body, m.at_ms FROM ce_messages m LEFT JOIN "
	    "users u ON u.id = m.user_id WHERE m.case_id = ?1 ORDER BY m.at_ms, m.id LIMIT 1000");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = ERR_OK;
	while (store_step(st) == STORE_ROW) {
		char *b = NULL;
		if (vault_unseal_column(v, st, 3, "ce_messages.body", &b) != ERR_OK || !b) {
			e = ERR_CRYPTO;
			break;
		}
		json_array_append_new(
		    *out,
		    json_pack("{s:I, s:b, s:s?, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0),
			      "from_parent", (int)store_col_int(st, 1), "login",
			      store_col_is_null(st, 2) ? NULL : store_col_text(st, 2), "body", b,
			      "at_ms", (json_int_t)store_col_int(st, 4)));
		vault_wipe_free(b);
	}
	store_finish(st);
	return e;
}
