/* SPDX-License-Identifier: MIT */
/* test_vault.c — unit tests for src/store/ and src/vault/ against real SQLite files. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/memo.h"
#include "vault/passbox.h"
#include "vault/vault.h"
#include "vault/vault_internal.h"

/* Tests may reach libsodium itself: to write what an older version wrote. */
#include <sodium.h>

/* A fresh database and vault in a temporary directory. */
struct env {
	char dir[64];
	char *db;
	char *key;
	struct store *s;
	struct vault *v;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void env_open(struct env *e)
{
	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/mimamori-vault-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->db = xasprintf("%s/db.sqlite", e->dir);
	e->key = xasprintf("%s/master.key", e->dir);
	assert_int_equal(store_open(e->db, 1, 2, &e->s), ERR_OK);
	assert_int_equal(vault_create(e->key, e->s), ERR_OK);
	assert_int_equal(vault_open(e->key, e->s, &e->v), ERR_OK);
	assert_non_null(e->v);
}

static void env_close(struct env *e)
{
	vault_free(e->v);
	store_close(e->s);
	free(e->db);
	free(e->key);
	nftw(e->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof *e);
	env_open(e);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	env_close(e);
	free(e);
	return 0;
}

/* Returns the count of rows of a one-value query. */
static int64_t query_int(struct store *s, const char *sql)
{
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(c, sql);
	assert_non_null(st);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t v = store_col_int(st, 0);
	store_finish(st);
	store_release(c);
	return v;
}

static void test_store_open(void **state)
{
	struct env *e = *state;
	assert_true(store_schema_version(e->s) >= 2);
	/* The migrations made the tables. */
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
					 "AND name IN ('meta','users','sessions','audit','sites')"),
			 5);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM meta WHERE key = "
					 "'data_key:platform'"),
			 1);
	/* Reopening applies nothing twice. */
	int v = store_schema_version(e->s);
	struct store *s2 = NULL;
	assert_int_equal(store_open(e->db, 0, 1, &s2), ERR_OK);
	assert_int_equal(store_schema_version(s2), v);
	assert_int_equal(query_int(s2, "SELECT COUNT(*) FROM schema_version"),
			 query_int(e->s, "SELECT COUNT(*) FROM schema_version"));
	store_close(s2);
	/* Without create, a missing file is an error. */
	char *missing = xasprintf("%s/missing.sqlite", e->dir);
	struct store *s3 = NULL;
	assert_int_equal(store_open(missing, 0, 1, &s3), ERR_DB);
	assert_null(s3);
	assert_int_not_equal(access(missing, F_OK), 0);
	free(missing);
	store_close(NULL);
}

/* SQLite's named locks (locks.c) are one lock file per database: the first store to take any
 * name holds them all, a second one (another server: flock is per open file) holds none and
 * sees every name held elsewhere, until the first is closed (a process that ends). */
static void test_store_locks_sqlite(void **state)
{
	struct env *e = *state;
	struct store *s2 = NULL;
	assert_int_equal(store_open(e->db, 0, 1, &s2), ERR_OK);
	assert_int_equal(store_lock_take(e->s, "job:alerts"), 1);
	assert_int_equal(store_lock_take(e->s, "job:alerts"), 1); /* idempotent */
	assert_int_equal(store_lock_take(e->s, "mail-sender:x"), 1);
	assert_int_equal(store_lock_held_elsewhere(e->s, "mail-sender:y"), 0);
	assert_int_equal(store_lock_take(s2, "job:alerts"), 0);
	assert_int_equal(store_lock_take(s2, "mail-sender:y"), 0);
	assert_int_equal(store_lock_held_elsewhere(s2, "mail-sender:x"), 1);
	store_close(e->s);
	e->s = NULL;
	assert_int_equal(store_lock_take(s2, "job:alerts"), 1);
	assert_int_equal(store_lock_held_elsewhere(s2, "mail-sender:x"), 0);
	store_close(s2);
	assert_int_equal(store_open(e->db, 0, 2, &e->s), ERR_OK); /* for teardown */
}

/* A uniqueness violation is ERR_CONFLICT (store.h), not ERR_DB. */
static void test_store_unique_conflict(void **state)
{
	struct env *e = *state;
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(
	    store_exec(c, "INSERT INTO sites(code,name,type) VALUES ('G01','x','gakudo')"), ERR_OK);
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO sites(code,name,type) VALUES (?, 'y', 'gakudo')");
	assert_non_null(st);
	store_bind_text(st, 1, "G01");
	assert_int_equal(store_run(st), ERR_CONFLICT);
	store_finish(st);
	/* A primary-key violation too. */
	st = store_prepare(c, "INSERT INTO meta(key, value) VALUES ('data_key:platform', 'x')");
	assert_non_null(st);
	assert_int_equal(store_step(st), -ERR_CONFLICT);
	store_finish(st);
	store_release(c);
}

static void test_store_tx(void **state)
{
	struct env *e = *state;
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(
	    store_exec(c, "INSERT INTO sites(code,name,type) VALUES ('G01','x','gakudo')"), ERR_OK);
	/* A CHECK violation is not a conflict. */
	assert_int_equal(
	    store_exec(c, "INSERT INTO sites(code,name,type) VALUES ('G02','x','bad')"), ERR_DB);
	/* Rollback undoes. */
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(store_in_tx(c), 1);
	assert_int_equal(
	    store_exec(c, "INSERT INTO sites(code,name,type) VALUES ('G03','x','gakudo')"), ERR_OK);
	store_rollback(c);
	assert_int_equal(store_in_tx(c), 0);
	store_rollback(c); /* no transaction: harmless */
	store_release(c);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sites"), 1);
	/* A bad statement gives NULL. */
	c = store_acquire(e->s);
	assert_null(store_prepare(c, "SELEKT nothing"));
	store_release(c);
}

/* Group commit: units from many threads share commits; a failing unit rolls back alone. */
struct group_arg {
	struct store *s;
	int thread;
	int ok, failed;
};

static enum err insert_site_unit(struct store_conn *c, void *ctx)
{
	const char *code = ctx;
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO sites(code, name, type) VALUES (?, 'x', 'gakudo')");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, code);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

static void *group_worker(void *p)
{
	struct group_arg *g = p;
	for (int i = 0; i < 40; i++) {
		char code[16];
		/* Every 10th unit repeats code 0 of its thread: a conflict after the first. */
		snprintf(code, sizeof code, "T%dU%d", g->thread, i % 10 == 9 ? 0 : i);
		if (store_group_run(g->s, insert_site_unit, code) == ERR_OK)
			g->ok++;
		else
			g->failed++;
	}
	return NULL;
}

static void test_store_group_run(void **state)
{
	struct env *e = *state;
	pthread_t th[6];
	struct group_arg args[6];
	for (int i = 0; i < 6; i++) {
		args[i] = (struct group_arg){e->s, i, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, group_worker, &args[i]), 0);
	}
	int ok = 0, failed = 0;
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		ok += args[i].ok;
		failed += args[i].failed;
	}
	assert_int_equal(failed, 6 * 4);
	assert_int_equal(ok, 6 * 36);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sites"), 6 * 36);
}

/* Units queued without waiting (store_group_submit): each finished exactly once, in the order
 * queued, with its own result, alongside callers that wait; a conflict fails alone. */
struct submitted {
	pthread_mutex_t mu;
	int finished, ok, failed, in_order;
	int next; /* the index the next callback should carry */
};

struct submit_unit {
	struct submitted *sb;
	int index;
	char code[16];
};

static void submit_finished(void *ctx, enum err result, int unavailable)
{
	struct submit_unit *u = ctx;
	struct submitted *sb = u->sb;
	pthread_mutex_lock(&sb->mu);
	sb->finished++;
	if (result == ERR_OK)
		sb->ok++;
	else
		sb->failed++;
	if (u->index != sb->next++)
		sb->in_order = 0;
	pthread_mutex_unlock(&sb->mu);
	assert_false(unavailable);
}

static enum err insert_submitted(struct store_conn *c, void *ctx)
{
	struct submit_unit *u = ctx;
	return insert_site_unit(c, u->code);
}

/* Returns the size of the file at path, 0 when there is none. */
static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* SQLite's own checkpoint (inside the COMMIT past 1,000 WAL pages) is replaced by the store's
 * checkpoint thread: with its threshold at 100 pages, 80 commits of 5 pages each (400 pages,
 * under SQLite's 1,000) are copied back into the database file while the store is open. */
static void test_store_checkpoint_thread(void **state)
{
	(void)state;
	char dir[] = "/tmp/mimamori-ckpt-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *db = xasprintf("%s/db.sqlite", dir);
	setenv("MIMAMORI_SQLITE_CHECKPOINT_PAGES", "100", 1);
	struct store *s = NULL;
	assert_int_equal(store_open(db, 1, 2, &s), ERR_OK);
	unsetenv("MIMAMORI_SQLITE_CHECKPOINT_PAGES");
	struct store_conn *c = store_acquire(s);
	assert_int_equal(store_exec(c, "CREATE TABLE ckpt_test (b BLOB)"), ERR_OK);
	/* The migrations' pages out of the WAL first: it starts empty. */
	assert_int_equal(store_exec(c, "PRAGMA wal_checkpoint(TRUNCATE)"), ERR_OK);
	long long before = file_size(db);
	for (int i = 0; i < 80; i++) {
		assert_int_equal(store_begin(c), ERR_OK);
		assert_int_equal(store_exec(c, "INSERT INTO ckpt_test VALUES (randomblob(20000))"),
				 ERR_OK);
		assert_int_equal(store_commit(c), ERR_OK);
	}
	store_release(c);
	/* Bounded by the clock, not by a count of sleeps: on a machine running eight suites at once
	 * the thread's turn can take seconds (it once missed a 10,000-sleep bound). */
	long long after = file_size(db);
	for (int64_t until = clock_mono_ms() + 60000;
	     clock_mono_ms() < until && after < before + 80 * 20000;) {
		usleep(2000);
		after = file_size(db);
	}
	assert_true(after >= before + 80 * 20000);
	assert_int_equal(query_int(s, "SELECT COUNT(*) FROM ckpt_test"), 80);
	store_close(s);
	free(db);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_store_group_submit(void **state)
{
	struct env *e = *state;
	struct submitted sb = {.in_order = 1};
	pthread_mutex_init(&sb.mu, NULL);
	struct submit_unit units[100];
	pthread_t th[3];
	struct group_arg args[3];
	for (int i = 0; i < 3; i++) {
		args[i] = (struct group_arg){e->s, i, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, group_worker, &args[i]), 0);
	}
	for (int i = 0; i < 100; i++) {
		units[i] = (struct submit_unit){&sb, i, ""};
		/* Every 10th repeats S0: a conflict after the first. */
		snprintf(units[i].code, sizeof units[i].code, "S%d", i % 10 == 9 ? 0 : i);
		assert_int_equal(store_group_submit(e->s, insert_submitted, &units[i],
						    submit_finished),
				 ERR_OK);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	/* Bounded: the committing thread finishes them within moments. */
	int done = 0;
	for (int waited = 0; waited < 10000 && !done; waited++) {
		pthread_mutex_lock(&sb.mu);
		done = sb.finished == 100;
		pthread_mutex_unlock(&sb.mu);
		if (!done)
			usleep(1000);
	}
	assert_true(done);
	assert_int_equal(sb.ok, 90);
	assert_int_equal(sb.failed, 10);
	assert_true(sb.in_order);
	assert_int_equal(args[0].ok + args[1].ok + args[2].ok, 3 * 36);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM sites"), 90 + 3 * 36);
	/* Queued just before the store closes: still committed and finished. */
	struct submit_unit last = {&sb, 100, "LAST"};
	assert_int_equal(store_group_submit(e->s, insert_submitted, &last, submit_finished),
			 ERR_OK);
	store_close(e->s);
	e->s = NULL;
	assert_int_equal(sb.finished, 101);
	assert_int_equal(sb.ok, 91);
	pthread_mutex_destroy(&sb.mu);
}

static void test_vault_create_refuses_existing(void **state)
{
	struct env *e = *state;
	struct stat sb;
	assert_int_equal(stat(e->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 65); /* 64 hex digits and a newline */

	char before[128], after[128];
	FILE *f = fopen(e->key, "r");
	assert_non_null(f);
	size_t n1 = fread(before, 1, sizeof before, f);
	fclose(f);
	assert_int_equal(vault_create(e->key, e->s), ERR_CONFLICT);
	f = fopen(e->key, "r");
	assert_non_null(f);
	size_t n2 = fread(after, 1, sizeof after, f);
	fclose(f);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	/* A second vault on the same database (another key path) is refused too. */
	char *key2 = xasprintf("%s/second.key", e->dir);
	assert_int_not_equal(vault_create(key2, e->s), ERR_OK);
	free(key2);
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM meta WHERE key = "
					 "'data_key:platform'"),
			 1);
	/* The existing vault still opens. */
	struct vault *v2 = NULL;
	assert_int_equal(vault_open(e->key, e->s, &v2), ERR_OK);
	vault_free(v2);
	vault_free(NULL);
}

static void test_vault_wrong_key(void **state)
{
	struct env *e = *state;
	struct env other;
	env_open(&other);
	/* Another database's master key does not unwrap this data key. */
	struct vault *v = NULL;
	assert_int_equal(vault_open(other.key, e->s, &v), ERR_CRYPTO);
	assert_null(v);
	/* A missing key file is an I/O error. */
	char *missing = xasprintf("%s/nokey", e->dir);
	assert_int_equal(vault_open(missing, e->s, &v), ERR_IO);
	assert_null(v);
	/* A malformed key file is a key error. */
	FILE *f = fopen(missing, "w");
	assert_non_null(f);
	fputs("not a key, not hex, not anything useful at all, 64+ chars long..\n", f);
	fclose(f);
	assert_int_equal(vault_open(missing, e->s, &v), ERR_CRYPTO);
	assert_null(v);
	free(missing);
	/* A database without a wrapped data key cannot be opened. */
	char *db3 = xasprintf("%s/empty.sqlite", e->dir);
	struct store *s3 = NULL;
	assert_int_equal(store_open(db3, 1, 1, &s3), ERR_OK);
	assert_int_equal(vault_open(e->key, s3, &v), ERR_CRYPTO);
	assert_null(v);
	store_close(s3);
	free(db3);
	env_close(&other);
}

static void test_seal_roundtrip(void **state)
{
	struct env *e = *state;
	const char *name = "髙橋 𠮷田 はなこ";
	unsigned char *blob = NULL;
	size_t len = 0;
	vault_seal(e->v, "child.name", name, strlen(name), &blob, &len);
	assert_non_null(blob);
	assert_true(len > strlen(name));
	/* The plaintext does not appear in the blob. */
	assert_null(memmem(blob, len, "髙橋", strlen("髙橋")));
	char *out = NULL;
	assert_int_equal(vault_unseal(e->v, "child.name", blob, len, &out), ERR_OK);
	assert_string_equal(out, name);
	vault_wipe_free(out);
	vault_wipe_free(NULL);

	/* It still opens through a fresh vault on the same key (stored data key). */
	struct vault *v2 = NULL;
	assert_int_equal(vault_open(e->key, e->s, &v2), ERR_OK);
	out = NULL;
	assert_int_equal(vault_unseal(v2, "child.name", blob, len, &out), ERR_OK);
	assert_string_equal(out, name);
	vault_wipe_free(out);
	vault_free(v2);

	/* Empty plaintext. */
	unsigned char *eb = NULL;
	size_t elen = 0;
	vault_seal(e->v, "f", "", 0, &eb, &elen);
	out = NULL;
	assert_int_equal(vault_unseal(e->v, "f", eb, elen, &out), ERR_OK);
	assert_string_equal(out, "");
	vault_wipe_free(out);
	free(eb);
	free(blob);
}

static void test_seal_tamper(void **state)
{
	struct env *e = *state;
	const char *text = "guardian@example.jp";
	unsigned char *blob = NULL;
	size_t len = 0;
	char *out = NULL;
	vault_seal(e->v, "guardian.email", text, strlen(text), &blob, &len);

	/* Another field name is another associated data: refused. */
	assert_int_equal(vault_unseal(e->v, "guardian.name", blob, len, &out), ERR_CRYPTO);
	assert_null(out);
	assert_int_equal(vault_unseal(e->v, "guardian.emai", blob, len, &out), ERR_CRYPTO);
	assert_null(out);

	/* Any one flipped byte (nonce, ciphertext or tag) is refused. */
	for (size_t i = 0; i < len; i++) {
		blob[i] ^= 0x01;
		assert_int_equal(vault_unseal(e->v, "guardian.email", blob, len, &out), ERR_CRYPTO);
		assert_null(out);
		blob[i] ^= 0x01;
	}
	/* Truncated and too-short blobs. */
	assert_int_equal(vault_unseal(e->v, "guardian.email", blob, len - 1, &out), ERR_CRYPTO);
	assert_int_equal(vault_unseal(e->v, "guardian.email", blob, 10, &out), ERR_CRYPTO);
	assert_int_equal(vault_unseal(e->v, "guardian.email", NULL, 0, &out), ERR_CRYPTO);
	assert_null(out);

	/* Another vault (another data key) cannot open it. */
	struct env other;
	env_open(&other);
	assert_int_equal(vault_unseal(other.v, "guardian.email", blob, len, &out), ERR_CRYPTO);
	assert_null(out);
	env_close(&other);

	/* The untouched blob still opens. */
	assert_int_equal(vault_unseal(e->v, "guardian.email", blob, len, &out), ERR_OK);
	assert_string_equal(out, text);
	vault_wipe_free(out);
	free(blob);
}

static void test_seal_nonce_unique(void **state)
{
	struct env *e = *state;
	const char *text = "same text";
	unsigned char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	vault_seal(e->v, "f", text, strlen(text), &a, &la);
	vault_seal(e->v, "f", text, strlen(text), &b, &lb);
	assert_int_equal(la, lb);
	assert_memory_not_equal(a, b, la);
	/* Both nonce (24 bytes) and ciphertext differ. */
	assert_memory_not_equal(a, b, 24);
	assert_memory_not_equal(a + 24, b + 24, la - 24);
	free(a);
	free(b);
}

/* The memo of unsealed texts: the same text for the same blob, a blob asked twice in one round
 * answered from the memo (the same pointer), texts kept one round after their last use, and
 * a blob that does not open (altered, another field) refused as by vault_unseal. */
static void test_seal_memo(void **state)
{
	struct env *e = *state;
	enum { N = 600 }; /* past the first table's size: it grows */
	unsigned char *blob[N];
	size_t len[N];
	char text[N][32];
	const char *got[N];
	for (int i = 0; i < N; i++) {
		snprintf(text[i], sizeof text[i], "児童 %d", i);
		vault_seal(e->v, "children.name", text[i], strlen(text[i]), &blob[i], &len[i]);
	}
	struct vault_memo *m = vault_memo_new();
	for (int i = 0; i < N; i++) {
		assert_int_equal(vault_memo_unseal(m, e->v, "children.name", blob[i], len[i], &got[i]),
				 ERR_OK);
		assert_string_equal(got[i], text[i]);
	}
	for (int i = 0; i < N; i++) { /* the same round: from the memo */
		const char *again = NULL;
		assert_int_equal(vault_memo_unseal(m, e->v, "children.name", blob[i], len[i], &again),
				 ERR_OK);
		assert_ptr_equal(again, got[i]);
	}
	assert_int_equal(vault_memo_round(m), N);
	/* The next round asks for half: copied from the round before. */
	for (int i = 0; i < N; i += 2) {
		const char *t = NULL;
		assert_int_equal(vault_memo_unseal(m, e->v, "children.name", blob[i], len[i], &t),
				 ERR_OK);
		assert_string_equal(t, text[i]);
	}
	assert_int_equal(vault_memo_round(m), N / 2);
	/* Refused as vault_unseal refuses: another field, one altered byte, too short. */
	const char *t = NULL;
	assert_int_equal(vault_memo_unseal(m, e->v, "children.kana", blob[0], len[0], &t),
			 ERR_CRYPTO);
	blob[0][len[0] - 1] ^= 0x01;
	assert_int_equal(vault_memo_unseal(m, e->v, "children.name", blob[0], len[0], &t),
			 ERR_CRYPTO);
	blob[0][len[0] - 1] ^= 0x01;
	assert_int_equal(vault_memo_unseal(m, e->v, "children.name", blob[0], 4, &t), ERR_CRYPTO);
	/* The refused are not kept; after a round that asked for nothing, nothing is kept, and
	 * a text dropped is unsealed again. */
	assert_int_equal(vault_memo_round(m), 0);
	assert_int_equal(vault_memo_round(m), 0);
	assert_int_equal(vault_memo_unseal(m, e->v, "children.name", blob[1], len[1], &t), ERR_OK);
	assert_string_equal(t, text[1]);
	vault_memo_free(m);
	vault_memo_free(NULL);
	for (int i = 0; i < N; i++)
		free(blob[i]);
}

static void test_blind(void **state)
{
	struct env *e = *state;
	unsigned char a[VAULT_BLIND_LEN], b[VAULT_BLIND_LEN], c[VAULT_BLIND_LEN];
	vault_blind(e->v, "email", "hanako@example.jp", a);
	vault_blind(e->v, "email", "hanako@example.jp", b);
	assert_memory_equal(a, b, VAULT_BLIND_LEN);
	/* Different text. */
	vault_blind(e->v, "email", "hanako@example.jq", c);
	assert_memory_not_equal(a, c, VAULT_BLIND_LEN);
	/* Same text, different domain. */
	vault_blind(e->v, "card", "hanako@example.jp", c);
	assert_memory_not_equal(a, c, VAULT_BLIND_LEN);
	/* Domain/text boundary cannot be shifted. */
	vault_blind(e->v, "ab", "c", b);
	vault_blind(e->v, "a", "bc", c);
	assert_memory_not_equal(b, c, VAULT_BLIND_LEN);
	/* Stable across reopening the same vault. */
	struct vault *v2 = NULL;
	assert_int_equal(vault_open(e->key, e->s, &v2), ERR_OK);
	vault_blind(v2, "email", "hanako@example.jp", b);
	assert_memory_equal(a, b, VAULT_BLIND_LEN);
	vault_free(v2);
	/* Another vault (another data key) gives another index; and it is keyed (not plain). */
	struct env other;
	env_open(&other);
	vault_blind(other.v, "email", "hanako@example.jp", c);
	assert_memory_not_equal(a, c, VAULT_BLIND_LEN);
	env_close(&other);
	unsigned char h[VAULT_HASH_LEN];
	vault_hash("hanako@example.jp", strlen("hanako@example.jp"), h);
	assert_memory_not_equal(a, h, VAULT_BLIND_LEN);
}

/* A mac of pieces is the blind index of the pieces joined (the audit chain's links, hashed
 * piece by piece since issue 18, must stay what they were), and differs when a byte moves
 * from one piece to the next only if the joined bytes differ. */
static void test_mac_pieces(void **state)
{
	struct env *e = *state;
	unsigned char a[VAULT_BLIND_LEN], b[VAULT_BLIND_LEN], c[VAULT_BLIND_LEN];
	vault_blind(e->v, "audit-chain", "genesis|1|1700000000000|3:cli|4:test|0:|2:in", a);
	struct vault_mac *m = vault_mac_new(e->v, "audit-chain");
	const struct vault_piece p[] = {{"genesis", 7}, {"|1|1700000000000|", 17}, {"3:", 2},
					{"cli", 3},	{"|4:", 3},		    {"test", 4},
					{"|0:", 3},	{"", 0},		    {"|2:", 3},
					{"in", 2}};
	vault_mac_pieces(m, p, sizeof p / sizeof p[0], b);
	assert_memory_equal(a, b, sizeof a);
	/* Used again (the state prepared once is not consumed), and in other cuts. */
	const struct vault_piece q[] = {{"genesis|1|1700000000000|3:cli|4:test|0:|2:in", 44}};
	vault_mac_pieces(m, q, 1, c);
	assert_memory_equal(a, c, sizeof a);
	const struct vault_piece r[] = {{"genesis|1|1700000000000|3:cli|4:test|0:|2:im", 44}};
	vault_mac_pieces(m, r, 1, c);
	assert_memory_not_equal(a, c, sizeof a);
	vault_mac_free(m);
	/* Another domain is another hash. */
	m = vault_mac_new(e->v, "audit-head");
	vault_mac_pieces(m, q, 1, c);
	assert_memory_not_equal(a, c, sizeof a);
	vault_mac_free(m);
	vault_mac_free(NULL);
}

static void test_password(void **state)
{
	(void)state;
	char *h1 = NULL, *h2 = NULL;
	assert_int_equal(vault_password_hash("correct horse 電池", &h1), ERR_OK);
	assert_int_equal(vault_password_hash("correct horse 電池", &h2), ERR_OK);
	assert_non_null(h1);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_string_not_equal(h1, h2); /* salted */
	assert_int_equal(vault_password_verify(h1, "correct horse 電池"), 1);
	assert_int_equal(vault_password_verify(h2, "correct horse 電池"), 1);
	assert_int_equal(vault_password_verify(h1, "correct horse 電地"), 0);
	assert_int_equal(vault_password_verify(h1, "correct horse"), 0);
	assert_int_equal(vault_password_verify(h1, ""), 0);
	assert_int_equal(vault_password_verify("garbage", "correct horse 電池"), 0);
	free(h1);
	free(h2);
}

/* The production cost is libsodium's INTERACTIVE (64 MiB, 2 passes) whatever the environment
 * says but "test"; the test suite's cost is one pass over 1 MiB, and a hash of either cost
 * verifies with no setting (the hash carries its cost). */
static void test_password_cost(void **state)
{
	(void)state;
	char *prod = NULL, *light = NULL;
	const char *was = getenv("MIMAMORI_PASSWORD_COST");
	char *saved = was ? strdup(was) : NULL;
	setenv("MIMAMORI_PASSWORD_COST", "fast", 1); /* not "test": no effect */
	assert_int_equal(vault_password_cost_is_test(), 0);
	assert_int_equal(vault_password_hash("correct horse 電池", &prod), ERR_OK);
	assert_int_equal(strncmp(prod, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
	setenv("MIMAMORI_PASSWORD_COST", "test", 1);
	assert_int_equal(vault_password_cost_is_test(), 1);
	assert_int_equal(vault_password_hash("correct horse 電池", &light), ERR_OK);
	assert_int_equal(strncmp(light, "$argon2id$v=19$m=1024,t=1,p=1$", 30), 0);
	unsetenv("MIMAMORI_PASSWORD_COST");
	assert_int_equal(vault_password_verify(light, "correct horse 電池"), 1);
	assert_int_equal(vault_password_verify(light, "correct horse"), 0);
	setenv("MIMAMORI_PASSWORD_COST", "test", 1);
	assert_int_equal(vault_password_verify(prod, "correct horse 電池"), 1);
	if (saved)
		setenv("MIMAMORI_PASSWORD_COST", saved, 1);
	else
		unsetenv("MIMAMORI_PASSWORD_COST");
	free(saved);
	free(prod);
	free(light);
}

static void test_token(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 16, 24, 32, 33};
	static const size_t lens[] = {2, 22, 32, 43, 44};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *t = vault_token(sizes[i]);
		assert_int_equal(strlen(t), lens[i]);
		for (const char *p = t; *p; p++)
			assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
				    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
		free(t);
	}
	/* 200 tokens of 32 bytes are all different. */
	enum { N = 200 };
	char *ts[N];
	for (int i = 0; i < N; i++)
		ts[i] = vault_token(32);
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			assert_string_not_equal(ts[i], ts[j]);
	for (int i = 0; i < N; i++)
		free(ts[i]);
}

static void test_random(void **state)
{
	(void)state;
	int seen[7] = {0};
	for (int i = 0; i < 7000; i++) {
		uint32_t r = vault_random_uniform(7);
		assert_true(r < 7);
		seen[r]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(seen[i] > 700); /* expected 1000 each */
	for (int i = 0; i < 100; i++)
		assert_int_equal(vault_random_uniform(1), 0);
	unsigned char a[32] = {0}, b[32] = {0};
	vault_random(a, sizeof a);
	vault_random(b, sizeof b);
	assert_memory_not_equal(a, b, sizeof a);
}

static void test_hash_hex_equal(void **state)
{
	(void)state;
	unsigned char h[VAULT_HASH_LEN];
	char hex[2 * VAULT_HASH_LEN + 1];
	/* BLAKE2b-256 of "abc" (RFC 7693 test vector family, 32-byte output). */
	vault_hash("abc", 3, h);
	vault_hex(h, sizeof h, hex);
	assert_string_equal(hex,
			    "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	unsigned char two[2] = {0x0a, 0xff};
	char small[5];
	vault_hex(two, 2, small);
	assert_string_equal(small, "0aff");
	assert_int_equal(vault_equal("abcd", "abcd", 4), 1);
	assert_int_equal(vault_equal("abcd", "abce", 4), 0);
	assert_int_equal(vault_equal_str("csrf-token", "csrf-token"), 1);
	assert_int_equal(vault_equal_str("csrf-token", "csrf-toke"), 0);
	assert_int_equal(vault_equal_str("", ""), 1);
	assert_int_equal(vault_equal_str("a", ""), 0);
	unsigned char w[8];
	memset(w, 0xaa, sizeof w);
	vault_wipe(w, sizeof w);
	for (size_t i = 0; i < sizeof w; i++)
		assert_int_equal(w[i], 0);
}

/* Seals plain under k's vault of name and unseals it with other's: returns the unseal's
 * result (the plaintext, if any, is checked and freed). */
static enum err cross_unseal(const struct vault *from, const struct vault *to, const char *plain)
{
	unsigned char *b = NULL;
	size_t n = 0;
	char *out = NULL;
	vault_seal(from, "children.name", plain, strlen(plain), &b, &n);
	enum err e = vault_unseal(to, "children.name", b, n, &out);
	if (e == ERR_OK)
		assert_string_equal(out, plain);
	vault_wipe_free(out);
	free(b);
	return e;
}

/* One key per service: what one service seals no other key opens, blind indexes differ, the
 * keys survive a reopening, and a wrapped key copied to another name does not open. */
/* A reader of a vault's keys while they are being replaced in place (an erasure followed by
 * another server): it waits for the write to end and reads the new keys whole, never a mix of
 * old and new bytes. The write is held half done here (seq odd) to make the moment last. */
struct key_reader {
	const struct vault *v;
	unsigned char data[VAULT_KEY_LEN];
	int done;
};

static void *read_keys(void *arg)
{
	struct key_reader *r = arg;
	vault_keys_read(r->v, r->data, NULL);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_keys_read_while_replaced(void **state)
{
	(void)state;
	unsigned char one[VAULT_KEY_LEN], two[VAULT_KEY_LEN], idx[VAULT_INDEX_KEY_LEN] = {0};
	crypto_aead_xchacha20poly1305_ietf_keygen(one);
	crypto_aead_xchacha20poly1305_ietf_keygen(two);
	struct vault *v = sodium_malloc(sizeof *v);
	memset(v, 0, sizeof *v);
	vault_keys_set(v, one, idx);
	/* A writer half way: the counter odd, half of the new key written. */
	atomic_fetch_add(&v->seq, 1);
	memcpy(v->data_key, two, VAULT_KEY_LEN / 2);
	struct key_reader r = {v, {0}, 0};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, read_keys, &r), 0);
	usleep(100 * 1000);
	assert_int_equal(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE), 0); /* still waiting */
	memcpy(v->data_key, two, VAULT_KEY_LEN);
	atomic_fetch_add(&v->seq, 1);
	pthread_join(t, NULL);
	assert_memory_equal(r.data, two, VAULT_KEY_LEN);
	/* And a seal made now opens under the new key only. */
	unsigned char *b = NULL;
	size_t n = 0;
	char *p = NULL;
	vault_seal(v, "f", "x", 1, &b, &n);
	assert_int_equal(vault_unseal(v, "f", b, n, &p), ERR_OK);
	free(p);
	free(b);
	sodium_memzero(one, sizeof one);
	sodium_memzero(two, sizeof two);
	sodium_free(v);
}

static void test_keyring_per_service(void **state)
{
	struct env *e = *state;
	struct keyring *k = NULL, *k2 = NULL;
	assert_int_equal(keyring_open(e->key, e->s, &k), ERR_OK);
	const struct vault *att = keyring_vault(k, "attendance");
	const struct vault *school = keyring_vault(k, "schoolmail");
	const struct vault *plat = keyring_platform(k);
	assert_non_null(att);
	assert_non_null(school);
	assert_string_equal(vault_name(att), "attendance");
	assert_string_equal(vault_name(plat), "platform");
	assert_ptr_equal(keyring_vault(k, "attendance"), att); /* opened once, cached */
	assert_int_equal(cross_unseal(att, att, "髙橋 𠮷男"), ERR_OK);
	assert_int_equal(cross_unseal(att, school, "髙橋 𠮷男"), ERR_CRYPTO);
	assert_int_equal(cross_unseal(att, plat, "髙橋 𠮷男"), ERR_CRYPTO);
	assert_int_equal(cross_unseal(school, att, "髙橋 𠮷男"), ERR_CRYPTO);
	unsigned char a[VAULT_BLIND_LEN], b[VAULT_BLIND_LEN];
	vault_blind(att, "guardian-email", "hanako@example.jp", a);
	vault_blind(school, "guardian-email", "hanako@example.jp", b);
	assert_memory_not_equal(a, b, VAULT_BLIND_LEN); /* a person in two services: two records */
	assert_null(keyring_vault(k, "Bad Name"));
	assert_null(keyring_vault(k, ""));
	assert_int_equal(query_int(e->s, "SELECT COUNT(*) FROM meta WHERE key IN "
					 "('data_key:attendance', 'data_key:schoolmail')"),
			 2);
	/* Sealed before, opened after a reopening (another process). */
	unsigned char *blob = NULL;
	size_t n = 0;
	char *out = NULL;
	vault_seal(att, "children.name", "佐藤 三郎", strlen("佐藤 三郎"), &blob, &n);
	assert_int_equal(keyring_open(e->key, e->s, &k2), ERR_OK);
	assert_int_equal(vault_unseal(keyring_vault(k2, "attendance"), "children.name", blob, n, &out),
			 ERR_OK);
	assert_string_equal(out, "佐藤 三郎");
	vault_wipe_free(out);
	assert_int_equal(vault_unseal(keyring_vault(k2, "schoolmail"), "children.name", blob, n, &out),
			 ERR_CRYPTO);
	free(blob);
	keyring_free(k2);
	/* A wrapped key copied under another name is bound to its own name: it does not open. */
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(store_exec(c, "INSERT INTO meta(key, value) SELECT 'data_key:thief', value "
				       "FROM meta WHERE key = 'data_key:attendance'"),
			 ERR_OK);
	store_release(c);
	assert_int_equal(keyring_open(e->key, e->s, &k2), ERR_OK);
	assert_null(keyring_vault(k2, "thief"));
	keyring_free(k2);
	keyring_free(k);
	keyring_free(NULL);
}

/* A directory made when it had one data key (what migration 0017 leaves: that key renamed
 * data_key:attendance, wrapped as before): its sealed values stay readable under attendance's
 * key, the audit chain's key is unchanged, and the platform gets a data key of its own. */
static void test_keyring_upgrade(void **state)
{
	struct env *e = *state;
	(void)e;
	struct env old;
	memset(&old, 0, sizeof old);
	snprintf(old.dir, sizeof old.dir, "/tmp/mimamori-legacy-XXXXXX");
	assert_non_null(mkdtemp(old.dir));
	old.db = xasprintf("%s/db.sqlite", old.dir);
	old.key = xasprintf("%s/master.key", old.dir);
	assert_int_equal(store_open(old.db, 1, 2, &old.s), ERR_OK);
	/* The old layout, written as the old version wrote it. */
	unsigned char master[32], key[32], idx[crypto_generichash_KEYBYTES];
	unsigned char w[24 + 32 + 16];
	char hex[65];
	crypto_aead_xchacha20poly1305_ietf_keygen(master);
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	sodium_bin2hex(hex, sizeof hex, master, sizeof master);
	FILE *f = fopen(old.key, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", hex);
	fclose(f);
	randombytes_buf(w, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(w + 24, NULL, key, 32,
						   (const unsigned char *)"data-key", 8, NULL, w,
						   master);
	struct store_conn *c = store_acquire(old.s);
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO meta(key, value) VALUES ('data_key:attendance', ?)");
	store_bind_blob(st, 1, w, sizeof w);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
	store_release(c);
	/* A name sealed then, and the audit chain's mac of a line. */
	const char *name = "山﨑 次郎";
	unsigned char sealed[24 + 64 + 16];
	size_t nl = strlen(name);
	randombytes_buf(sealed, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + 24, NULL, (const unsigned char *)name,
						   nl, (const unsigned char *)"children.name", 13,
						   NULL, sealed, key);
	crypto_kdf_derive_from_key(idx, sizeof idx, 1, "mimaidx1", key);
	unsigned char chain_old[VAULT_BLIND_LEN], chain_new[VAULT_BLIND_LEN];
	crypto_generichash_state hs;
	crypto_generichash_init(&hs, idx, sizeof idx, VAULT_BLIND_LEN);
	crypto_generichash_update(&hs, (const unsigned char *)"audit-chain", 12);
	crypto_generichash_update(&hs, (const unsigned char *)"genesis|1", 9);
	crypto_generichash_final(&hs, chain_old, sizeof chain_old);

	struct keyring *k = NULL;
	assert_int_equal(keyring_open(old.key, old.s, &k), ERR_OK);
	char *out = NULL;
	const struct vault *att = keyring_vault(k, "attendance");
	assert_non_null(att);
	assert_int_equal(vault_unseal(att, "children.name", sealed, 24 + nl + 16, &out), ERR_OK);
	assert_string_equal(out, name);
	vault_wipe_free(out);
	assert_int_equal(vault_unseal(keyring_platform(k), "children.name", sealed, 24 + nl + 16,
				      &out),
			 ERR_CRYPTO);
	vault_blind(keyring_platform(k), "audit-chain", "genesis|1", chain_new);
	assert_memory_equal(chain_old, chain_new, VAULT_BLIND_LEN);
	assert_int_equal(cross_unseal(keyring_platform(k), att, "x"), ERR_CRYPTO);
	assert_int_equal(query_int(old.s, "SELECT COUNT(*) FROM meta WHERE key IN "
					  "('data_key:platform', 'index_key:platform')"),
			 2);
	keyring_free(k);
	/* Opened again: nothing to upgrade, the same keys. */
	assert_int_equal(keyring_open(old.key, old.s, &k), ERR_OK);
	assert_int_equal(vault_unseal(keyring_vault(k, "attendance"), "children.name", sealed,
				      24 + nl + 16, &out),
			 ERR_OK);
	vault_wipe_free(out);
	vault_blind(keyring_platform(k), "audit-chain", "genesis|1", chain_new);
	assert_memory_equal(chain_old, chain_new, VAULT_BLIND_LEN);
	assert_int_equal(query_int(old.s, "SELECT COUNT(*) FROM meta"), 3);
	keyring_free(k);
	sodium_memzero(master, sizeof master);
	sodium_memzero(key, sizeof key);
	env_close(&old);
}

/* The passphrase box of casework handovers (vault/passbox.h): round trip, a wrong passphrase,
 * a short one, changed bytes, an absurd cost. */
static void test_passbox(void **state)
{
	/* The test suite's cost (libsodium's minimum); the box records it. */
	const char *was = getenv("MIMAMORI_PASSWORD_COST");
	char *saved = was ? xstrdup(was) : NULL;
	setenv("MIMAMORI_PASSWORD_COST", "test", 1);
	(void)state;
	const char *doc = "{\"case\":\"架空 花子\"}";
	unsigned char *box = NULL, *back = NULL;
	size_t n = 0, m = 0;
	assert_int_equal(
		vault_passbox_seal("short", VAULT_PASSBOX_MODERATE, doc, strlen(doc), &box, &n),
		ERR_INVALID);
	assert_int_equal(vault_passbox_seal("correct horse battery", VAULT_PASSBOX_MODERATE, doc,
					    strlen(doc), &box, &n),
			 ERR_OK);
	assert_null(memmem(box, n, "架空", strlen("架空")));
	assert_int_equal(vault_passbox_open("wrong horse battery", box, n, &back, &m), ERR_CRYPTO);
	assert_int_equal(vault_passbox_open("correct horse battery", box, n, &back, &m), ERR_OK);
	assert_int_equal(m, strlen(doc));
	assert_string_equal((char *)back, doc);
	free(back);
	/* A box that asks an absurd cost (memory, passes) is refused before any key is derived. */
	unsigned char *odd = malloc(n);
	memcpy(odd, box, n);
	memset(odd + 16, 0xff, 8); /* mem */
	assert_int_equal(vault_passbox_open("correct horse battery", odd, n, &back, &m), ERR_INVALID);
	memcpy(odd, box, n);
	memset(odd + 8, 0x7f, 8); /* ops */
	assert_int_equal(vault_passbox_open("correct horse battery", odd, n, &back, &m), ERR_INVALID);
	memcpy(odd, box, n);
	odd[24] ^= 1; /* the salt */
	assert_int_equal(vault_passbox_open("correct horse battery", odd, n, &back, &m), ERR_CRYPTO);
	free(odd);
	box[n - 1] ^= 1;
	assert_int_equal(vault_passbox_open("correct horse battery", box, n, &back, &m), ERR_CRYPTO);
	assert_int_equal(vault_passbox_open("correct horse battery", "MMPASS1\n", 8, &back, &m),
			 ERR_INVALID);
	free(box);
	if (saved)
		setenv("MIMAMORI_PASSWORD_COST", saved, 1);
	else
		unsetenv("MIMAMORI_PASSWORD_COST");
	free(saved);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_store_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_locks_sqlite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_unique_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_group_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_group_submit, setup, teardown),
	    cmocka_unit_test(test_store_checkpoint_thread),
	    cmocka_unit_test_setup_teardown(test_vault_create_refuses_existing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vault_wrong_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seal_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seal_tamper, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mac_pieces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seal_nonce_unique, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seal_memo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blind, setup, teardown),
	    cmocka_unit_test(test_keys_read_while_replaced),
	    cmocka_unit_test_setup_teardown(test_keyring_per_service, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keyring_upgrade, setup, teardown),
	    cmocka_unit_test(test_password),
	    cmocka_unit_test(test_password_cost),
	    cmocka_unit_test(test_token),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_hash_hex_equal),
	    cmocka_unit_test(test_passbox),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
