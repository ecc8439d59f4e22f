/* SPDX-License-Identifier: MIT */
/* numbers.c — a case's number: the service's letter, the fiscal year (April to March, Asia/Tokyo)
 * and the next of that year's sequence in P_numbers ("Y2026-0001"). */
#include <stdio.h>

#include "base/clock.h"
#include "base/wareki.h"
#include "casework/casework.h"
#include "store/store.h"

enum err casework_number_next(struct store_conn *c, const struct casework_kind *k, int64_t now_ms,
			      char number[16])
{
	char today[11], sql[200];
	int y, m, d;
	clock_jst_date(now_ms, today, sizeof today);
	if (wareki_parse_iso(today, &y, &m, &d) != ERR_OK)
		return ERR_INVALID;
	int fy = m >= 4 ? y : y - 1;
	struct store_stmt *st = store_prepare(
	    c, casework_sql(k,
			    "INSERT INTO @_numbers (fiscal_year, last) VALUES (?1, 1) ON CONFLICT "
			    "(fiscal_year) DO UPDATE SET last = @_numbers.last + 1 RETURNING last",
			    sql, sizeof sql));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	int r = store_step(st);
	int64_t seq = r == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	if (r != STORE_ROW)
		return ERR_DB;
	snprintf(number, 16, "%c%04d-%04d", k->number_letter, fy % 10000, (int)(seq % 10000));
	return ERR_OK;
}
