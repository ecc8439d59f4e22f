/* SPDX-License-Identifier: MIT */
/* handover.c — a case's handover file (引き継ぎ), for every casework service: the whole case
 * with every version of every note, as JSON. It leaves the system only sealed with a
 * passphrase the caller chooses (given to the receiving worker on another channel) and
 * recorded in the handover ledger before the file leaves: the only export of casework fields.
 * `mimamori ledger open` reads it back. */
#include "casework/api.h"

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

enum err casework_handover_text(const struct casework_kind *k, struct store_conn *c,
				const struct vault *v, int64_t id, char **out)
{
	json_t *cs = NULL;
	char format[64];
	*out = NULL;
	enum err e = k->case_json(c, v, id, &cs);
	if (e != ERR_OK)
		return e;
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(cs, "notes"), i, n)
	{
		json_t *hist = NULL;
		e = casework_note_history(
		    c, v, k, (int64_t)json_integer_value(json_object_get(n, "id")), &hist);
		json_object_set_new(n, "versions", hist);
		if (e != ERR_OK)
			break;
	}
	if (e != ERR_OK) {
		json_decref(cs);
		return e;
	}
	snprintf(format, sizeof format, "mimamori-%s-handover-1", k->service);
	json_t *doc =
	    json_pack("{s:s, s:s, s:o}", "format", format, "service", k->service, k->key, cs);
	*out = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	return *out ? ERR_OK : ERR_IO;
}

/* Returns the number of case id in number ("" when none). */
static void case_number(const struct casework_kind *k, struct store_conn *c, int64_t id,
			char number[16])
{
	char sql[96];
	number[0] = '\0';
	struct store_stmt *st = store_prepare(
	    c, casework_sql(k, "SELECT number FROM @_cases WHERE id = ?1", sql, sizeof sql));
	if (!st)
		return;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW)
		snprintf(number, 16, "%s", store_col_text(st, 0));
	store_finish(st);
}

enum err casework_api_handover(const struct casework_kind *k, struct http_req *rq,
			       struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char *text = NULL, number[16] = "", content[96], object[48], name[64];
	unsigned char *box = NULL;
	size_t box_len = 0;
	struct buf file;
	buf_init(&file, 64 * 1024 * 1024);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = casework_reach(k, rq, rs, c, id, 1);
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
	e = casework_handover_text(k, c, app_vault(rq->app, k->service), id, &text);
	case_number(k, c, id, number);
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
	snprintf(object, sizeof object, "%s:%" PRId64, k->object, id);
	snprintf(name, sizeof name, "%s-handover-%s.mmbox", k->service, number);
	struct ledger_item it = {.service = k->service,
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
