/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori school add|list|set|letter|user|rollover`: the ward's schools, their
 * registration letters, their staff accounts and the yearly roll-over from the command line. */
#include "cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/file.h"
#include "schoolmail/schoolmail.h"
#include "store/store.h"
#include "vault/vault.h"

#define USAGE                                                                                  \
	"使い方:\n"                                                                             \
	"  mimamori school add --data DIR --code CODE --name NAME "                              \
	"--kind kindergarten|elementary|junior_high|special --grades N --classes N\n"            \
	"  mimamori school list --data DIR\n"                                                    \
	"  mimamori school set CODE --data DIR [--name NAME] [--grades N] [--classes N]\n"       \
	"  mimamori school letter --data DIR [--school CODE]... --out FILE.pdf\n"                \
	"  mimamori school user add --data DIR --school CODE --login L "                         \
	"--role school_admin|sender --password-stdin\n"                                          \
	"  mimamori school rollover --data DIR [--year YEAR] [--dry-run]"

/* A whole number from lo to hi in s, else -1. */
static int number(const char *s, int lo, int hi)
{
	char *end = NULL;
	long v = s ? strtol(s, &end, 10) : -1;
	return s && end && *end == '\0' && v >= lo && v <= hi ? (int)v : -1;
}

static int school_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'},	{"code", required_argument, 0, 'c'},
		{"name", required_argument, 0, 'n'},	{"kind", required_argument, 0, 'k'},
		{"grades", required_argument, 0, 'g'}, {"classes", required_argument, 0, 'l'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *code = NULL, *name = NULL, *kind = NULL, *why = NULL;
	const char *grades = NULL, *classes = NULL;
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'c': code = optarg; break;
		case 'n': name = optarg; break;
		case 'k': kind = optarg; break;
		case 'g': grades = optarg; break;
		case 'l': classes = optarg; break;
		default: return cli_fail("%s", USAGE);
		}
	}
	if (!dir || !code || !name || !kind || !grades || !classes || optind != argc)
		return cli_fail("%s", USAGE);
	int g = number(grades, 1, 12), k = number(classes, 1, 20);
	if (g < 0)
		return cli_fail("school add: 学年の数（--grades）は1〜12の数で指定してください");
	if (k < 0)
		return cli_fail("school add: 学級の数（--classes）は1〜20の数で指定してください");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct school s;
	enum err e = schoolmail_school_add(a, "cli", code, name, kind, g, k, &s, &why);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: school add: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("%s %s（%s、%d学年・%d学級）を追加しました。今年度のセキュリティコード: %s\n", s.code,
	       s.name, schoolmail_kind_label(s.kind), s.grades, s.classes, s.security_code);
	return 0;
}

static int school_list(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	const char *dir = NULL;
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch != 'd')
			return cli_fail("%s", USAGE);
		dir = optarg;
	}
	if (!dir || optind != argc)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct school *rows = NULL;
	size_t n = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = schoolmail_school_list(c, &rows, &n);
	store_release(c);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: school list: %s\n", err_message_ja(e));
		return 1;
	}
	printf("コード\t名称\t種別\t種別名\t学年数\t学級数\t確認コード\t登録数\n");
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%d\t%d\t%s\t%" PRId64 "\n", rows[i].code, rows[i].name,
		       rows[i].kind, schoolmail_kind_label(rows[i].kind), rows[i].grades,
		       rows[i].classes, rows[i].security_code, rows[i].registrants);
	free(rows);
	return 0;
}

static int school_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"name", required_argument, 0, 'n'},
		{"grades", required_argument, 0, 'g'}, {"classes", required_argument, 0, 'l'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *name = NULL, *grades = NULL, *classes = NULL, *why = NULL;
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'g': grades = optarg; break;
		case 'l': classes = optarg; break;
		default: return cli_fail("%s", USAGE);
		}
	}
	if (!dir || optind != argc - 1)
		return cli_fail("%s", USAGE);
	int g = grades ? number(grades, 1, 12) : 0, k = classes ? number(classes, 1, 20) : 0;
	if (g < 0 || k < 0)
		return cli_fail("school set: 学年の数は1〜12、学級の数は1〜20の数で指定してください");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	enum err e = schoolmail_school_set(a, "cli", argv[optind], name, g, k, &why);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: school set: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("%s を変更しました\n", argv[optind]);
	return 0;
}

static int school_letter(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"school", required_argument, 0, 's'},
					     {"out", required_argument, 0, 'o'},
					     {0, 0, 0, 0}};
	const char *dir = NULL, *out = NULL, *codes[64];
	size_t n = 0;
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd') {
			dir = optarg;
		} else if (ch == 'o') {
			out = optarg;
		} else if (ch == 's' && n < 64) {
			codes[n++] = optarg;
		} else {
			return cli_fail("%s", USAGE);
		}
	}
	if (!dir || !out || optind != argc)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct buf pdf;
	buf_init(&pdf, 256 * 1024 * 1024);
	enum err e = schoolmail_letters(a, n ? codes : NULL, n, &pdf);
	if (e == ERR_OK) {
		struct store_conn *c = store_acquire(a->store);
		e = audit_append(c, a->vault, "cli", "school.letter", n ? codes[0] : "all",
				 "");
		store_release(c);
	}
	app_close(a);
	int status = 1;
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: school letter: %s\n",
			e == ERR_NOTFOUND ? "その学校コードの学校・園はありません" : err_message_ja(e));
		goto done;
	}
	int fd = file_export_refused(out) ? -2 : open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -2)
		goto done;
	if (fd < 0 || write(fd, pdf.data, pdf.len) != (ssize_t)pdf.len) {
		fprintf(stderr, "mimamori: school letter: %s に書き込めません\n", out);
		if (fd >= 0)
			close(fd);
		goto done;
	}
	close(fd);
	printf("登録案内を %s に書きました\n", out);
	status = 0;
done:
	buf_free(&pdf);
	return status;
}

/* One line of standard input without its line end (malloc'd; wipe with vault_wipe_free). */
static char *read_line_stdin(void)
{
	char line[512];
	if (!fgets(line, sizeof line, stdin))
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	char *p = strdup(line);
	vault_wipe(line, sizeof line);
	return p;
}

static int school_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"school", required_argument, 0, 's'},
		{"login", required_argument, 0, 'l'}, {"role", required_argument, 0, 'r'},
		{"password-stdin", no_argument, 0, 'p'}, {0, 0, 0, 0}};
	const char *dir = NULL, *code = NULL, *login = NULL, *role = NULL, *why = NULL;
	int pw_stdin = 0, ch;
	if (!cli_verb(&argc, &argv, "add"))
		return cli_fail("%s", USAGE);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 's': code = optarg; break;
		case 'l': login = optarg; break;
		case 'r': role = optarg; break;
		case 'p': pw_stdin = 1; break;
		default: return cli_fail("%s", USAGE);
		}
	}
	if (!dir || !code || !login || !role || !pw_stdin || optind != argc)
		return cli_fail("%s", USAGE);
	if (strcmp(role, "school_admin") != 0 && strcmp(role, "sender") != 0)
		return cli_fail("school user add: 役割（--role）は school_admin（学校管理者）か "
				"sender（送信者）です");
	char *pw = read_line_stdin();
	if (!pw)
		return cli_fail("school user add: 標準入力にパスワードがありません（--password-stdin）");
	struct app *a = cli_open(dir, 1);
	if (!a) {
		vault_wipe_free(pw);
		return 1;
	}
	struct school s;
	struct store_conn *c = store_acquire(a->store);
	enum err e = schoolmail_school_find(c, code, &s);
	store_release(c);
	if (e == ERR_NOTFOUND)
		why = "その学校コードの学校・園はありません。";
	if (e == ERR_OK)
		e = user_add(a->store, a->vault, login, role, NULL, 0, pw, &why);
	vault_wipe_free(pw);
	if (e == ERR_OK) {
		c = store_acquire(a->store);
		e = store_begin(c);
		struct store_stmt *st = NULL;
		if (e == ERR_OK)
			st = store_prepare(c, "INSERT INTO school_users(user_id, school_id) "
					      "SELECT id, ? FROM users WHERE login = ?");
		if (e == ERR_OK && !st)
			e = ERR_DB;
		if (e == ERR_OK) {
			store_bind_int(st, 1, s.id);
			store_bind_text(st, 2, login);
			e = store_run(st);
		}
		store_finish(st);
		char detail[48];
		snprintf(detail, sizeof detail, "school:%" PRId64, s.id);
		if (e == ERR_OK)
			e = audit_append(c, a->vault, "cli", "school.user.add", login, detail);
		if (e == ERR_OK)
			e = store_commit(c);
		store_rollback(c);
		store_release(c);
	}
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: school user add: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("%s の%s %s を追加しました%s\n", s.name,
	       strcmp(role, "sender") == 0 ? "送信者" : "学校管理者", login,
	       strcmp(role, "sender") == 0 ? "（使う端末は区の承認が必要です）" : "");
	return 0;
}

static int school_rollover(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"year", required_argument, 0, 'y'},
					     {"dry-run", no_argument, 0, 'n'},
					     {0, 0, 0, 0}};
	const char *dir = NULL, *why = NULL;
	int year = 0, dry = 0, ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'n': dry = 1; break;
		case 'y':
			year = number(optarg, 2000, 2200);
			if (year < 0)
				return cli_fail("school rollover: 年度（--year）は西暦の4けたで指定してください");
			break;
		default: return cli_fail("%s", USAGE);
		}
	}
	if (!dir || optind != argc)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct schoolmail_rollover r;
	enum err e = schoolmail_rollover(a, "cli", year, dry, &r, &why);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: school rollover: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("%s%d年度 → %d年度: %" PRId64 "人が進級、%" PRId64 "人が卒業・修了で登録を終了、"
	       "セキュリティコードを更新\n",
	       dry ? "（試行・何も変えていません）" : "", r.from_year, r.to_year, r.advanced, r.left);
	if (r.alerts)
		printf("警告: 登録者が大きく減った学年が %d 件あります（区に通知しました）。"
		       "一斉メール配信の「学校・園」画面で確認してください。\n",
		       r.alerts);
	return 0;
}

/* `mimamori school …`: the verbs above. Returns the exit status. */
int schoolmail_cmd_school(int argc, char **argv)
{
	if (cli_verb(&argc, &argv, "add"))
		return school_add(argc, argv);
	if (cli_verb(&argc, &argv, "list"))
		return school_list(argc, argv);
	if (cli_verb(&argc, &argv, "set"))
		return school_set(argc, argv);
	if (cli_verb(&argc, &argv, "letter"))
		return school_letter(argc, argv);
	if (cli_verb(&argc, &argv, "user"))
		return school_user(argc, argv);
	if (cli_verb(&argc, &argv, "rollover"))
		return school_rollover(argc, argv);
	return cli_fail("%s", USAGE);
}
