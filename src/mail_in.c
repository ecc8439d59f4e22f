/* SPDX-License-Identifier: MIT */
/* mail_in.c — `mimamori mail-in`: one inbound message on standard input, as Postfix's pipe
 * transport hands it over — bounces and unsubscribes are the platform's, anything else is
 * offered to the services' mail_in hooks (such as the schools' empty-mail sign-up). Shared by
 * the main program and the lean `mimamori-mail-in` (mail_in_main.c), which links only what this
 * path needs so that a process per mail starts fast. Names no service. */
#include "mail_in.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "app.h"
#include "auth/audit.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cli.h"
#include "mail/mail.h"
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

/* Offers a mail that is no bounce and no unsubscribe to each service's mail_in hook in turn,
 * until one takes it. Returns ERR_OK (taken, or nobody's: dropped and logged) or the error of
 * the hook that could not take it now. */
static enum err offer(struct app *a, const struct service *const *list, const char *msg,
		      size_t len, const char *rcpt)
{
	struct mail_in_msg m;
	int taken = 0;
	enum err e = mail_in_msg_read(msg, len, rcpt, &m);
	if (e != ERR_OK)
		return ERR_OK; /* not a mail message: dropped (mail_inbound logged it) */
	for (const struct service *const *sv = list; *sv && !taken && e == ERR_OK; sv++)
		if ((*sv)->mail_in)
			e = (*sv)->mail_in(a, &m, &taken);
	if (e == ERR_OK && !taken)
		log_info("mail-in: no service took the mail: dropped");
	mail_in_msg_clear(&m);
	return e;
}

int mail_in_run(int argc, char **argv, const struct service *const *list)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"recipient", required_argument, 0, 'r'},
					     {0, 0, 0, 0}};
	const char *dir = NULL, *rcpt = NULL;
	char *msg = NULL;
	size_t len = 0;
	int ch, bad = 0;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
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
	enum err e = mail_inbound(a->store, a->keys, msg, len, rcpt, a->cfg.bounce_limit,
				  audit_append, &res);
	if (e == ERR_OK && res.outcome == MAIL_IN_OTHER)
		e = offer(a, list, msg, len, rcpt);
	app_close(a);
	vault_wipe(msg, len);
	free(msg);
	return e == ERR_OK ? 0 : EX_TEMPFAIL;
}

int mail_in_services_agree(const struct service *const *list,
			   const struct service *const *hooks)
{
	const struct service *const *h = hooks;
	for (const struct service *const *sv = list; *sv; sv++) {
		if (!(*sv)->mail_in)
			continue;
		if (!*h || strcmp((*h)->name, (*sv)->name) != 0 || (*h)->mail_in != (*sv)->mail_in) {
			log_error("mail-in: the generated hooks disagree with services[] at %s",
				  (*sv)->name);
			return 0;
		}
		h++;
	}
	if (*h) {
		log_error("mail-in: the generated hooks name %s, which services[] has no hook of",
			  (*h)->name);
		return 0;
	}
	return 1;
}
