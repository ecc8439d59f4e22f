/* SPDX-License-Identifier: MIT */
/* api_handover.c — a case's handover export: only sealed with a passphrase the caller chooses
 * (given to the receiving worker on another channel) and recorded in the handover ledger before
 * the file leaves. The only export of casework fields. */
#include "youth/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/buf.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/passbox.h"
#include "vault/vault.h"

enum err api_yo_handover(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char *text = NULL, number[16] = "", content[96], object[48], name[64];
	unsigned char *box = NULL;
	size_t box_len = 0;
	struct buf file;
	buf_init(&file, 64 * 1024 * 1024);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK) {
		store_release(c);
		goto out;
	}
	const char *pass = json_string_value(json_object_get(body, "passphrase"));
	if (!vault_passphrase_ok(pass)) {
		store_release(c);
		e = http_error_as(rs, ERR_INVALID, "bad_passphrase",
				  "パスフレーズを10文字以上（256バイトまで）で入力してください。");
		goto out;
	}
	e = youth_handover_text(c, youth_vault(rq->app), id, &text);
	struct store_stmt *st = store_prepare(c, "SELECT number FROM yo_cases WHERE id = ?1");
	if (st) {
		store_bind_int(st, 1, id);
		if (store_step(st) == STORE_ROW)
			snprintf(number, sizeof number, "%s", store_col_text(st, 0));
		store_finish(st);
	}
	store_release(c);
	if (e == ERR_OK)
		e = vault_passbox_seal(pass, VAULT_PASSBOX_MODERATE, text, strlen(text), &box,
				       &box_len);
	if (e == ERR_OK)
		e = buf_append(&file, box, box_len);
	if (e != ERR_OK) {
		e = http_error(rs, e, "引き継ぎファイルを作れませんでした。");
		goto out;
	}
	snprintf(content, sizeof content, "handover %s sealed-passphrase", number);
	snprintf(object, sizeof object, "youth_case:%" PRId64, id);
	snprintf(name, sizeof name, "youth-handover-%s.mmbox", number);
	struct ledger_item it = {.service = YOUTH_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = object,
				 .records = 1};
	e = ledger_hand_over(rq, rs, &it, &file, "application/octet-stream", name);
out:
	vault_wipe_free(text);
	free(box);
	buf_free(&file);
	json_decref(body);
	return e;
}
