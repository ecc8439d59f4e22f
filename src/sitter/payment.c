/* SPDX-License-Identifier: MIT */
/* payment.c — paying the approved: a transfer (全銀 総合振込, grant/zengin.h) of every notified
 * approval for a payment date, kept sealed as made; and the returned transfers (振込不能) read
 * back, matched to their applications by 顧客コード1 (the 申請番号) and amount, each applicant
 * mailed to give a correct account by their link. Used by the API and the CLI. */
#include "sitter/payment.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "grant/zengin.h"
#include "store/store.h"
#include "vault/vault.h"

#define FILE_MAX (64u * 1024 * 1024)

/* Reads the ids of the query's rows (one integer parameter p1, or none when p1 is 0). */
static enum err ids_of(struct store_conn *c, const char *sql, int64_t p1, int64_t **ids,
		       size_t *n)
{
	size_t cap = 0;
	int rc;
	*ids = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	if (p1)
		store_bind_int(st, 1, p1);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = store_col_int(st, 0);
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

enum err sitter_payment_make(struct app *a, struct store_conn *c, const char *pay_date,
			     const struct sitter_payable *expect, int64_t user_id,
			     const char *actor, struct sitter_payment *out, char why[SITTER_WHY_MAX])
{
	const struct vault *v = sitter_vault(a);
	struct sitter_settings cfg;
	struct sitter_app *apps = NULL;
	struct grant_zengin_item *items = NULL;
	int64_t *ids = NULL, now = clock_now_ms(), total = 0;
	size_t n = 0, loaded = 0;
	struct buf file;
	int y, m, d;
	char object[48], detail[96];
	enum err e;
	why[0] = '\0';
	memset(out, 0, sizeof *out);
	buf_init(&file, FILE_MAX);
	if (!pay_date || wareki_parse_iso(pay_date, &y, &m, &d) != ERR_OK) {
		snprintf(why, SITTER_WHY_MAX, "振込日を年-月-日で選んでください。");
		return ERR_INVALID;
	}
	sitter_settings_read(a, &cfg);
	e = store_begin(c);
	if (e == ERR_OK)
		e = ids_of(c, "SELECT id FROM sitter_applications WHERE state = 'notified' AND "
			      "decision = 'approved' AND grant_yen > 0 ORDER BY number",
			   0, &ids, &n);
	if (e == ERR_OK && n == 0) {
		snprintf(why, SITTER_WHY_MAX, "振込を待っている交付決定はありません。");
		e = ERR_CONFLICT;
	}
	if (e == ERR_OK) {
		apps = xcalloc(n, sizeof *apps);
		items = xcalloc(n, sizeof *items);
	}
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct sitter_app *p = &apps[i];
		e = sitter_app_load(c, v, ids[i], p);
		if (e != ERR_OK)
			break;
		loaded++;
		items[i] = (struct grant_zengin_item){p->form.bank.bank,   p->form.bank.branch,
						      p->form.bank.type,   p->form.bank.number,
						      p->form.bank.holder, p->grant_yen,
						      p->number,	   NULL};
		total += p->grant_yen;
	}
	/* Money goes only as confirmed: another notice made since the person looked would
	 * otherwise go into this file unseen. */
	if (e == ERR_OK && expect && (expect->count != (int64_t)n || expect->total_yen != total)) {
		snprintf(why, SITTER_WHY_MAX,
			 "確かめたあとに振込できる交付決定が変わりました（今は %zu件・合計 %lld円）。"
			 "件数と合計をもう一度確かめてください。",
			 n, (long long)total);
		out->payable_changed = 1;
		e = ERR_CONFLICT;
	}
	if (e == ERR_OK) {
		struct grant_zengin_originator o = {cfg.client_code, cfg.client_kana, cfg.bank, NULL,
						    cfg.branch,	     NULL,	      cfg.account_type,
						    cfg.account};
		e = grant_zengin_write(&file, &o, m, d, items, n, why, SITTER_WHY_MAX);
		if (e == ERR_TOOLARGE)
			snprintf(why, SITTER_WHY_MAX, "振込データが大きすぎます。");
	}
	struct store_stmt *st = NULL;
	if (e == ERR_OK) {
		st = store_prepare(c, "INSERT INTO sitter_payments (pay_date, items, total_yen, file, "
				      "created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		e = ERR_DB;
	}
	if (st) {
		unsigned char *sealed = NULL;
		size_t sealed_len = 0;
		vault_seal(v, "sitter_payments.file", file.data, file.len, &sealed, &sealed_len);
		store_bind_text(st, 1, pay_date);
		store_bind_int(st, 2, (int64_t)n);
		store_bind_int(st, 3, total);
		store_bind_blob(st, 4, sealed, sealed_len);
		store_bind_int(st, 5, user_id);
		store_bind_int(st, 6, now);
		e = store_run(st);
		out->id = store_last_id(c);
		free(sealed);
		store_finish(st);
	}
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		e = grant_step(c, v, &sitter_tables, ids[i], GRANT_NOTIFIED, GRANT_PAID, user_id, NULL,
			       now);
		st = e == ERR_OK ? store_prepare(c, "UPDATE sitter_applications SET payment_id = ?1 "
						    "WHERE id = ?2")
				 : NULL;
		if (st) {
			store_bind_int(st, 1, out->id);
			store_bind_int(st, 2, ids[i]);
			e = store_run(st);
			store_finish(st);
		}
	}
	if (e == ERR_OK) {
		snprintf(object, sizeof object, "sitter_payment:%" PRId64, out->id);
		snprintf(detail, sizeof detail, "%s items=%zu total=%" PRId64, pay_date, n, total);
		e = audit_append(c, a->vault, actor, "sitter.pay", object, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK) {
		snprintf(out->pay_date, sizeof out->pay_date, "%s", pay_date);
		out->items = n;
		out->total_yen = total;
	}
	for (size_t i = 0; i < loaded; i++)
		sitter_app_clear(&apps[i]);
	free(apps);
	free(items);
	free(ids);
	if (file.data)
		vault_wipe(file.data, file.len);
	buf_free(&file);
	return e;
}

enum err sitter_payment_file(struct app *a, struct store_conn *c, int64_t id,
			     struct sitter_payment *out, struct buf *file)
{
	enum err e = ERR_NOTFOUND;
	memset(out, 0, sizeof *out);
	struct store_stmt *st = store_prepare(
	    c, "SELECT pay_date, items, total_yen, returned, file FROM sitter_payments WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		unsigned char *data = NULL;
		size_t len = 0, n = 0;
		const void *b = store_col_blob(st, 4, &n);
		out->id = id;
		snprintf(out->pay_date, sizeof out->pay_date, "%s", store_col_text(st, 0));
		out->items = (size_t)store_col_int(st, 1);
		out->total_yen = store_col_int(st, 2);
		out->returned = (size_t)store_col_int(st, 3);
		e = vault_unseal_bytes(sitter_vault(a), "sitter_payments.file", b, n, &data, &len);
		if (e == ERR_OK) {
			e = buf_append(file, data, len);
			vault_wipe(data, len);
			free(data);
		}
	}
	store_finish(st);
	return e;
}

/* 1 when data (n records, total yen) is, byte for byte, a transfer file the ward made with more
 * than one transfer, with its pay date in pay_date: a bank returns only the transfers it could
 * not make, and reading the ward's own file back would mark every one unpaid and mail every
 * applicant. */
static int own_transfer_file(struct app *a, struct store_conn *c, const char *data, size_t len,
			     size_t n, int64_t total, char pay_date[11])
{
	int same = 0;
	if (n < 2)
		return 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id FROM sitter_payments WHERE items = ?1 AND total_yen = ?2 ORDER BY id");
	if (!st)
		return 0;
	store_bind_int(st, 1, (int64_t)n);
	store_bind_int(st, 2, total);
	while (!same && store_step(st) == STORE_ROW) {
		struct sitter_payment p;
		struct buf file;
		buf_init(&file, 64u * 1024 * 1024);
		if (sitter_payment_file(a, c, store_col_int(st, 0), &p, &file) == ERR_OK &&
		    file.len == len && memcmp(file.data, data, len) == 0) {
			same = 1;
			snprintf(pay_date, 11, "%s", p.pay_date);
		}
		if (file.data)
			vault_wipe(file.data, file.len);
		buf_free(&file);
	}
	store_finish(st);
	return same;
}

/* Asks the applicant of p for a correct account (the mail names no account). */
static enum err ask_account(struct app *a, struct store_conn *c, const struct sitter_app *p)
{
	struct sitter_settings cfg;
	struct buf mail;
	char token[65], subject[160];
	sitter_settings_read(a, &cfg);
	sitter_link_token(sitter_vault(a), p->id, token);
	buf_init(&mail, 16 * 1024);
	snprintf(subject, sizeof subject,
		 "【ベビーシッター利用支援】助成金を振り込めませんでした（申請番号 %s）", p->number);
	buf_printf(&mail,
		   "%s 様\n\n申請番号 %s の助成金を、届け出の口座に振り込めませんでした（口座番号や"
		   "名義が違う、口座が解約されているなど）。\n\n次のページで正しい口座を入力して"
		   "ください（このリンクは申請者だけのものです）。入力した口座に、次の振込日に"
		   "振り込みます。\n%s/sitter/status.html#t=%s\n\nお問い合わせ: %s\n",
		   p->form.name, p->number, a->cfg.base_url, token, cfg.contact);
	enum err e = sitter_mail(a, c, "account", p->form.email, subject, mail.data);
	vault_wipe(mail.data, mail.len);
	buf_free(&mail);
	return e;
}

enum err sitter_payment_returns(struct app *a, struct store_conn *c, const char *data,
				size_t len, int64_t user_id, const char *actor,
				struct sitter_returns *out, char why[SITTER_WHY_MAX])
{
	const struct vault *v = sitter_vault(a);
	struct grant_zengin_record *r = NULL;
	size_t n = 0;
	int64_t now = clock_now_ms();
	enum err e;
	memset(out, 0, sizeof *out);
	why[0] = '\0';
	char problem[192] = ""; /* the longest of the reader's, with the sentence: < SITTER_WHY_MAX */
	e = grant_zengin_read(data, len, &r, &n, problem, sizeof problem);
	if (e == ERR_TOOLARGE)
		snprintf(why, SITTER_WHY_MAX, "ファイルが大きすぎます。");
	else if (e != ERR_OK)
		/* The reader names the record and the fault; the sentence is ours. */
		snprintf(why, SITTER_WHY_MAX, "振込不能のファイルとして読めません（%s）。",
			 problem[0] ? problem : "全銀協の形式ではありません");
	if (e != ERR_OK)
		return e;
	int64_t total = 0;
	char made_for[11];
	for (size_t i = 0; i < n; i++)
		total += r[i].yen;
	if (own_transfer_file(a, c, data, len, n, total, made_for)) {
		snprintf(why, SITTER_WHY_MAX,
			 "このファイルは区が作った振込データ（振込日 %s、%zu件）そのものです。銀行から"
			 "戻った振込不能のファイルを選んでください。",
			 made_for, n);
		grant_zengin_records_free(r);
		return ERR_CONFLICT;
	}
	out->numbers = xcalloc(n ? n : 1, sizeof *out->numbers);
	e = store_begin(c);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		int64_t id = 0;
		struct sitter_app p;
		const char *code = r[i].customer_code1;
		if (sitter_app_by_number(c, code, &id) != ERR_OK ||
		    sitter_app_load(c, v, id, &p) != ERR_OK) {
			out->unmatched++;
			continue;
		}
		if (p.state != GRANT_PAID || p.grant_yen != r[i].yen) {
			out->unmatched++;
			sitter_app_clear(&p);
			continue;
		}
		e = grant_step(c, v, &sitter_tables, id, GRANT_PAID, GRANT_UNPAID, user_id,
			       "振込不能", now);
		struct store_stmt *st =
		    e == ERR_OK ? store_prepare(c, "UPDATE sitter_payments SET returned = returned + 1 "
						   "WHERE id = ?1")
				: NULL;
		if (st) {
			store_bind_int(st, 1, p.payment_id);
			e = store_run(st);
			store_finish(st);
		}
		if (e == ERR_OK)
			e = ask_account(a, c, &p);
		if (e == ERR_OK) {
			char object[48];
			snprintf(object, sizeof object, "sitter_application:%" PRId64, id);
			e = audit_append(c, a->vault, actor, "sitter.unpaid", object, "");
		}
		if (e == ERR_OK)
			snprintf(out->numbers[out->matched++], sizeof out->numbers[0], "%s", p.number);
		sitter_app_clear(&p);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e != ERR_OK)
		sitter_returns_free(out); /* nothing matched after all */
	if (e != ERR_OK)
		out->matched = 0;
	grant_zengin_records_free(r);
	return e;
}

void sitter_returns_free(struct sitter_returns *r)
{
	free(r->numbers);
	r->numbers = NULL;
}
