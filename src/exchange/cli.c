/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori exchange recipient|put|list|get|sweep`: the same jobs as the pages, for
 * scripts on the server (put and get act as the named account; the password of get is read
 * from the first line of standard input, never from the command line). */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "base/clock.h"
#include "base/file.h"
#include "cli.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "vault/vault.h"

int exchange_cmd(int argc, char **argv);

#define USAGE                                                                                      \
	"使い方: mimamori exchange recipient --data DIR --login L --name N --mail M [--dept D]\n"  \
	"       mimamori exchange recipient --data DIR --login L --stop\n"                          \
	"       mimamori exchange put --data DIR --from L --to L --days N FILE\n"                  \
	"       mimamori exchange list --data DIR [--login L] [--events]\n"                        \
	"       mimamori exchange get --data DIR --login L --id N --out FILE  (パスワードは標準入力)\n" \
	"       mimamori exchange sweep --data DIR"

struct opts {
	const char *dir, *login, *from, *to, *name, *mail, *dept, *out, *file;
	int64_t id;
	int days, stop, events;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'},
	    {"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'},
	    {"name", required_argument, 0, 'n'}, {"mail", required_argument, 0, 'm'},
	    {"dept", required_argument, 0, 'p'}, {"out", required_argument, 0, 'o'},
	    {"id", required_argument, 0, 'i'},	 {"days", required_argument, 0, 'y'},
	    {"stop", no_argument, 0, 's'},	 {"events", no_argument, 0, 'e'},
	    {0, 0, 0, 0}};
	int ch;
	long n;
	memset(o, 0, sizeof *o);
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': o->dir = optarg; break;
		case 'l': o->login = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'n': o->name = optarg; break;
		case 'm': o->mail = optarg; break;
		case 'p': o->dept = optarg; break;
		case 'o': o->out = optarg; break;
		case 'i':
		case 'y':
			if (cli_number(optarg, 1, ch == 'i' ? LONG_MAX : 3650, &n) != 0) {
				fprintf(stderr, "mimamori: --%s は1以上の数で書いてください（%s）\n",
					ch == 'i' ? "id" : "days", optarg);
				return -1;
			}
			if (ch == 'i')
				o->id = n;
			else
				o->days = (int)n;
			break;
		case 's': o->stop = 1; break;
		case 'e': o->events = 1; break;
		default: return -1;
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	return optind == argc && o->dir ? 0 : -1;
}

/* The id of an account by login, with its role in *role; 0 when there is none. */
static int64_t user_id(struct app *a, const char *login, enum role *role)
{
	int64_t id = 0;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, role FROM users WHERE login = ? AND disabled = 0");
	if (st) {
		store_bind_text(st, 1, login ? login : "");
		if (store_step(st) == STORE_ROW) {
			id = store_col_int(st, 0);
			*role = role_parse(store_col_text(st, 1));
		}
	}
	store_finish(st);
	store_release(c);
	return id;
}

static int cmd_recipient(struct app *a, const struct opts *o)
{
	const char *why = NULL;
	int64_t id = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK && o->stop) /* its name and mail are kept: none needed */
		e = exchange_recipient_stop(c, o->login, &id, &why);
	else if (e == ERR_OK)
		e = exchange_recipient_set(a, c, o->login, o->name, o->dept, o->mail, 1, &id, &why);
	if (e == ERR_OK) {
		char object[32];
		snprintf(object, sizeof object, "user:%" PRId64, id);
		e = audit_append(c, a->vault, "cli", "exchange.recipient", object,
				 o->stop ? "stopped" : "active");
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("%s を%s\n", o->login, o->stop ? "受け取りの登録から外しました" : "受け取りに登録しました");
	return 0;
}

static int cmd_put(struct app *a, const struct opts *o)
{
	enum role fr = ROLE_NONE, tr = ROLE_NONE;
	char *data = NULL, actor[32];
	size_t len = 0;
	const char *code = NULL, *why = NULL;
	int64_t id = 0;
	if (!o->from || !o->to || !o->file)
		return cli_fail("%s", USAGE);
	int64_t from = user_id(a, o->from, &fr), to = user_id(a, o->to, &tr);
	if (!from || !(fr & EXCHANGE_SENDERS)) {
		fprintf(stderr, "mimamori: %s は送れるアカウント（受託事業者）ではありません\n",
			o->from ? o->from : "");
		return 1;
	}
	if (!o->file)
		return cli_fail("%s", USAGE);
	enum err e = file_read_input(o->file, EXCHANGE_HARD_MAX, &data, &len);
	if (e != ERR_OK)
		return 1; /* said why */
	const char *base = strrchr(o->file, '/');
	snprintf(actor, sizeof actor, "user:%" PRId64, from);
	struct exchange_upload u = {.sender_id = from,
				    .recipient_id = to,
				    .name = base ? base + 1 : o->file,
				    .type = NULL,
				    .data = data,
				    .len = len,
				    .days = o->days};
	e = exchange_put(a, &u, actor, &id, &code, &why);
	vault_wipe(data, len);
	free(data);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n", why);
		return 1;
	}
	printf("受付番号 %" PRId64 " で送りました（リンクとパスワードは別々のメールで届きます）\n", id);
	return 0;
}

static int cmd_list(struct app *a, const struct opts *o)
{
	enum role r = ROLE_NONE;
	int64_t uid = 0;
	if (o->login) {
		uid = user_id(a, o->login, &r);
		if (!uid) {
			fprintf(stderr, "mimamori: %s というアカウントはありません\n", o->login);
			return 1;
		}
	}
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st;
	if (o->events) {
		printf("番号\t受付番号\tできごと\t送り主\t宛先\t大きさ\t日時\n");
		st = store_prepare(
		    c, "SELECT e.id, COALESCE(e.file_id, 0), e.action, s.login, r.login, e.size, "
		       "e.at_ms FROM ex_events e LEFT JOIN users s ON s.id = e.sender_id LEFT JOIN "
		       "users r ON r.id = e.recipient_id WHERE ? = 0 OR e.sender_id = ? OR "
		       "e.recipient_id = ? ORDER BY e.id");
	} else {
		printf("受付番号\t送り主\t宛先\t大きさ\t保存期限\tダウンロード\t間違い\n");
		st = store_prepare(
		    c, "SELECT f.id, s.login, r.login, f.size, f.expires_ms, f.downloads, f.failures "
		       "FROM ex_files f JOIN users s ON s.id = f.sender_id JOIN users r ON r.id = "
		       "f.recipient_id WHERE ? = 0 OR f.sender_id = ? OR f.recipient_id = ? ORDER BY "
		       "f.id");
	}
	int status = 1;
	if (st) {
		store_bind_int(st, 1, uid);
		store_bind_int(st, 2, uid);
		store_bind_int(st, 3, uid);
		while (store_step(st) == STORE_ROW) {
			char at[32];
			if (o->events) {
				clock_jst_iso(store_col_int(st, 6), at, sizeof at);
				printf("%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\t%" PRId64 "\t%s\n",
				       store_col_int(st, 0), store_col_int(st, 1),
				       store_col_text(st, 2), store_col_text(st, 3),
				       store_col_text(st, 4), store_col_int(st, 5), at);
			} else {
				clock_jst_iso(store_col_int(st, 4), at, sizeof at);
				printf("%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\t%" PRId64 "\t%" PRId64 "\n",
				       store_col_int(st, 0), store_col_text(st, 1),
				       store_col_text(st, 2), store_col_int(st, 3), at,
				       store_col_int(st, 5), store_col_int(st, 6));
			}
		}
		status = 0;
	}
	store_finish(st);
	store_release(c);
	return status;
}

static int cmd_get(struct app *a, const struct opts *o)
{
	enum role r = ROLE_NONE;
	char pw[80], actor[32];
	struct exchange_got got = {0};
	const char *code = NULL, *why = NULL;
	int left = 0;
	int64_t uid = user_id(a, o->login, &r);
	if (!uid || !o->id || !o->out)
		return cli_fail("%s", USAGE);
	if (!fgets(pw, sizeof pw, stdin)) {
		fprintf(stderr, "mimamori: パスワードを標準入力の1行目に入れてください\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	snprintf(actor, sizeof actor, "user:%" PRId64, uid);
	enum err e = exchange_get(a, o->id, uid, pw, actor, &got, &left, &code, &why);
	vault_wipe(pw, sizeof pw);
	if (e != ERR_OK) {
		if (e == ERR_FORBIDDEN)
			fprintf(stderr, "mimamori: %s（あと %d 回）\n", why, left);
		else
			fprintf(stderr, "mimamori: %s\n", why);
		return 1;
	}
	e = file_write_export(o->out, got.data, got.len);
	exchange_got_free(&got);
	if (e != ERR_OK)
		return 1; /* file_write_export said why */
	printf("受付番号 %" PRId64 " を %s に保存しました\n", o->id, o->out);
	return 0;
}

static int cmd_sweep(struct app *a)
{
	int n = 0;
	enum err e = exchange_sweep(a, clock_now_ms(), 1, &n);
	if (e == ERR_TEMP) {
		fprintf(stderr,
			"mimamori: 期限切れのファイルを %d 件消去しました。データベースからの完全な消去は"
			"ほかの処理が終わるのを待っています（もう一度 mimamori exchange sweep を実行して"
			"ください）\n",
			n);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: 期限切れのファイルを消去できませんでした（%s）\n",
			err_message_ja(e));
		return 1;
	}
	printf("期限切れのファイルを %d 件消去しました\n", n);
	return 0;
}

int exchange_cmd(int argc, char **argv)
{
	struct opts o;
	if (argc < 2)
		return cli_fail("%s", USAGE);
	const char *verb = argv[1];
	if (parse(argc - 1, argv + 1, &o) != 0)
		return cli_fail("%s", USAGE);
	int known = strcmp(verb, "recipient") == 0 || strcmp(verb, "put") == 0 ||
		    strcmp(verb, "list") == 0 || strcmp(verb, "get") == 0 ||
		    strcmp(verb, "sweep") == 0;
	if (!known)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(o.dir, 2);
	if (!a)
		return 1;
	int status;
	if (strcmp(verb, "recipient") == 0)
		status = cmd_recipient(a, &o);
	else if (strcmp(verb, "put") == 0)
		status = cmd_put(a, &o);
	else if (strcmp(verb, "list") == 0)
		status = cmd_list(a, &o);
	else if (strcmp(verb, "get") == 0)
		status = cmd_get(a, &o);
	else
		status = cmd_sweep(a);
	app_close(a);
	return status;
}
