/* SPDX-License-Identifier: MIT */
/* demo.c — file exchange's part of `mimamori demo`: a contractor who sends (ex-contractor, the
 * household-support contractor's operator) and a member of the ward's staff who receives
 * (ex-ward, registered with a fictional address at example.jp), and one example file sent
 * between them (its link and password are in the demo's outbox). Synthetic data only. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app/service.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "vault/vault.h"

int exchange_demo(struct app *a, struct demo_out *out);

/* A fictional visit report (家事・育児支援の訪問報告), no real person. */
static const char report[] =
    "家事・育児支援 訪問報告（例）\n"
    "受付: 2026000001\n"
    "訪問日: 今月5日 10:00-12:00\n"
    "内容: 食事提供、清掃\n"
    "様子: 保護者・児童とも落ち着いていた。\n"
    "※ これはデモ用の架空の報告です。\n";

int exchange_demo(struct app *a, struct demo_out *out)
{
	char *wpw = NULL, *cpw = NULL;
	int64_t ward = 0, contractor = 0, id = 0;
	const char *why = NULL, *code = NULL;
	if (!a)
		return 0; /* the options' check: it has none */
	enum err e = demo_account_add(a, "ex-ward", "ward_staff", &wpw, &ward);
	if (e == ERR_OK)
		e = demo_account_add(a, "ex-contractor", "grant_operator", &cpw, &contractor);
	if (e == ERR_OK) {
		struct store_conn *c = store_acquire(a->store);
		int64_t uid = 0;
		e = store_begin(c);
		if (e == ERR_OK)
			e = exchange_recipient_set(a, c, "ex-ward", "桜台 花子", "子ども家庭支援課",
						   "ex-ward@example.jp", 1, &uid, &why);
		if (e == ERR_OK)
			e = store_commit(c);
		store_rollback(c);
		store_release(c);
	}
	if (e == ERR_OK) {
		char actor[32];
		snprintf(actor, sizeof actor, "user:%lld", (long long)contractor);
		struct exchange_upload u = {.sender_id = contractor,
					    .recipient_id = ward,
					    .name = "訪問報告-例.txt",
					    .type = "text/plain; charset=utf-8",
					    .data = report,
					    .len = strlen(report),
					    .days = 7};
		e = exchange_put(a, &u, actor, &id, &code, &why);
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: ファイル授受のデモを作れませんでした（%s）\n",
			why ? why : err_message_ja(e));
		vault_wipe_free(wpw);
		vault_wipe_free(cpw);
		return 1;
	}
	fprintf(out->cred,
		"file exchange, ward recipient (ファイル授受 区の受取人): login ex-ward  password %s\n"
		"file exchange, contractor (ファイル授受 受託事業者): login ex-contractor  password "
		"%s\n",
		wpw, cpw);
	buf_printf(&out->summary,
		   "ファイル授受: /exchange/send.html（ex-contractor）、/exchange/inbox.html"
		   "（ex-ward、例のファイル1件。パスワードは別のメール）\n");
	vault_wipe_free(wpw);
	vault_wipe_free(cpw);
	return 0;
}
