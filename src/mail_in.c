/* SPDX-License-Identifier: MIT */
/* mail_in.c — `mimamori mail-in`: one inbound message on standard input, as Postfix's pipe
 * transport hands it over (bounces, unsubscribes, and what the services' hooks take, such as the
 * schools' empty-mail sign-up). Shared by the main program and the lean `mimamori-mail-in`
 * (mail_in_main.c), which links only what this path needs so that a process per mail starts
 * fast. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "app.h"
#include "auth/audit.h"
#include "base/xalloc.h"
#include "cli.h"
#include "mail/mail.h"
#include "schoolmail/schoolmail.h"
#include "vault/vault.h"

/* mail-in reads at most this much of a message; the rest is read and discarded (a notification
 * says what it has to say long before; Postfix's own default limit is 10 MB). */
#define MAIL_IN_MAX (16 * 1024 * 1024)

/* Reads standard input up to MAIL_IN_MAX bytes into *out (malloc'd, caller frees), draining
 * the rest. Returns 0, or -1 on a read error. */
static int read_stdin_capped(char **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *b = xmalloc(cap), scratch[8192];
	for (;;) {
		if (n == cap && cap < MAIL_IN_MAX) {
			cap = cap * 2 < MAIL_IN_MAX ? cap * 2 : MAIL_IN_MAX;
			b = xrealloc(b, cap);
		}
		int keep = n < cap; /* past the cap, bytes go to scratch and are dropped */
		size_t want = keep ? cap - n : sizeof scratch;
		size_t got = fread(keep ? b + n : scratch, 1, want, stdin);
		if (keep)
			n += got;
		if (got < want)
			break;
	}
	if (ferror(stdin)) {
		free(b);
		return -1;
	}
	*out = b;
	*len = n;
	return 0;
}

/* STAND-IN of the school branch for the composition of the services' mail-in hooks (issue
 * 13, src/services.c): offers the message to schoolmail's hook. It names the hook function
 * itself, not the service struct, so that the lean mail-in program links no route handler. */
static enum err services_mail_in(void *ctx, const struct mail_in_msg *m, int *taken)
{
	return schoolmail_mail_in(ctx, m, taken);
}

int cmd_mail_in(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"recipient", required_argument, 0, 'r'},
					     {0, 0, 0, 0}};
	const char *dir = NULL, *rcpt = NULL;
	char *msg = NULL;
	size_t len = 0;
	int ch, bad = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'r': rcpt = optarg; break;
		default: bad = 1; break;
		}
	}
	if (bad || !dir || optind < argc) {
		cli_fail("使い方: mimamori mail-in --data DIR [--recipient ADDR] < メール");
		return EX_TEMPFAIL;
	}
	if (read_stdin_capped(&msg, &len) != 0) {
		fputs("mimamori: mail-in: メールを読み込めません\n", stderr);
		return EX_TEMPFAIL;
	}
	struct app *a = cli_open(dir, 1);
	if (!a) {
		free(msg);
		return EX_TEMPFAIL;
	}
	struct mail_inbound_result res;
	mail_inbound_set_hook(services_mail_in, a);
	enum err e = mail_inbound(a->store, a->vault, msg, len, rcpt, a->cfg.bounce_limit,
				  audit_append, &res);
	app_close(a);
	vault_wipe(msg, len);
	free(msg);
	return e == ERR_OK ? 0 : EX_TEMPFAIL;
}
