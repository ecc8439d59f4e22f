/* SPDX-License-Identifier: MIT */
/* mail_in_main.c — `mimamori-mail-in`, the lean program for Postfix's pipe transport: the same
 * command as `mimamori mail-in` (mail_in.c), linked without the HTTP server, PDF, spreadsheet
 * and SMTP-client libraries, because a process is started for every message (empty-mail
 * sign-ups come by the thousand when the schools hand out their letters in April). Its services
 * are mail_in_services, generated from src/services.c: their names (keys) and mail-in hooks. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "app.h"
#include "mail/mail.h"
#include "mail_in.h"
#include "vault/vault.h"

/* This program never starts the mail sender (mail-in only queues rows; `mimamori serve` sends
 * them), but app.c stops and reports one when it runs. These definitions take the place of
 * src/mail/sender.c's here, so that the linker leaves out the sender and the SMTP client with
 * libcurl and its two dozen libraries (measured: 25 ms → 13 ms a process). a->mail is always
 * NULL in this program, which the real functions treat the same way. */
void mail_sender_stop(struct mail_sender *m)
{
	(void)m;
}

void mail_sender_stats(struct mail_sender *m, struct mail_stats *st)
{
	(void)m;
	memset(st, 0, sizeof *st);
}

void mail_sender_metrics(struct mail_sender *m, struct buf *b)
{
	(void)m;
	(void)b;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		puts("使い方: mimamori-mail-in --data DIR [--recipient ADDR] < メール\n"
		     "（mimamori mail-in と同じです。Postfix のパイプ用。75 は再試行）");
		return 0;
	}
	umask(077); /* the data directory holds personal data: owner only */
	if (vault_global_init() != ERR_OK) {
		fputs("mimamori: 暗号ライブラリ（libsodium）を初期化できません\n", stderr);
		return EX_TEMPFAIL;
	}
	app_register_services(mail_in_services);
	/* argv[0] stands where the subcommand's name does in `mimamori mail-in`. */
	return mail_in_run(argc, argv, mail_in_services);
}
