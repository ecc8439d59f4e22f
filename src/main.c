/* SPDX-License-Identifier: MIT */
/* main.c — the platform's subcommands (`mimamori init|serve|user|audit|demo|ledger|mail-in`)
 * followed by each service's own (struct service), and serving: the composed route table, the
 * services' background work and the bulk scheduler. Names no service: they come from
 * services[] (src/services.c). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>

#include "app.h"
#include "app/erase.h"
#include "app/lifecycle.h"
#include "app/periodic.h"
#include "auth/audit.h"
#include "retention_cli.h"
#include "app/retention.h"
#include "auth/user.h"
#include "ledger/ledger.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "bulk/bulk.h"
#include "cli.h"
#include "http/http.h"
#include "mail/mail.h"
#include "mail_in.h"
#include "routes.h"
#include "services.h"
#include "vault/vault.h"

#ifndef MIMAMORI_WEB_DIR
#define MIMAMORI_WEB_DIR "web"
#endif

/* The value of --data when it is the only option given (else NULL, the refusal said). */
static const char *data_arg(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	const char *dir = NULL;
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch != 'd')
			return NULL;
		dir = optarg;
	}
	return optind < argc ? NULL : dir;
}

static int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"store", required_argument, 0, 's'}, {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori init --data DIR [--store postgresql://…]";
	const char *dir = NULL, *url = NULL, *why = NULL;
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 's': url = optarg; break;
		default: return cli_fail("%s", usage);
		}
	}
	if (!dir)
		return cli_fail("%s", usage);
	enum err e = app_init_dir_named(dir, NULL, url, &why);
	if (e == ERR_CONFLICT && !url)
		return cli_fail("%s にはすでにデータディレクトリがあります。上書きはしません", dir);
	if (e != ERR_OK)
		return cli_fail("%s を作成できません: %s", dir, why ? why : err_message_ja(e));
	if (url)
		printf("%s を作成しました（mimamori.conf、master.key。データベースは [store] url の "
		       "PostgreSQL）。master.key はデータベースとは別の場所に、安全にバックアップして"
		       "ください。\n",
		       dir);
	else
		printf("%s を作成しました（mimamori.conf、master.key、mimamori.db）。master.key は"
		       "データベースとは別の場所に、安全にバックアップしてください。\n",
		       dir);
	return 0;
}

static char *read_password_stdin(void)
{
	char buf[512];
	if (!fgets(buf, sizeof buf, stdin))
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	char *p = strdup(buf);
	vault_wipe(buf, sizeof buf);
	return p;
}

static int cmd_user(int argc, char **argv)
{
	const char *usage = "使い方: mimamori user add --data DIR --login L --role ROLE "
			    "[--site CODE]... --password-stdin";
	const char *dir = NULL, *login = NULL, *role = NULL, *why = NULL;
	const char *sites[USER_MAX_SITES + 1];
	size_t nsites = 0;
	int pw_stdin = 0;
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'},
		{"role", required_argument, 0, 'r'}, {"site", required_argument, 0, 's'},
		{"password-stdin", no_argument, 0, 'p'}, {0, 0, 0, 0}};
	if (!cli_verb(&argc, &argv, "add"))
		return cli_fail("%s", usage);
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'l': login = optarg; break;
		case 'r': role = optarg; break;
		case 'p': pw_stdin = 1; break;
		case 's':
			if (nsites >= USER_MAX_SITES)
				return cli_fail("施設（--site）が多すぎます");
			sites[nsites++] = optarg;
			break;
		default: return cli_fail("%s", usage);
		}
	}
	if (!dir || !login || !role || !pw_stdin)
		return cli_fail("%s", usage);
	char *pw = read_password_stdin();
	if (!pw)
		return cli_fail("標準入力にパスワードがありません（--password-stdin）");
	struct app *a = cli_open(dir, 1);
	if (!a) {
		vault_wipe_free(pw);
		return 1;
	}
	enum err e = user_add(a->store, a->vault, login, role, sites, nsites, pw, &why);
	vault_wipe_free(pw);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: user add: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("利用者 %s を追加しました（%s）\n", login, role);
	return 0;
}

static int cmd_audit(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return cmd_audit_report(argc, argv); /* src/retention_cli.c */
	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return cli_fail("使い方: mimamori audit verify|report --data DIR");
	const char *dir = data_arg(argc - 1, argv + 1);
	if (!dir)
		return cli_fail("使い方: mimamori audit verify --data DIR");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct audit_verified r;
	enum err e = audit_verify_full(a->store, a->vault, &r);
	int64_t bad = r.bad_id;
	app_close(a);
	if (e == ERR_OK && r.checkpoint.id) {
		/* Pruned by retention (src/app/retention.c): proven from the checkpoint on. */
		printf("監査ログは改ざんされていません（%lld 件。%lld 件目までは保存期間を過ぎて"
		       "削除済みで、チェックポイント %lld から確かめました）\n",
		       (long long)r.count, (long long)r.checkpoint.last_id,
		       (long long)r.checkpoint.id);
		return 0;
	}
	if (e == ERR_OK) {
		printf("監査ログは改ざんされていません（%lld 件）\n", (long long)r.count);
		return 0;
	}
	if (e == ERR_CRYPTO && r.bad_checkpoint)
		fprintf(stderr, "mimamori: 監査ログのチェックポイント %lld が改ざんされています"
				"（削除済みの範囲の記録が偽られています）\n",
			(long long)r.bad_checkpoint);
	else if (e == ERR_CRYPTO)
		fprintf(stderr, "mimamori: 監査ログの %lld 件目が壊れています（書き換えられたか、"
				"その前後が消されています）\n",
			(long long)bad);
	else
		fprintf(stderr, "mimamori: audit verify: %s\n", err_message_ja(e));
	return 1;
}

/* Every service's kinds of bulk mail, ending with NULL (for the scheduler; lives as long as the
 * process). */
static const struct bulk_kind *const *bulk_kinds(void)
{
	static const struct bulk_kind *kinds[64];
	size_t n = 0;
	for (const struct service *const *sv = services; *sv; sv++)
		for (const struct bulk_kind *const *k = (*sv)->bulk; k && *k && n < 63; k++)
			kinds[n++] = *k;
	kinds[n] = NULL;
	return kinds;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"listen", required_argument, 0, 'l'},
		{"mail", required_argument, 0, 'm'}, {"web", required_argument, 0, 'w'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *listen = NULL, *mail = NULL, *web = getenv("MIMAMORI_WEB");
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'l': listen = optarg; break;
		case 'm': mail = optarg; break;
		case 'w': web = optarg; break;
		default:
			return cli_fail("使い方: mimamori serve --data DIR [--listen IP:PORT] "
					"[--mail URL] [--web DIR]");
		}
	}
	if (!dir)
		return cli_fail("使い方: mimamori serve --data DIR [--listen IP:PORT] [--mail URL] "
				"[--web DIR]");
	if (!web)
		web = MIMAMORI_WEB_DIR;
	/* Block the stop signals before any thread starts (the store's pool, the mail sender, the
	 * server's), so that every thread inherits the mask and only the sigwait below takes
	 * them: a thread started with them unblocked could take SIGTERM itself and end the
	 * process by the default action, without a clean stop. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct app *a = cli_open(dir, 16);
	struct http_server *srv = NULL;
	const struct http_route *table = NULL;
	size_t started = 0;
	struct bulk_scheduler *scheduler = NULL;
	struct periodic *nightly = NULL; /* the nightly backup ([backup] time) */
	struct periodic *retention = NULL;
	struct periodic *erase_watch = NULL; /* erasures done elsewhere (erase_watch.c) */
	int status = 1;
	if (!a)
		return 1;
	if (routes_compose(services, &table) != ERR_OK) {
		fprintf(stderr, "mimamori: serve: 同じ API の経路が二度定義されています（ログを見てください）\n");
		goto out;
	}
	if (!listen)
		listen = a->cfg.listen;
	setenv("MIMAMORI_MAIL_FROM", a->cfg.mail_from, 0);
	/* Each service's mail goes out under its own name when it has one (not the clubs'). */
	for (const struct service *const *sv = services; *sv; sv++) {
		const char *name =
		    (*sv)->mail_from_name ? (*sv)->mail_from_name(a) : (*sv)->mail_from;
		if (name && mail_from_name_set((*sv)->name, name) != ERR_OK) {
			fprintf(stderr, "mimamori: serve: %s（%s）の差出人名「%s」は使えません（1〜64文字の"
					"1行にしてください）\n",
				(*sv)->label_ja, (*sv)->name, name);
			goto out;
		}
	}
	enum err e = mail_sender_start(a->store, a->keys, mail ? mail : a->cfg.mail_url,
				       a->cfg.base_url, &a->mail);
	if (e == ERR_CONFLICT) {
		fputs("mimamori: serve: 別の mimamori serve がこのデータディレクトリのデータベースを"
		      "使っています。SQLite では一つのサーバーだけが使えます（複数のサーバーで動かす"
		      "ときは PostgreSQL にしてください）\n",
		      stderr);
		goto out;
	}
	if (e != ERR_OK) {
		const char *why = e == ERR_INVALID ? mail_sender_config_why() : NULL;
		if (why)
			fprintf(stderr, "mimamori: serve: メールの送信を始められません: %s（mimamori.conf）\n",
				why);
		else
			fprintf(stderr, "mimamori: serve: メールの送信を始められません（送信先 %s、"
					"mimamori.conf の [mail] を確かめてください）: %s\n",
				mail ? mail : a->cfg.mail_url, err_message_ja(e));
		goto out;
	}
	e = http_server_start(a, listen, web, table, &srv);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: serve: %s で待ち受けできません（%s）\n", listen,
			e == ERR_INVALID ? "IPv4アドレス:ポート の形で指定してください"
					 : "使用中か、使えないアドレスです");
		goto out;
	}
	/* Scheduled bulk sends of every service's kinds; tests shorten the period. */
	const char *biv = getenv("MIMAMORI_BULK_INTERVAL_MS");
	scheduler = bulk_scheduler_start(a, bulk_kinds(), biv ? strtoll(biv, NULL, 10) : 15000);
	if (!scheduler) {
		fprintf(stderr, "mimamori: serve: 予約した一斉メールの送信を始められません\n");
		goto out;
	}
	/* Each service's background work (attendance: the board's alerts). */
	for (; services[started]; started++) {
		const struct service *sv = services[started];
		if (sv->start && sv->start(a) != ERR_OK) {
			fprintf(stderr, "mimamori: serve: %s（%s）の処理を始められません\n",
				sv->label_ja, sv->name);
			goto out;
		}
	}
	/* The nightly backup, when [backup] time is set (src/app/backup_job.c). */
	int nightly_failed = 0;
	nightly = backup_job_start(a, &nightly_failed);
	if (nightly_failed) {
		fputs("mimamori: serve: 夜間のバックアップを始められません\n", stderr);
		goto out;
	}
	/* The retention job (issue 19): daily, on the server holding job:retention. */
	retention = periodic_start(a, &retention_job);
	if (!retention) {
		fprintf(stderr, "mimamori: serve: 保存期間の処理を始められません\n");
		goto out;
	}
	/* Erasures confirmed by another server or by `mimamori erase`: followed here too. */
	erase_watch = erase_watch_start(a);
	if (!erase_watch) {
		fprintf(stderr, "mimamori: serve: データ消去の確認を始められません\n");
		goto out;
	}
	log_info("serving on http://%s (web files from %s)", listen, web);
	printf("mimamori: http://%s/ で動いています\n", listen);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("stopping on signal %d", sig);
	status = 0;
out:
	http_server_stop(srv);
	periodic_stop(nightly);
	periodic_stop(retention);
	periodic_stop(erase_watch);
	bulk_scheduler_stop(scheduler);
	while (started > 0) {
		const struct service *sv = services[--started];
		if (sv->stop)
			sv->stop(a);
	}
	routes_free();
	app_close(a);
	return status;
}

/* `mimamori mail-in`: the platform's bounces and unsubscribes, then every service's hook in the
 * order of services[] (src/mail_in.c, shared with the lean `mimamori-mail-in`, whose hooks are
 * generated from src/services.c; the two lists must agree, or the mail is kept for later). */
static int cmd_mail_in(int argc, char **argv)
{
	if (!mail_in_services_agree(services, mail_in_services)) {
		fputs("mimamori: mail-in: mimamori-mail-in のサービスの一覧が src/services.c と"
		      "一致しません（作り直してください）。メールは保留します\n",
		      stderr);
		return EX_TEMPFAIL;
	}
	return mail_in_run(argc, argv, services);
}

/* The platform's own subcommands; each service's follow (struct service.commands). */
static const struct cli_command commands[] = {
	{"init", cmd_init,
	 "init --data DIR [--store URL]  データディレクトリを作る（--store: PostgreSQL を使う）"},
	{"serve", cmd_serve,
	 "serve --data DIR [--listen IP:PORT] [--mail URL] [--web DIR]  サーバーを動かす"},
	{"user", cmd_user, "user add --data DIR --login L --role ROLE [--site CODE]... "
			   "--password-stdin  利用者を追加する"},
	{"user totp-reset", cmd_user_totp_reset,
	 "user totp-reset --data DIR --login L  管理者の二段階認証をリセットする（端末の紛失）"},
	{"user retire", cmd_user_retire,
	 "user retire --data DIR --login L  アカウントを廃止する（ログイン名とパスワードを消す）"},
	{"audit", cmd_audit, "audit verify --data DIR        監査ログの改ざんを確かめる"},
	/* retention (issue 19): src/retention_cli.c */
	{"audit report", cmd_audit, "audit report --data DIR --month YYYY-MM [--json]  "
				    "職員ごとの閲覧・出力・拒否の件数と注意（時間外・件数）"},
	{"retention", cmd_retention, "retention run --data DIR [--dry-run]  保存期間を過ぎた記録を"
				     "削除する"},
	{"demo", cmd_demo,
	 "demo --data DIR [--store URL] [--children N] [--bath-people N] [--school-registrations N] "
	 "[--codes-out FILE]  架空の区のデモデータを作る"},
	{"migrate-store", cmd_migrate_store,
	 "migrate-store --from DIR --to URL  SQLite のデータを PostgreSQL へ移す"},
	{"backup", cmd_backup,
	 "backup --data DIR [--out FILE]  暗号化したバックアップを作る（鍵は含まない）"},
	{"restore", cmd_restore,
	 "restore --data NEWDIR --key BACKUP_KEY [--keys FILE] [--store URL] FILE | --info FILE  "
	 "バックアップを新しいディレクトリに復元する"},
	{"erase", cmd_erase,
	 "erase --data DIR --service NAME --login L --password-stdin [--out PDF] [--cancel]  "
	 "契約終了時にサービスのデータを消去する（2人の区の管理者が確認、消去証明書）"},
	{"ledger", cmd_ledger, "ledger list --data DIR | open --in FILE  受け渡し台帳を見る・封かんされた引き継ぎを開く"},
	{"council", cmd_council,
	 "council items|staff|check --data DIR [--service NAME] [--format md|pdf|xlsx]  "
	 "個人情報保護審議会の記録項目・取扱者の一覧を作る・注記を確かめる"},
	{"mail-in", cmd_mail_in,
	 "mail-in --data DIR [--recipient ADDR] < MESSAGE  戻ってきたメール・申し込みのメールを受け取る"
	 "（Postfix のパイプ用。75 は再試行）"},
	{0},
};

/* Calls fn(command) for the platform's commands, then each service's, in order; stops when fn
 * returns non-zero and returns that. */
static int each_command(int (*fn)(const struct cli_command *c, void *ctx), void *ctx)
{
	int r = 0;
	for (const struct cli_command *c = commands; c->name && !r; c++)
		r = fn(c, ctx);
	for (const struct service *const *sv = services; *sv && !r; sv++)
		for (const struct cli_command *c = (*sv)->commands; c && c->name && !r; c++)
			r = fn(c, ctx);
	return r;
}

static int print_help(const struct cli_command *c, void *ctx)
{
	fprintf(ctx, "  %s\n", c->help);
	return 0;
}

/* What main looks for: the command named argv[1], or "argv[1] argv[2]" (a verb another service
 * takes, struct cli_command), which wins. */
struct lookup {
	const char *name;
	const char *verb; /* argv[2], or NULL */
	const struct cli_command *found;
};

static int find_command(const struct cli_command *c, void *ctx)
{
	struct lookup *l = ctx;
	size_t n = strlen(l->name);
	if (l->verb && strncmp(c->name, l->name, n) == 0 && c->name[n] == ' ' &&
	    strcmp(c->name + n + 1, l->verb) == 0) {
		l->found = c;
		return 1;
	}
	if (strcmp(c->name, l->name) == 0 && !l->found)
		l->found = c;
	return 0;
}

/* Prints the help of every command named name or "name <verb>" (`user --help`: add,
 * totp-reset and retire), the first after 「使い方: 」. */
struct help_of {
	const char *name;
	int printed;
};

static int print_help_of(const struct cli_command *c, void *ctx)
{
	struct help_of *h = ctx;
	size_t n = strlen(h->name);
	if (strncmp(c->name, h->name, n) != 0 || (c->name[n] && c->name[n] != ' '))
		return 0;
	printf(h->printed++ ? "  mimamori %s\n" : "使い方: mimamori %s\n", c->help);
	return 0;
}

static void usage(FILE *f)
{
	fputs("使い方: mimamori コマンド [オプション]\n\nコマンド:\n", f);
	each_command(print_help, f);
	fputs("\nコマンドごとの説明: mimamori コマンド --help\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	umask(077); /* the data directory holds personal data: owner only */
	/* The server's and the MTA's pipe keep their journal; a command run by hand says what it
	 * did in Japanese, without the operational lines ("info vault: a new key for …"), unless
	 * MIMAMORI_LOG=info asks for them. */
	const char *lv = getenv("MIMAMORI_LOG");
	if (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "mail-in") != 0 &&
	    !(lv && strcmp(lv, "info") == 0))
		log_quiet_info(1);
	app_register_services(services);
	if (vault_global_init() != ERR_OK) {
		fputs("mimamori: 暗号ライブラリ（libsodium）を初期化できません\n", stderr);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int status = -1;
	struct lookup l = {argv[1], argc > 2 ? argv[2] : NULL, NULL};
	each_command(find_command, &l);
	if (l.found) {
		for (int k = 2; k < argc; k++) {
			if (strcmp(argv[k], "--help") == 0 && status < 0) {
				/* A two-word command's own help, or all of the word's. */
				struct help_of h = {strchr(l.found->name, ' ') ? l.found->name
									: argv[1],
						    0};
				each_command(print_help_of, &h);
				status = 0;
			}
		}
		if (status < 0)
			status = l.found->run(argc - 1, argv + 1);
	}
	if (status < 0) {
		fprintf(stderr, "mimamori: 「%s」というコマンドはありません\n", argv[1]);
		usage(stderr);
		status = 2;
	}
	curl_global_cleanup();
	return status;
}
