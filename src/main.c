/* SPDX-License-Identifier: MIT */
/* main.c — the subcommand table (`mimamori init|serve|user|audit|site|import|card|kiosk|demo|
 * report|ledger|mail-in`). */
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
#include "auth/audit.h"
#include "attendance/plan.h"
#include "auth/user.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cli.h"
#include "http/http.h"
#include "mail/mail.h"
#include "routes.h"
#include "schoolmail/schoolmail.h" /* STAND-IN: composed by src/services.c (issue 13) */
#include "service.h"
#include "vault/vault.h"

#ifndef MIMAMORI_WEB_DIR
#define MIMAMORI_WEB_DIR "web"
#endif

static const char *data_arg(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	const char *dir = NULL;
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (ch == 'd')
			dir = optarg;
	opterr = 1;
	return dir;
}

static int cmd_init(int argc, char **argv)
{
	const char *dir = data_arg(argc, argv);
	if (!dir)
		return cli_fail("使い方: mimamori init --data DIR");
	enum err e = app_init_dir(dir);
	if (e == ERR_CONFLICT)
		return cli_fail("%s にはすでにデータディレクトリがあります。上書きはしません", dir);
	if (e != ERR_OK)
		return cli_fail("%s を作成できません: %s", dir, err_message_ja(e));
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
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
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
	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return cli_fail("使い方: mimamori audit verify --data DIR");
	const char *dir = data_arg(argc - 1, argv + 1);
	if (!dir)
		return cli_fail("使い方: mimamori audit verify --data DIR");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	int64_t bad = 0, n = 0;
	enum err e = audit_verify(a->store, a->vault, &bad, &n);
	app_close(a);
	if (e == ERR_OK) {
		printf("監査ログは改ざんされていません（%lld 件）\n", (long long)n);
		return 0;
	}
	if (e == ERR_CRYPTO)
		fprintf(stderr, "mimamori: 監査ログの %lld 件目が壊れています（書き換えられたか、"
				"その前後が消されています）\n",
			(long long)bad);
	else
		fprintf(stderr, "mimamori: audit verify: %s\n", err_message_ja(e));
	return 1;
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
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
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
	struct app *a = cli_open(dir, 16);
	struct http_server *srv = NULL;
	struct alerts_ticker *alerts = NULL;
	int status = 1;
	if (!a)
		return 1;
	if (!listen)
		listen = a->cfg.listen;
	setenv("MIMAMORI_MAIL_FROM", a->cfg.mail_from, 0);
	enum err e = mail_sender_start(a->store, a->vault, mail ? mail : a->cfg.mail_url,
				       a->cfg.base_url, &a->mail);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: serve: メールの送信を始められません（送信先 %s、"
				"mimamori.conf の [mail] を確かめてください）: %s\n",
			mail ? mail : a->cfg.mail_url, err_message_ja(e));
		goto out;
	}
	/* STAND-IN (school branch): the services' start hooks, composed by src/services.c. */
	schoolmail_service.start(a);
	/* Block the stop signals before the server's threads start, so they inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	e = http_server_start(a, listen, web, routes, &srv);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: serve: %s で待ち受けできません（%s）\n", listen,
			e == ERR_INVALID ? "IPv4アドレス:ポート の形で指定してください"
					 : "使用中か、使えないアドレスです");
		goto out;
	}
	/* The board's alerts (not arrived, still present at closing); tests shorten the period. */
	const char *iv = getenv("MIMAMORI_ALERT_INTERVAL_MS");
	alerts = alerts_ticker_start(a, iv ? atoll(iv) : 30000);
	if (!alerts) {
		fprintf(stderr, "mimamori: serve: 未到着の確認（alerts）を始められません\n");
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
	alerts_ticker_stop(alerts);
	app_close(a);
	return status;
}

/* STAND-IN (school branch) for the composition of the services' demo generators (issue 13):
 * attendance's `demo` makes the data directory and its ward, then schoolmail adds its part. */
static int cmd_demo_all(int argc, char **argv)
{
	int status = cmd_demo(argc, argv);
	const char *dir = NULL;
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--data") == 0)
			dir = argv[i + 1];
	for (int i = 1; !dir && i < argc; i++)
		if (strncmp(argv[i], "--data=", 7) == 0)
			dir = argv[i] + 7;
	if (status != 0 || !dir)
		return status;
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	char *path = xasprintf("%s/demo-credentials.txt", dir);
	FILE *cred = fopen(path, "a");
	free(path);
	struct demo_out out = {dir, cred, stdout};
	status = cred ? schoolmail_service.demo(a, &out) : 1;
	if (cred)
		fclose(cred);
	app_close(a);
	return status;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"init", cmd_init, "init --data DIR                データディレクトリを作る"},
	{"serve", cmd_serve,
	 "serve --data DIR [--listen IP:PORT] [--mail URL] [--web DIR]  サーバーを動かす"},
	{"user", cmd_user, "user add --data DIR --login L --role ROLE [--site CODE]... "
			   "--password-stdin  利用者を追加する"},
	{"audit", cmd_audit, "audit verify --data DIR        監査ログの改ざんを確かめる"},
	{"site", cmd_site,
	 "site add --data DIR --code C --name N --type gakudo|hiroba_plus  施設を追加する\n"
	 "  site set CODE --data DIR [--opens HH:MM --closes HH:MM --arrival HH:MM --grace MIN "
	 "--deadline HH:MM --phone N --alert-email A --alert-guardians yes|no]  施設の設定を変える"},
	{"import", cmd_import, "import children --data DIR FILE.csv  名簿（児童・保護者）を取り込む"},
	{"card", cmd_card,
	 "card issue|sheet --data DIR ...  QRカードを発行する・印刷用のPDFを作る"},
	{"kiosk", cmd_kiosk, "kiosk add --data DIR --site CODE  受付端末（キオスク）の鍵を作る"},
	{"demo", cmd_demo_all,
	 "demo --data DIR [--children N] [--codes-out FILE]  架空の区のデモデータを作る"},
	{"simulate-day", cmd_simulate_day,
	 "simulate-day --data DIR [--date D]  デモの区で1日分の入退室を試す（時刻を進めて）"},
	{"report", cmd_report,
	 "report daily|monthly --data DIR ... --format F --out FILE  帳票を出力する（受け渡し台帳に残す）"},
	{"ledger", cmd_ledger, "ledger list --data DIR         受け渡し台帳を見る"},
	/* STAND-IN (school branch): the services' subcommands, composed by src/services.c */
	{"school", schoolmail_cmd_school,
	 "school add|list|set|letter|user|rollover --data DIR ...  学校・園と一斉メールの登録"
	 "（年度更新も）"},
	{"mail-in", cmd_mail_in,
	 "mail-in --data DIR [--recipient ADDR] < MESSAGE  戻ってきたメールを受け取る（Postfix の"
	 "パイプ用。75 は再試行）"},
};

static void usage(FILE *f)
{
	fputs("使い方: mimamori コマンド [オプション]\n\nコマンド:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].help);
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
	if (vault_global_init() != ERR_OK) {
		fputs("mimamori: 暗号ライブラリ（libsodium）を初期化できません\n", stderr);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int status = -1;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			for (int k = 2; k < argc; k++) {
				if (strcmp(argv[k], "--help") == 0) {
					printf("使い方: mimamori %s\n", commands[i].help);
					status = 0;
				}
			}
			if (status < 0)
				status = commands[i].run(argc - 1, argv + 1);
			break;
		}
	}
	if (status < 0) {
		fprintf(stderr, "mimamori: 「%s」というコマンドはありません\n", argv[1]);
		usage(stderr);
		status = 2;
	}
	curl_global_cleanup();
	return status;
}
