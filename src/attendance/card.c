/* SPDX-License-Identifier: MIT */
/* card.c — QR cards: unguessable codes (128 bits), reissue revokes. */
#include "attendance/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/card_admin.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "doc/cards_pdf.h"
#include "store/store.h"
#include "vault/vault.h"

#define CODE_BYTES 16

/* Base32 (RFC 4648 alphabet, no padding): upper-case letters and digits only, so every barcode
 * reader keyboard layout types it the same. 16 bytes → 26 characters. */
static char *new_code(void)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char raw[CODE_BYTES];
	char *out = xmalloc(CODE_BYTES * 8 / 5 + 2);
	size_t o = 0;
	unsigned bits = 0, acc = 0;
	vault_random(raw, sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	vault_wipe(raw, sizeof raw);
	return out;
}

enum err card_issue(struct app *a, struct store_conn *c, int64_t child_id, char **code_out)
{
	unsigned char idx[VAULT_BLIND_LEN];
	int64_t now = clock_now_ms();
	char *code = new_code();
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE cards SET revoked_ms = ? WHERE child_id = ? AND revoked_ms IS NULL");
	if (!st)
		goto out;
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, child_id);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	vault_blind(attendance_vault(a), "card", code, idx);
	st = store_prepare(c, "INSERT INTO cards(child_id, code_idx, code_enc, issued_ms) "
			      "VALUES (?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	store_bind_blob(st, 2, idx, sizeof idx);
	vault_bind_sealed(attendance_vault(a), st, 3, "cards.code", code);
	store_bind_int(st, 4, now);
	e = store_run(st);
	store_finish(st);
out:
	if (e != ERR_OK) {
		vault_wipe_free(code);
		return e;
	}
	*code_out = code;
	return ERR_OK;
}
