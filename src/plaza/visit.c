/* SPDX-License-Identifier: MIT */
/* visit.c — visits recorded by scanning a registration card at the desk (once a day per user,
 * with the age band of that day) and the counts per plaza, day and age band, made from the
 * plain visit rows alone. */
#include "plaza/plaza.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plaza/terms.h"
#include "store/store.h"
#include "vault/vault.h"

enum err plaza_visit_record(struct store_conn *c, const struct vault *v, int64_t plaza_id,
			    const char *code, const char *today, int64_t now_ms, int64_t *user_id,
			    const char **band, int *again)
{
	char card[32];
	char *birth = NULL;
	*user_id = 0;
	*band = NULL;
	*again = 0;
	if (!code || plaza_digits(code, card, sizeof card) != 7)
		return ERR_NOTFOUND;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, birth FROM plaza_users WHERE plaza_id = ? AND card_no = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, plaza_id);
	store_bind_text(st, 2, card);
	enum err e = ERR_NOTFOUND;
	if (store_step(st) == STORE_ROW) {
		*user_id = store_col_int(st, 0);
		e = vault_unseal_column(v, st, 1, "plaza_users.birth", &birth);
	}
	store_finish(st);
	if (e != ERR_OK)
		return e;
	*band = plaza_band(plaza_age(birth, today));
	vault_wipe_free(birth);
	st = store_prepare(c, "INSERT INTO plaza_visits (plaza_id, user_id, on_date, band, at_ms) "
			      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, on_date) DO NOTHING");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, plaza_id);
	store_bind_int(st, 2, *user_id);
	store_bind_text(st, 3, today);
	store_bind_text(st, 4, *band);
	store_bind_int(st, 5, now_ms);
	e = store_run(st);
	*again = store_changes(c) == 0;
	store_finish(st);
	if (e != ERR_OK)
		return e;
	st =
	    store_prepare(c, "UPDATE plaza_users SET active_on = ? WHERE id = ? AND active_on < ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, today);
	store_bind_int(st, 2, *user_id);
	store_bind_text(st, 3, today);
	e = store_run(st);
	store_finish(st);
	return e;
}

enum err plaza_counts(struct store_conn *c, int64_t plaza_id, const char *from, const char *to,
		      int csv, struct buf *out)
{
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT plaza_id, on_date, band, count(*) FROM plaza_visits WHERE (?1 = 0 OR "
	    "plaza_id = ?1) AND on_date >= ?2 AND on_date <= ?3 GROUP BY plaza_id, on_date, band "
	    "ORDER BY on_date, plaza_id, CASE band WHEN '0-5' THEN 0 WHEN '6-12' THEN 1 WHEN "
	    "'13-15' THEN 2 WHEN '16-18' THEN 3 ELSE 4 END");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, plaza_id);
	store_bind_text(st, 2, from);
	store_bind_text(st, 3, to);
	/* The CSV as the other exports: a BOM so that Excel reads it as UTF-8, the bands in
	 * words. */
	enum err e = buf_puts(out, csv ? "\xEF\xBB\xBFプラザ,日付,年齢区分,来館数\r\n" : "[");
	int r = STORE_DONE, first = 1;
	while (e == ERR_OK && (r = store_step(st)) == STORE_ROW) {
		const char *name = plaza_name(store_col_int(st, 0));
		if (csv) {
			e = buf_printf(out, "%s,%s,%s,%" PRId64 "\r\n", name ? name : "",
				       store_col_text(st, 1), plaza_band_label(store_col_text(st, 2)),
				       store_col_int(st, 3));
			continue;
		}
		e = buf_printf(out,
			       "%s{\"plaza\":\"%s\",\"day\":\"%s\",\"band\":\"%s\","
			       "\"visits\":%" PRId64 "}",
			       first ? "" : ",", name ? name : "", store_col_text(st, 1),
			       store_col_text(st, 2), store_col_int(st, 3));
		first = 0;
	}
	store_finish(st);
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	if (e == ERR_OK && !csv)
		e = buf_puts(out, "]");
	return e;
}
