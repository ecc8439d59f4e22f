/* SPDX-License-Identifier: MIT */
/* payment.h — the babysitter subsidy's transfers (全銀 総合振込) and returned transfers, for the
 * API and the CLI alike. */
#ifndef MIMAMORI_SITTER_PAYMENT_H
#define MIMAMORI_SITTER_PAYMENT_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "sitter/sitter.h"

struct sitter_payment {
	int64_t id;
	char pay_date[11];
	size_t items, returned;
	int64_t total_yen;
	int payable_changed; /* with ERR_CONFLICT: what is payable is not what was confirmed */
};

/* What the person confirmed would be paid: the number of approvals and their total. */
struct sitter_payable {
	int64_t count, total_yen;
};

/* Makes a transfer for pay_date (ISO; callers refuse a past one) of every notified approval, by user_id
 * (actor for the audit), on c in one transaction: the file kept sealed, each application paid.
 * With expect (NULL: none), only when those approvals are exactly what was confirmed. Returns
 * ERR_OK with *out; ERR_INVALID (a bad date, an account the file cannot hold) or ERR_CONFLICT
 * (nothing to pay, or out->payable_changed) with why. */
enum err sitter_payment_make(struct app *a, struct store_conn *c, const char *pay_date,
			     const struct sitter_payable *expect, int64_t user_id,
			     const char *actor, struct sitter_payment *out, char why[SITTER_WHY_MAX]);
/* Reads payment id into *out and appends its file's bytes (as made) to file. ERR_NOTFOUND. */
enum err sitter_payment_file(struct app *a, struct store_conn *c, int64_t id,
			     struct sitter_payment *out, struct buf *file);

/* What a file of returned transfers matched. numbers: malloc'd (free with
 * sitter_returns_free), the 申請番号 of each application now unpaid. */
struct sitter_returns {
	size_t matched, unmatched;
	char (*numbers)[16];
};
/* Reads a file of returned transfers (全銀 layout) of len bytes: each record whose 顧客コード1
 * is the 申請番号 of a paid application with the same amount moves it to unpaid, and its
 * applicant is mailed for a correct account; others are counted unmatched. One transaction.
 * ERR_INVALID with why for a file that is not one; ERR_CONFLICT with why for the ward's own
 * transfer file of several transfers read back (nothing changed). */
enum err sitter_payment_returns(struct app *a, struct store_conn *c, const char *data,
				size_t len, int64_t user_id, const char *actor,
				struct sitter_returns *out, char why[SITTER_WHY_MAX]);
/* Frees what r holds. */
void sitter_returns_free(struct sitter_returns *r);

#endif
