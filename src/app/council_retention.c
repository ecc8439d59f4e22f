/* SPDX-License-Identifier: MIT */
/* council_retention.c — how long each kind of record is kept (保存期間), as the council's item
 * lists show it: the one table of defaults (docs/guide.md, 保存期間). When the retention
 * settings ([retention] in mimamori.conf, the daily job that deletes what has expired) are
 * wired, council_retention reads them here and keeps these texts as the fallback. */
#include <string.h>

#include "app/council.h"

struct period {
	const char *table; /* or "*" for every table of owner */
	const char *owner; /* or NULL: any */
	const char *text;
};

/* Specific tables first; the last entries are each owner's default. */
static const struct period periods[] = {
    {"outbox", NULL, "本文・件名・宛先は送信から30日（送信の事実は5年）"},
    {"mail_reads", NULL, "5年"},
    {"bounce_events", NULL, "1年"},
    {"bounce_addresses", NULL, "最後の不達から1年"},
    {"unsubscribes", NULL, "配信を再開するまで"},
    {"sessions", NULL, "最後の利用から12時間"},
    {"guardian_sessions", NULL, "最後の利用から30日"},
    {"device_cookies", NULL, "最後の利用から1年"},
    {"confirm_tokens", NULL, "有効期限の7日後"},
    {"guardian_login_tokens", NULL, "有効期限の7日後"},
    {"resubscribe_tokens", NULL, "有効期限の7日後"},
    {"school_links", NULL, "有効期限の7日後"},
    {"ce_parent_tokens", NULL, "有効期限の7日後"},
    {"audit", NULL, "5年（期間ごとに署名した区切りを残して削除）"},
    {"ledger", NULL, "5年"},
    {"scans", NULL, "1年"},
    {"plan_days", NULL, "1年"},
    {"plan_changes", NULL, "1年"},
    {"alerts", NULL, "90日"},
    {"bath_snapshots", NULL, "承認から1年"},
    {"bath_snapshot_rows", NULL, "承認から1年"},
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

const char *council_retention(const char *owner, const char *table)
{
	for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
		const struct period *p = &periods[i];
		if ((strcmp(p->table, "*") == 0 || strcmp(p->table, table) == 0) &&
		    (!p->owner || strcmp(p->owner, owner) == 0))
			return p->text;
	}
	return "";
}
