/* SPDX-License-Identifier: MIT */
/* lock_alert.c — the lock alert mail: the account's number and role, when, and what to do; no
 * login name (it may be a person's name) and no address. At most LOCK_ALERTS_PER_HOUR a
 * process-hour, so an attacker locking many accounts cannot flood the mailbox; the audit log
 * has every lock. */
#include "auth/lock_alert.h"

#include <pthread.h>
#include <stdlib.h>

#include "auth/user.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t hour_start;
static int sent, held_back;

enum err auth_lock_alert(struct store_conn *c, const struct vault *v, const char *to,
			 int64_t user_id, const char *role, int64_t failures, int64_t now_ms)
{
	int others;
	pthread_mutex_lock(&lock);
	if (now_ms - hour_start >= 3600 * 1000) {
		hour_start = now_ms;
		sent = 0;
	}
	if (sent >= LOCK_ALERTS_PER_HOUR) {
		held_back++;
		pthread_mutex_unlock(&lock);
		return ERR_OK;
	}
	sent++;
	others = held_back;
	held_back = 0;
	pthread_mutex_unlock(&lock);
	char date[16], hhmm[8];
	clock_jst_date(now_ms, date, sizeof date);
	clock_jst_hhmm(now_ms, hhmm, sizeof hhmm);
	char *more = others ? xasprintf("このほか、通知を控えたロックが %d "
					"件あります（監査ログに記録されています）。\n\n",
					others)
			    : xstrdup("");
	char *body = xasprintf(
	    "見守りの職員アカウントが、パスワードの誤りが続いたためロックされました。\n"
	    "\n"
	    "アカウント番号: %lld（権限: %s）\n"
	    "日時: %s %s（日本時間）\n"
	    "続いた失敗: %lld 回\n"
	    "ロック: %d 分間（解除後も失敗が続けば再びロックされます）\n"
	    "\n"
	    "%s"
	    "本人の入力ミスでなければ、パスワードを推測する攻撃のおそれがあります。\n"
	    "区の管理の画面「保存期間と監査ログ」の「監査ログの月ごとの分析」（/ward/retention.html。\n"
	    "コマンドでは mimamori audit report --data DIR --month YYYY-MM）で、このアカウントの\n"
	    "「拒否」（ログインの失敗・ロック）の数を確かめてください。\n"
	    "以前にこの職員がログインした端末からは、ロック中でも正しいパスワードでログインできます"
	    "。\n"
	    "\n"
	    "このメールは送信専用です。\n",
	    (long long)user_id, role, date, hhmm, (long long)failures, USER_LOCK_MS / 60000, more);
	enum err e = mail_outbox_enqueue(c, v, "signin-lock", "notice", to,
					 "【見守り】職員アカウントがロックされました", body);
	free(more);
	free(body);
	return e;
}
