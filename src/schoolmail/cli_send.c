/* SPDX-License-Identifier: MIT */
/* cli_send.c — `mimamori schoolmail send`: a send to one school, or a grade or class of it, from
 * the command line (for scripts), through the same bulk layer and the same checks as the pages:
 * the audience checked against the school, the text's shape, phone numbers, mail addresses and
 * every registered name; no attachments (there is no way to give one). It sends as the locked
 * account "cli:schoolmail" (audited as "cli"), made on first use, since a send has an author. */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/role.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/text.h"
#include "bulk/bulk.h"
#include "schoolmail/send.h"
#include "store/store.h"
#include "vault/vault.h"

#define CLI_LOGIN "cli:schoolmail"
#define BODY_FILE_MAX (64 * 1024) /* bytes read of --body-file (a body is 4,000 characters) */
#define USAGE                                                                                      \
	"使い方: mimamori schoolmail send --data DIR --school CODE [--grade G] [--class C] "    \
	"--subject S --body-file F [--read-confirm]（F が - なら標準入力）"

enum err schoolmail_cli_user(struct app *a, struct user *u)
{
	struct store_conn *c = store_acquire(a->store);
	/* No password opens it ('!' is no argon2id hash) and it is disabled: it never signs in. */
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO users(login, role, password_hash, disabled, created_ms) "
			     "VALUES (?, 'ward_staff', '!', 1, ?) ON CONFLICT(login) DO NOTHING");
	enum err e = st ? ERR_OK : ERR_DB;
	if (st) {
		store_bind_text(st, 1, CLI_LOGIN);
		store_bind_int(st, 2, clock_now_ms());
		e = store_run(st);
	}
	store_finish(st);
	st = e == ERR_OK ? store_prepare(c, "SELECT id, role FROM users WHERE login = ?") : NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, CLI_LOGIN);
		e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
		if (e == ERR_OK) {
			memset(u, 0, sizeof *u);
			u->id = store_col_int(st, 0);
			u->role = role_parse(store_col_text(st, 1));
			snprintf(u->login, sizeof u->login, "%s", CLI_LOGIN);
			if (u->role != ROLE_WARD_STAFF)
				e = ERR_CONFLICT; /* someone made an account of that name */
		}
	}
	store_finish(st);
	store_release(c);
	return e;
}

/* Reads the body from path ("-": standard input), at most BODY_FILE_MAX bytes, into a new
 * string; NULL (with *why) when it cannot be read or is too long. */
static char *read_body(const char *path, const char **why)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;
	int ok = 1;
	*why = "本文のファイル（--body-file）を読めません。";
	if (!f)
		return NULL;
	buf_init(&b, BODY_FILE_MAX);
	while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, n) != ERR_OK) {
			*why = "本文が長すぎます（4,000文字まで）。";
			ok = 0;
		}
	if (ferror(f))
		ok = 0;
	if (f != stdin)
		fclose(f);
	if (ok && b.data && memchr(b.data, '\0', b.len)) {
		*why = "本文のファイルに文字でないもの（NUL）が含まれています。";
		ok = 0;
	}
	if (ok && b.data && !text_utf8_valid(b.data, b.len)) {
		*why = "本文のファイルが UTF-8 ではありません。UTF-8 で保存し直してください。";
		ok = 0;
	}
	if (!ok) {
		if (b.data)
			vault_wipe(b.data, b.len);
		buf_free(&b);
		return NULL;
	}
	/* An empty file is an empty body: the layer refuses it with its own reason. */
	return b.data ? buf_steal(&b) : calloc(1, 1);
}

/* A whole number from 1 to hi in s, else -1. */
static int number(const char *s, int hi)
{
	char *end = NULL;
	long v = s ? strtol(s, &end, 10) : -1;
	return s && end && end != s && *end == '\0' && v >= 1 && v <= hi ? (int)v : -1;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'},    {"school", required_argument, 0, 's'},
	    {"grade", required_argument, 0, 'g'},   {"class", required_argument, 0, 'c'},
	    {"subject", required_argument, 0, 'j'}, {"body-file", required_argument, 0, 'b'},
	    {"read-confirm", no_argument, 0, 'r'},  {0, 0, 0, 0}};
	const char *dir = NULL, *code = NULL, *grade = NULL, *klass = NULL, *subject = NULL;
	const char *body_file = NULL, *why = NULL;
	int read_confirm = 0, ch, status = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			code = optarg;
			break;
		case 'g':
			grade = optarg;
			break;
		case 'c':
			klass = optarg;
			break;
		case 'j':
			subject = optarg;
			break;
		case 'b':
			body_file = optarg;
			break;
		case 'r':
			read_confirm = 1;
			break;
		default:
			return cli_fail("%s", USAGE);
		}
	}
	if (!dir || !code || !subject || !body_file || optind < argc)
		return cli_fail("%s", USAGE);
	struct school_target t;
	memset(&t, 0, sizeof t);
	if (strlen(code) >= sizeof t.code)
		return cli_fail(
		    "学校コード（--school）が長すぎます。mimamori school list で確かめて"
		    "ください。");
	snprintf(t.code, sizeof t.code, "%s", code);
	if (grade && (t.grade = number(grade, SCHOOLMAIL_GRADES_MAX)) < 0)
		return cli_fail("学年（--grade）は 1〜%d の数で指定してください。",
				SCHOOLMAIL_GRADES_MAX);
	if (klass && (t.klass = number(klass, SCHOOLMAIL_CLASSES_MAX)) < 0)
		return cli_fail("組（--class）は 1〜%d の数で指定してください。",
				SCHOOLMAIL_CLASSES_MAX);
	char *body = read_body(body_file, &why);
	if (!body)
		return cli_fail("%s", why);
	struct app *a = cli_open(dir, 2);
	char *audience = NULL;
	struct user u;
	if (!a) {
		vault_wipe_free(body);
		return 1;
	}
	struct store_conn *c = store_acquire(a->store);
	enum err e = schoolmail_audience_make(c, &t, 1, &audience, &why);
	store_release(c);
	if (e == ERR_OK)
		e = schoolmail_cli_user(a, &u);
	if (e != ERR_OK) {
		fprintf(
		    stderr, "mimamori: schoolmail send: %s\n",
		    why ? why
		    : e == ERR_CONFLICT
			? "利用者 cli:schoolmail が別の権限で作られています。区の管理者に確かめて"
			  "ください。"
			: err_message_ja(e));
		goto out;
	}
	struct bulk_draft d = {audience, subject, body, 0, read_confirm};
	struct bulk_result res;
	e = bulk_compose(a, &school_kind, &u, "cli", &d, &res, &why);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: schoolmail send: %s\n", why ? why : err_message_ja(e));
		goto out;
	}
	printf("一斉メールを送信しました（送信先 %s、%zu 通、送信番号 school:%" PRId64 "）。"
	       "配信は mimamori serve が行います。\n",
	       audience, res.recipients, res.id);
	status = 0;
out:
	free(audience);
	vault_wipe_free(body);
	app_close(a);
	return status;
}

int schoolmail_cmd_schoolmail(int argc, char **argv)
{
	if (cli_verb(&argc, &argv, "send"))
		return cmd_send(argc, argv);
	return cli_fail("%s", USAGE);
}
