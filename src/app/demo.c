/* SPDX-License-Identifier: MIT */
/* demo.c — `mimamori demo`: a fictional ward made of each service's own generator. The
 * platform makes the data directory (the ward's name as the mail's sender), the credentials
 * file and the ward's accounts (its administrator and a second approver); then every service
 * adds its people, in the order of services[]. Synthetic data only. */
#include "app/service.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/user.h"
#include "base/xalloc.h"
#include "cli.h"
#include "grant/path.h"
#include "store/store.h"
#include "vault/vault.h"

/* The fictional ward's name, as the sender of its mail. */
#define DEMO_FROM_NAME "桜台区 学童クラブ"
#define DEMO_USAGE                                                                         \
	"使い方: mimamori demo --data DIR [--store URL] [各サービスのオプション（--children N "   \
	"など）]"

const char *demo_option(const struct demo_out *d, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < d->argc; i++) {
		const char *a = d->argv[i];
		if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
			continue;
		if (a[2 + n] == '=')
			return a + 3 + n;
		if (a[2 + n] == '\0' && i + 1 < d->argc)
			return d->argv[i + 1];
	}
	return NULL;
}

/* Returns 1 when option (its name, up to '=' or the end) is the platform's (--data, --store) or
 * one a service's demo reads (demo_options: "children,codes-out"). */
static int option_known(const char *opt, size_t n)
{
	if ((n == 4 && strncmp(opt, "data", 4) == 0) || (n == 5 && strncmp(opt, "store", 5) == 0))
		return 1;
	for (const struct service *const *sv = app_services(); *sv; sv++) {
		const char *p = (*sv)->demo_options;
		while (p && *p) {
			size_t k = strcspn(p, ",");
			if (k == n && strncmp(p, opt, n) == 0)
				return 1;
			p += k + (p[k] == ',');
		}
	}
	return 0;
}

/* Checks that argv holds only --name VALUE / --name=VALUE pairs of known options. Returns 0,
 * or prints why and returns 2. */
static int check_options(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0)
			return cli_fail("「%s」は使えません。%s", a, DEMO_USAGE);
		size_t n = strcspn(a + 2, "=");
		if (!option_known(a + 2, n))
			return cli_fail("オプション「%.*s」はありません。%s", (int)(n + 2), a,
					DEMO_USAGE);
		if (!a[2 + n] && ++i >= argc)
			return cli_fail("オプション「%s」に値がありません。%s", a, DEMO_USAGE);
	}
	return 0;
}

/* 16 URL-safe characters, drawn again in the rare case the password rules refuse them. */
static char *password(const char *login)
{
	char *pw = vault_token(12);
	while (auth_password_refusal(pw, login, NULL, 0)) {
		vault_wipe_free(pw);
		pw = vault_token(12);
	}
	return pw;
}

enum err demo_account_add(struct app *a, const char *login, const char *role, char **pw,
			  int64_t *id)
{
	const char *why = NULL;
	*pw = password(login);
	*id = 0;
	enum err e = user_add(a->store, a->vault, login, role, NULL, 0, *pw, &why);
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "SELECT id FROM users WHERE login = ?1") : NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (e == ERR_OK) {
		store_bind_text(st, 1, login);
		e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
		*id = e == ERR_OK ? store_col_int(st, 0) : 0;
	}
	store_finish(st);
	store_release(c);
	if (e != ERR_OK)
		fprintf(stderr, "mimamori: demo: %s: %s\n", login, why ? why : err_message_ja(e));
	return e;
}

enum err demo_grant_staff(struct app *a, struct demo_out *out, const char *prefix,
			  const char *service, const char *label, int64_t who[4])
{
	static const char *const suffix[4] = {"op", "sv", "ward", "approver"};
	static const char *const roles[4] = {"grant_operator", "grant_supervisor", "grant_staff",
					     "grant_approver"};
	static const char *const role_labels[4] = {
	    "contractor operator (事業者の担当者)", "contractor supervisor (事業者の責任者)",
	    "ward staff (区の担当職員)", "ward approver (区の決定者)"};
	enum err e = ERR_OK;
	for (int i = 0; i < 4 && e == ERR_OK; i++) {
		char login[64], *pw = NULL;
		snprintf(login, sizeof login, "%s-%s", prefix, suffix[i]);
		e = demo_account_add(a, login, roles[i], &pw, &who[i]);
		if (e == ERR_OK) {
			struct store_conn *c = store_acquire(a->store);
			e = grant_staff_set(c, who[i], service);
			store_release(c);
		}
		if (e == ERR_OK)
			fprintf(out->cred, "%s %s: login %s  password %s\n", label, role_labels[i],
				login, pw);
		vault_wipe_free(pw);
	}
	return e;
}

int cmd_demo(int argc, char **argv)
{
	struct demo_out d = {.argc = argc, .argv = argv};
	const char *why = NULL;
	int status;
	if (check_options(argc, argv) != 0)
		return 2;
	d.dir = demo_option(&d, "data");
	if (!d.dir)
		return cli_fail("%s", DEMO_USAGE);
	/* Each service checks its own options before anything is made. */
	for (const struct service *const *sv = app_services(); *sv; sv++)
		if ((*sv)->demo && (status = (*sv)->demo(NULL, &d)) != 0)
			return status;
	const char *store_url = demo_option(&d, "store");
	enum err e = app_init_dir_named(d.dir, DEMO_FROM_NAME, store_url, &why);
	if (e == ERR_CONFLICT && !store_url)
		return cli_fail(
		    "%s にはすでにデータディレクトリがあります。消すか、別の場所を指定して"
		    "ください",
		    d.dir);
	/* The demo ward asks its administrator for a second factor only once one is enrolled
	 * (the pages, the benchmarks and the walkthrough sign in with the password). */
	if (e == ERR_OK)
		e = app_conf_set(d.dir, "server", "admin_second_factor", "optional");
	if (e != ERR_OK)
		return cli_fail("%s を作成できません: %s", d.dir, why ? why : err_message_ja(e));
	struct app *a = cli_open(d.dir, 2);
	if (!a)
		return 1;
	status = 1;
	char *cred_path = xasprintf("%s/demo-credentials.txt", d.dir);
	int fd = open(cred_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	char *admin_pw = password("admin"), *approver_pw = password("contractor");
	buf_init(&d.summary, 1 << 20);
	d.cred = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!d.cred) {
		fprintf(stderr, "mimamori: demo: %s に書き込めません\n", cred_path);
		goto out;
	}
	fprintf(d.cred,
		"# mimamori demo ward — generated, fictional data. Keep this file private.\n");
	const char *const none[1] = {NULL};
	e = user_add(a->store, a->vault, "admin", "ward_admin", none, 0, admin_pw, &why);
	if (e == ERR_OK)
		fprintf(d.cred, "ward admin: login admin  password %s\n", admin_pw);
	/* A bulk send to several groups needs a second person's approval: the contractor. */
	if (e == ERR_OK)
		e = user_add(a->store, a->vault, "contractor", "contractor", none, 0, approver_pw,
			     &why);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: demo: %s\n", why ? why : err_message_ja(e));
		goto out;
	}
	fprintf(d.cred,
		"approver (contractor, approves emergency mail to several sites): login "
		"contractor  password %s\n",
		approver_pw);
	for (const struct service *const *sv = app_services(); *sv; sv++)
		if ((*sv)->demo && (status = (*sv)->demo(a, &d)) != 0)
			goto out;
	struct store_conn *c = store_acquire(a->store);
	audit_append(c, a->vault, "cli", "demo.create", "ward", "");
	store_release(c);
	printf("demo ward created in %s (fictional data only)\n", d.dir);
	printf("  ward admin:   login admin      password %s   (区の管理者: /ward/)\n", admin_pw);
	printf("  approver:     login contractor password %s   (委託事業者: approves emergency "
	       "mail to several sites)\n",
	       approver_pw);
	fputs(d.summary.data ? d.summary.data : "", stdout);
	printf("every login, password and kiosk token: %s\n", cred_path);
	status = 0;
out:
	if (d.cred)
		fclose(d.cred);
	else if (fd >= 0)
		close(fd);
	if (d.summary.data)
		vault_wipe(d.summary.data, d.summary.len); /* it holds passwords */
	buf_free(&d.summary);
	vault_wipe_free(admin_pw);
	vault_wipe_free(approver_pw);
	free(cred_path);
	app_close(a);
	return status;
}
