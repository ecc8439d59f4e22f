/* SPDX-License-Identifier: MIT */
/* service.c — the schools' mass mail (seed 003) as the platform sees it: its name and key, its
 * subcommands, its demo, its mail-in hook (the empty-mail sign-up), its start (the term password
 * rule of school staff) and its metrics (its routes are in routes.c). */
#include "schoolmail/service.h"

#include "app.h"
#include "auth/password_term.h"
#include "auth/role.h"
#include "base/buf.h"
#include "base/log.h"
#include "app/retention.h"
#include "bulk/bulk.h"
#include "schoolmail/send.h"
#include "store/store.h"

static const struct cli_command commands[] = {
    {"school", schoolmail_cmd_school,
     "school add|list|set|letter|user|rollover --data DIR ...  学校・園、登録案内、学校の利用者、"
     "年度更新（一斉メール配信）"},
    {"schoolmail", schoolmail_cmd_schoolmail,
     "schoolmail send --data DIR --school CODE [--grade G] [--class C] --subject S --body-file F "
     "[--read-confirm]  学校・園の一斉メールを送る（画面と同じ確認つき）"},
    {0, 0, 0},
};

static enum err start(struct app *a)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	/* Principals and school administrators change their passwords each school term. */
	if (auth_password_terms_set(ROLE_SCHOOL_USERS, cfg->term_starts) != 0)
		log_warn("schoolmail: the term dates %s cannot be used", cfg->term_starts);
	/* The templates a school starts from (once per directory). */
	if (schoolmail_templates_seed(a) != ERR_OK)
		log_warn("schoolmail: the default templates cannot be stored now");
	return ERR_OK;
}

/* The schools' mail goes out under the board of education's name, never the clubs'. */
static const char *mail_from_name(struct app *a)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	return cfg->from_name[0] ? cfg->from_name : cfg->ward_name;
}

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT count(*) FROM school_registrants");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(b,
			   "# HELP mimamori_school_registrants Registrations of the schools' mass "
			   "mail.\n"
			   "# TYPE mimamori_school_registrants gauge\n"
			   "mimamori_school_registrants %lld\n",
			   (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

/* Its kind of bulk mail: the schools' sends (audience.c). */
static const struct bulk_kind *const bulk_kinds[] = {&school_kind, NULL};

/* Its records with a retention period (app/retention.h; the periods are in docs/guide.md). */
static const struct retention_kind retention_kinds[] = {
    /* sign-up links hold the sealed address until used or expired */
    {"links", "期限切れの登録・確認リンク", 7, "school_links",
     "DELETE FROM school_links WHERE expires_ms < ?1", 0, 0, 0, 0},
    {0},
};

const struct service schoolmail_service = {
    .name = SCHOOLMAIL_SERVICE,
    .label_ja = "一斉メール配信",
    .routes = schoolmail_routes,
    .commands = commands,
    .demo = schoolmail_demo,
    .demo_options = "school-registrations",
    .mail_in = schoolmail_mail_in,
    .start = start,
    .metrics = metrics,
    .bulk = bulk_kinds,
    .mail_from_name = mail_from_name,
    .retention = retention_kinds,
};
