/* SPDX-License-Identifier: MIT */
/* cli_handover.c — the handover file from the command line, for every casework service: the
 * case opened as a named account (the same rule, reason and audit as on the web), sealed with
 * a passphrase read from standard input, recorded in the handover ledger and written to a
 * file. */
#include "casework/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/text.h"
#include "casework/api.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/passbox.h"
#include "vault/vault.h"

int casework_cli_account(struct store_conn *c, const struct casework_kind *k, const char *login,
			 int64_t *id, enum role *role)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, role FROM users WHERE login = ?1 AND disabled = 0");
	if (!st)
		return 0;
	store_bind_text(st, 1, login);
	int ok = store_step(st) == STORE_ROW;
	if (ok) {
		*id = store_col_int(st, 0);
		*role = role_parse(store_col_text(st, 1));
	}
	store_finish(st);
	return ok && (*role & (k->worker_role | k->supervisor_role));
}

/* Reads one line (the passphrase) from standard input into a malloc'd string, or NULL. */
static char *read_line(void)
{
	char b[300];
	if (!fgets(b, sizeof b, stdin))
		return NULL;
	b[strcspn(b, "\r\n")] = '\0';
	char *s = strdup(b);
	vault_wipe(b, sizeof b);
	return s;
}

int casework_cli_handover(const struct casework_kind *k, struct app *a, const char *login,
			  const char *number, const char *reason, const char *out, const char *what,
			  const char *accounts)
{
	int64_t uid = 0, id = 0;
	enum role role = ROLE_NONE;
	enum casework_access how;
	const char *why = NULL;
	char *text = NULL, *pass = NULL, content[96], object[48], sql[96];
	unsigned char *box = NULL;
	size_t box_len = 0;
	int rc = 1;
	char reason_why[160];
	/* A handover discloses the case: its reason is always said, not only at the day's first
	 * opening. */
	if (text_line_why(reason, CASEWORK_REASON_MAX, "引き継ぎの理由（--reason）", reason_why,
			  sizeof reason_why) != 0) {
		fprintf(stderr, "mimamori: %s\n", reason_why);
		return 2;
	}
	/* The ledger records the file before it is written: the place must take it. */
	if (file_export_check(out) != 0)
		return 1;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, casework_sql(k, "SELECT id FROM @_cases WHERE number = ?1", sql, sizeof sql));
	if (st) {
		store_bind_text(st, 1, number);
		if (store_step(st) == STORE_ROW)
			id = store_col_int(st, 0);
		store_finish(st);
	}
	enum err e = casework_cli_account(c, k, login, &uid, &role) ? ERR_OK : ERR_NOTFOUND;
	if (e == ERR_OK)
		e = store_begin(c);
	/* The CLI opens the case as the named account: the same rule, reason and audit. */
	if (e == ERR_OK)
		e = casework_open(c, a->vault, k, "cli", uid, role, id, reason, 0, clock_now_ms(),
				  &how, &why);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		e = casework_handover_text(k, c, app_vault(a, k->service), id, &text);
	store_release(c);
	if (e != ERR_OK) {
		if (e == ERR_NOTFOUND)
			fprintf(stderr, "mimamori: %s %s は見つかりません（%sのアカウントで）。\n",
				what, number, accounts);
		else
			fprintf(stderr, "mimamori: %s\n", why ? why : err_message_ja(e));
		goto out;
	}
	pass = read_line();
	if (!vault_passphrase_ok(pass)) {
		fprintf(stderr,
			"mimamori: パスフレーズを10文字以上、標準入力から1行で与えてください。\n");
		goto out;
	}
	e = vault_passbox_seal(pass, VAULT_PASSBOX_MODERATE, text, strlen(text), &box, &box_len);
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "handover %s sealed-passphrase", number);
		snprintf(object, sizeof object, "%s:%lld", k->object, (long long)id);
		struct ledger_item it = {.service = k->service,
					 .actor = "cli",
					 .content = content,
					 .object = object,
					 .records = 1,
					 .data = box,
					 .len = box_len};
		e = ledger_record(a, &it, NULL);
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: 引き継ぎファイルを作れませんでした: %s\n",
			err_message_ja(e));
		goto out;
	}
	if (file_write_export(out, box, box_len) != ERR_OK) /* said why */
		goto out;
	printf("%s を封かんして %s に書きました（受け渡し台帳に記録）。\n", number, out);
	rc = 0;
out:
	vault_wipe_free(text);
	vault_wipe_free(pass);
	free(box);
	return rc;
}
