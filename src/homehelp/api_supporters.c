/* SPDX-License-Identifier: MIT */
/* api_supporters.c — the contractor's supporters (家事・育児支援サポーター): the seed's items only
 * (氏名, 住所, 連絡先, メールアドレス, 生年月日 — 年齢 computed —, 銀行口座情報, ヘルパー資格有無,
 * 職業経歴), sealed; listed for dispatch; a supporter who leaves is made inactive, never
 * deleted while visits name them. */
#include "homehelp/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "grant/bank_codes.h"
#include "grant/kana.h"
#include "store/store.h"
#include "vault/vault.h"

/* Checks body as a supporter: writes the sealed parts' JSON texts into *data and *bank
 * (malloc'd) or answers 400 naming the field. */
static enum err parse(struct http_resp *rs, json_t *body, char **data, char **bank)
{
	static const struct {
		const char *key, *label;
		size_t max;
		int optional;
	} fields[] = {
	    {"name", "氏名", 40, 0},	{"address", "住所", 120, 0}, {"phone", "連絡先", 20, 0},
	    {"email", "メールアドレス", 254, 1}, {"career", "職業経歴", 400, 1},
	};
	json_t *o = json_object(), *b = json_object_get(body, "bank");
	char msg[200];
	const char *bn, *bk, *brn, *brk, *why = NULL;
	char half[128];
	int y, m, d;
	*data = *bank = NULL;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *s = json_string_value(json_object_get(body, fields[i].key));
		if (fields[i].optional && (!s || !*s)) {
			json_object_set_new(o, fields[i].key, json_string(""));
			continue;
		}
		if (!s || text_line_check(s, fields[i].max) != TEXT_OK) {
			snprintf(msg, sizeof msg, "%sを%zu文字以内で入力してください。", fields[i].label,
				 fields[i].max);
			json_decref(o);
			return http_error_as(rs, ERR_INVALID, "bad_supporter", msg);
		}
		json_object_set_new(o, fields[i].key, json_string(s));
	}
	const char *birth = json_string_value(json_object_get(body, "birth"));
	if (!birth || wareki_parse_iso(birth, &y, &m, &d) != ERR_OK) {
		json_decref(o);
		return http_error_as(rs, ERR_INVALID, "bad_supporter",
				     "生年月日を年-月-日で入力してください。");
	}
	json_object_set_new(o, "birth", json_string(birth));
	json_object_set_new(o, "helper", json_boolean(json_is_true(json_object_get(body, "helper"))));
	const char *bc = json_string_value(json_object_get(b, "bank_code"));
	const char *br = json_string_value(json_object_get(b, "branch_code"));
	const char *num = json_string_value(json_object_get(b, "number"));
	const char *holder = json_string_value(json_object_get(b, "holder"));
	json_int_t type = json_integer_value(json_object_get(b, "type"));
	if (!bc || !br || !grant_bank_lookup(bc, br, &bn, &bk, &brn, &brk)) {
		json_decref(o);
		return http_error_as(rs, ERR_INVALID, "bad_supporter",
				     "報酬の振込先の金融機関コード・支店コードが見つかりません。");
	}
	if ((type != 1 && type != 2) || !num || strlen(num) < 1 || strlen(num) > 7 ||
	    strspn(num, "0123456789") != strlen(num) || !holder ||
	    grant_kana_to_zengin(holder, half, sizeof half, &why) != ERR_OK) {
		json_decref(o);
		return http_error_as(rs, ERR_INVALID, "bad_supporter",
				     why ? why
					 : "振込先の預金種目・口座番号（7桁まで）・口座名義（カタカナ）を"
					   "入力してください。");
	}
	json_t *bj = json_pack("{s:s, s:s, s:I, s:s, s:s}", "bank_code", bc, "branch_code", br,
			       "type", type, "number", num, "holder", holder);
	*data = json_dumps(o, JSON_COMPACT);
	*bank = json_dumps(bj, JSON_COMPACT);
	json_decref(o);
	json_decref(bj);
	return ERR_OK;
}

enum err api_hh_supporters(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = homehelp_vault(rq->app);
	json_t *list = json_array();
	char today[11];
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, code, data, active FROM hh_supporters ORDER BY active DESC, code");
	e = ERR_DB;
	if (st) {
		e = ERR_OK;
		while (store_step(st) == STORE_ROW) {
			size_t n = 0;
			char *data = NULL;
			const void *b = store_col_blob(st, 2, &n);
			if (vault_unseal(v, "hh_supporters.data", b, n, &data) != ERR_OK) {
				e = ERR_CRYPTO;
				break;
			}
			json_t *d = json_loads(data, 0, NULL);
			vault_wipe_free(data);
			int by, bm, bd, y, m, dd;
			int age = -1;
			if (wareki_parse_iso(json_string_value(json_object_get(d, "birth")), &by, &bm,
					     &bd) == ERR_OK &&
			    wareki_parse_iso(today, &y, &m, &dd) == ERR_OK)
				age = y - by - (m < bm || (m == bm && dd < bd));
			json_object_set_new(d, "id", json_integer(store_col_int(st, 0)));
			json_object_set_new(d, "code", json_string(store_col_text(st, 1)));
			json_object_set_new(d, "active", json_boolean(store_col_int(st, 3)));
			json_object_set_new(d, "age", json_integer(age));
			json_array_append_new(list, d);
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.supporters", "homehelp", 0, "");
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "supporters", list));
}

enum err api_hh_supporter_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char *data = NULL, *bank = NULL;
	int64_t id = 0, now = clock_now_ms();
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e == ERR_OK)
		e = parse(rs, body, &data, &bank);
	const char *code = json_string_value(json_object_get(body, "code"));
	if (e == ERR_OK && (!code || text_line_check(code, 16) != TEXT_OK))
		e = http_error_as(rs, ERR_INVALID, "bad_supporter",
				  "サポーターの番号（16文字まで）を入力してください。");
	if (e != ERR_OK) {
		json_decref(body);
		vault_wipe_free(data);
		vault_wipe_free(bank);
		return e;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "INSERT INTO hh_supporters (code, data, bank, created_ms, "
					   "updated_ms) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (code) "
					   "DO NOTHING")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, code);
		vault_bind_sealed(homehelp_vault(rq->app), st, 2, "hh_supporters.data", data);
		vault_bind_sealed(homehelp_vault(rq->app), st, 3, "hh_supporters.bank", bank);
		store_bind_int(st, 4, now);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && store_changes(c) != 1)
			e = http_error_as(rs, ERR_CONFLICT, "code_taken",
					  "その番号のサポーターはもういます。");
		else
			id = store_last_id(c);
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.supporter_add", "hh_supporter", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (store_in_tx(c))
		store_rollback(c);
	store_release(c);
	vault_wipe_free(data);
	vault_wipe_free(bank);
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:{s:I, s:s}}", "supporter", "id",
						 (json_int_t)id, "code", code));
	json_decref(body); /* code points into it */
	return e;
}

enum err api_hh_supporter_update(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *active = json_object_get(body, "active");
	if (!json_is_boolean(active)) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_supporter",
				     "活動中かどうか（active）を指定してください。");
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "UPDATE hh_supporters SET active = ?1, updated_ms = ?2 "
					   "WHERE id = ?3")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, json_is_true(active));
		store_bind_int(st, 2, clock_now_ms());
		store_bind_int(st, 3, id);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && store_changes(c) != 1)
			e = http_error_as(rs, ERR_NOTFOUND, "no_supporter", "そのサポーターはいません。");
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.supporter_update", "hh_supporter", id,
				   json_is_true(active) ? "active" : "inactive");
	if (e == ERR_OK)
		e = store_commit(c);
	if (store_in_tx(c))
		store_rollback(c);
	store_release(c);
	json_decref(body);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:{s:I, s:b}}", "supporter", "id", (json_int_t)id,
					    "active", json_is_true(active)));
}
