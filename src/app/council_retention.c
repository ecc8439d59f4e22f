/* SPDX-License-Identifier: MIT */
/* council_retention.c — how long each kind of record is kept (保存期間), as the council's item
 * lists show it: the periods in effect of the daily retention job ([retention] in mimamori.conf,
 * src/app/retention.c) for the tables it deletes from, and for the others the rule the guide
 * writes down (kept until a person ends it: a contract, a case, an account). */
#include <string.h>

#include "app/council.h"
#include "app/retention.h"

struct period {
	const char *table; /* or "*" for every table of owner */
	const char *owner; /* or NULL: any */
	const char *text;
};

/* Specific tables first; the last entries are each owner's default. */
static const struct period rules[] = {
    {"ce_parent_tokens", NULL, "有効期限の7日後"},
    {"audit", NULL, "5年（期間ごとに署名した区切りを残して削除）"},
    {"ledger", NULL, "5年"},
    {"bath_snapshots", NULL, "承認から1年"},
    {"sitter_receipts", NULL, "決定から5年"},
    {"ex_files", NULL, "受け取りの期限まで（期限の後は削除）"},
    {"course_signups", NULL, "講座の終了後30日"},
    {"course_entries", NULL, "講座の終了後30日"},
    {"*", "platform", "アカウントの廃止まで"},
    {"*", "sitter", "決定から5年"},
    {"*", "homehelp", "利用終了から5年"},
    {"*", "youth", "相談の終了から5年"},
    {"*", "centre", "契約終了から5年"},
    {"*", NULL, "利用の終了（登録の抹消）まで。契約終了時は消去する（消去証明書）"},
};

const char *council_retention(const struct retention_result *periods, const char *owner,
			      const char *table, char *buf, size_t n)
{
	if (retention_table_text(periods, table, buf, n))
		return buf;
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		const struct period *p = &rules[i];
		if ((strcmp(p->table, "*") == 0 || strcmp(p->table, table) == 0) &&
		    (!p->owner || strcmp(p->owner, owner) == 0))
			return p->text;
	}
	return "";
}
