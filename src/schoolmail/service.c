/* SPDX-License-Identifier: MIT */
/* service.c — the schools' mass mail as a service of its own (issue 13): its routes,
 * subcommands, demo generator, mail-in hook and start-up, for the platform to compose. */
#include "service.h"

#include "app.h"
#include "auth/password_term.h"
#include "base/log.h"
#include "schoolmail/routes.h"
#include "schoolmail/schoolmail.h"

static const struct http_route schoolmail_routes[] = {SCHOOLMAIL_ROUTES{0}};

static const struct cli_command schoolmail_commands[] = {
	{"school", schoolmail_cmd_school,
	 "school add|list|set|letter|user|rollover --data DIR ...  学校・園、登録案内、学校の利用者、"
	 "年度更新（一斉メール配信）"},
	{0, 0, 0},
};

void schoolmail_start(struct app *a)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	/* Principals and school administrators change their passwords each school term. */
	if (auth_password_terms_set(ROLE_SCHOOL_USERS, cfg->term_starts) != 0)
		log_warn("schoolmail: the term dates %s cannot be used", cfg->term_starts);
}

const struct service schoolmail_service = {
	.name = "schoolmail",
	.label_ja = "一斉メール配信",
	.routes = schoolmail_routes,
	.commands = schoolmail_commands,
	.demo = schoolmail_demo,
	.mail_in = schoolmail_mail_in,
	.start = schoolmail_start,
	.stop = NULL,
};
