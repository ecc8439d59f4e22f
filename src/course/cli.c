/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori course list|roster|erase`: the courses with their sessions and how full each
 * is; the roster of a course (tab-separated, recorded in the handover ledger before it is
 * printed); the erasure of the sign-ups of a course that is over (audited). The same jobs have
 * their screen, /course/staff.html. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/buf.h"
#include "base/clock.h"
#include "cli.h"
#include "course/course.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define USAGE                                                                                      \
	"使い方: mimamori course list --data DIR\n"                                               \
	"        mimamori course roster --data DIR --course ID\n"                                 \
	"        mimamori course erase --data DIR --course ID"

int course_cmd(int argc, char **argv);

/* Prints every course with its sessions. */
static int list(struct app *a)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT c.id, c.title, c.open, c.erased_ms IS NOT NULL, s.id, s.on_date, "
	       "s.start_min, s.end_min, s.place, s.capacity, s.state, (SELECT count(*) FROM "
	       "course_entries e WHERE e.session_id = s.id AND e.state = 'booked'), (SELECT "
	       "count(*) FROM course_entries e WHERE e.session_id = s.id AND e.state = 'waiting') "
	       "FROM course_courses c LEFT JOIN course_sessions s ON s.course_id = c.id ORDER BY "
	       "c.id, s.on_date, s.start_min, s.id");
	int64_t last = 0;
	if (!st) {
		store_release(c);
		return 1;
	}
	while (store_step(st) == STORE_ROW) {
		int64_t id = store_col_int(st, 0);
		if (id != last) {
			printf("講座 %" PRId64 "\t%s\t%s\n", id, store_col_text(st, 1),
			       store_col_int(st, 3) ? "申込消去済み"
			       : store_col_int(st, 2) ? "受付中"
						      : "受付停止");
			last = id;
		}
		if (store_col_is_null(st, 4))
			continue;
		char when[96];
		course_when_label(store_col_text(st, 5), (int)store_col_int(st, 6),
				  (int)store_col_int(st, 7), when, sizeof when);
		printf("  回 %" PRId64 "\t%s\t%s\t定員 %" PRId64 "\t参加 %" PRId64 "\t待ち %" PRId64
		       "%s\n",
		       store_col_int(st, 4), when, store_col_text(st, 8), store_col_int(st, 9),
		       store_col_int(st, 11), store_col_int(st, 12),
		       strcmp(store_col_text(st, 10), "open") == 0 ? "" : "\t中止");
	}
	store_finish(st);
	store_release(c);
	return 0;
}

/* The word the staff's page uses for an entry's state. */
static const char *entry_state_ja(const char *state)
{
	if (strcmp(state, "booked") == 0)
		return "参加";
	if (strcmp(state, "waiting") == 0)
		return "キャンセル待ち";
	if (strcmp(state, "cancelled") == 0)
		return "キャンセル";
	return "落選";
}

/* Prints the roster of course id, after recording it in the handover ledger. */
static int roster(struct app *a, int64_t id)
{
	const struct vault *v = course_vault(a);
	struct buf out;
	size_t n = 0;
	enum err e = ERR_OK;
	buf_init(&out, 64u * 1024 * 1024);
	buf_puts(&out, "申込番号\t氏名\tメールアドレス\t電話番号\t子の年齢\t状態\t希望（回:状態）\n");
	struct store_conn *c = store_acquire(a->store);
	/* An unknown course: nothing to put in the ledger (it recorded an empty roster). */
	struct store_stmt *st = store_prepare(c, "SELECT 1 FROM course_courses WHERE id = ?1");
	int known = 0;
	if (st) {
		store_bind_int(st, 1, id);
		known = store_step(st) == STORE_ROW;
	}
	store_finish(st);
	if (!known) {
		store_release(c);
		buf_free(&out);
		fprintf(stderr, "mimamori: 講座 %" PRId64 " はありません（mimamori course list で番号を"
				"確かめてください）\n",
			id);
		return 1;
	}
	st = store_prepare(
	    c, "SELECT s.id, s.person, s.cancelled_ms IS NOT NULL, e.session_id, e.state FROM "
	       "course_signups s JOIN course_entries e ON e.signup_id = s.id WHERE s.course_id = "
	       "?1 ORDER BY s.id, e.pref");
	struct buf choices;
	int64_t last = 0;
	buf_init(&choices, 4096);
	if (!st)
		e = ERR_DB;
	else
		store_bind_int(st, 1, id);
	while (st && e == ERR_OK) {
		int row = store_step(st) == STORE_ROW;
		int64_t sid = row ? store_col_int(st, 0) : 0;
		if (last && sid != last) /* the previous sign-up is complete */
			e = buf_printf(&out, "%s\n", choices.data ? choices.data : "");
		if (!row || e != ERR_OK)
			break;
		if (sid != last) {
			char *plain = NULL, age[32];
			struct course_person p = {0};
			buf_free(&choices);
			buf_init(&choices, 4096);
			e = vault_unseal_column(v, st, 1, "course_signups.person", &plain);
			if (e == ERR_OK)
				e = plain ? course_person_read(plain, &p) : ERR_CRYPTO;
			vault_wipe_free(plain);
			if (e != ERR_OK)
				break;
			course_age_label(p.child_age, age, sizeof age);
			e = buf_printf(&out, "%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t", sid, p.name,
				       p.email, p.phone, age,
				       store_col_int(st, 2) ? "キャンセル" : "申込中");
			course_person_clear(&p);
			last = sid;
			n++;
		}
		if (e == ERR_OK)
			e = buf_printf(&choices, "%s%" PRId64 ":%s", choices.len ? "," : "",
				       store_col_int(st, 3), entry_state_ja(store_col_text(st, 4)));
	}
	buf_free(&choices);
	store_finish(st);
	store_release(c);
	if (e == ERR_OK) {
		char content[64], object[48];
		snprintf(content, sizeof content, "roster course %" PRId64 " tsv", id);
		snprintf(object, sizeof object, "course:%" PRId64, id);
		struct ledger_item it = {.service = COURSE_SERVICE,
					 .actor = "cli",
					 .content = content,
					 .object = object,
					 .records = n,
					 .data = out.data,
					 .len = out.len};
		e = ledger_record(a, &it, NULL);
	}
	if (e == ERR_OK)
		fwrite(out.data, 1, out.len, stdout);
	else
		fprintf(stderr, "mimamori: 名簿を出せません: %s\n", err_message_ja(e));
	if (out.data)
		vault_wipe(out.data, out.len);
	buf_free(&out);
	return e == ERR_OK ? 0 : 1;
}

int course_cmd(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"course", required_argument, 0, 'c'},
					     {0, 0, 0, 0}};
	enum { LIST, ROSTER, ERASE } verb;
	const char *dir = NULL;
	int64_t id = 0;
	int ch, status = 1;
	char *end;
	if (cli_verb(&argc, &argv, "list"))
		verb = LIST;
	else if (cli_verb(&argc, &argv, "roster"))
		verb = ROSTER;
	else if (cli_verb(&argc, &argv, "erase"))
		verb = ERASE;
	else
		return cli_fail("%s", USAGE);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'c':
			end = NULL;
			id = strtoll(optarg, &end, 10);
			if (!end || *end || id <= 0)
				return cli_fail("--course は講座の番号です");
			break;
		default: return cli_fail("%s", USAGE);
		}
	}
	if (!dir || optind != argc || (verb != LIST && id <= 0))
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	if (verb == LIST) {
		status = list(a);
	} else if (verb == ROSTER) {
		status = roster(a, id);
	} else {
		char today[11], why[COURSE_WHY_MAX];
		size_t n = 0;
		clock_jst_date(clock_now_ms(), today, sizeof today);
		struct store_conn *c = store_acquire(a->store);
		enum err e = course_erase(c, a->vault, id, today, "cli", &n, why);
		store_release(c);
		if (e == ERR_OK) {
			printf("講座 %" PRId64 " の申込 %zu件を消去しました。\n", id, n);
			status = 0;
		} else {
			fprintf(stderr, "mimamori: %s\n", why[0] ? why : err_message_ja(e));
		}
	}
	app_close(a);
	return status;
}
