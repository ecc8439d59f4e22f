/* SPDX-License-Identifier: MIT */
/* test_exchange.c — file exchange (src/exchange/): the per-file key and its password wrap, the
 * two mails (the link without the password, the password without the link), the tries that lock
 * a file, the size cap, the scan hook, and the expiry after which no byte of the file, its
 * ciphertext, its wrapped key or its password is left in the database file, the WAL or the data
 * directory. */
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "app.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/xalloc.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "vault/vault.h"
#include "vault/wrap.h"

#define PW "correct-horse-battery-9"
#define NOW 1900000000000LL
#define DAY_MS 86400000LL

struct env {
	char dir[64];
	char data[96];
	struct app *a;
	int64_t contractor, ward, other;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int64_t add_user(struct env *e, const char *login, const char *role)
{
	const char *why = NULL;
	struct user u;
	int64_t retry = 0;
	assert_int_equal(user_add(e->a->store, e->a->vault, login, role, NULL, 0, PW, &why),
			 ERR_OK);
	assert_int_equal(user_sign_in(e->a->store, e->a->vault, login, PW, &u, &retry), ERR_OK);
	return u.id;
}

/* Appends text to the data directory's mimamori.conf. */
static void conf_add(struct env *e, const char *text)
{
	char path[160];
	snprintf(path, sizeof path, "%s/mimamori.conf", e->data);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof *e);
	const char *why = NULL;
	int64_t uid = 0;
	snprintf(e->dir, sizeof e->dir, "/tmp/mimamori-exch-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->data, sizeof e->data, "%s/data", e->dir);
	assert_int_equal(app_init_dir(e->data), ERR_OK);
	assert_int_equal(app_open(e->data, 2, &e->a), ERR_OK);
	assert_non_null(exchange_vault(e->a)); /* made outside a transaction */
	e->contractor = add_user(e, "hh-op", "grant_operator");
	e->ward = add_user(e, "kodomo1", "ward_staff");
	e->other = add_user(e, "kodomo2", "grant_staff");
	struct store_conn *c = store_acquire(e->a->store);
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(exchange_recipient_set(e->a, c, "kodomo1", "桜台 花子", "子ども家庭支援課",
						"kodomo1@example.jp", 1, &uid, &why),
			 ERR_OK);
	assert_int_equal(uid, e->ward);
	/* a contractor is no recipient */
	assert_int_equal(exchange_recipient_set(e->a, c, "hh-op", "x", "", "x@example.jp", 1, &uid,
						&why),
			 ERR_INVALID);
	assert_int_equal(store_commit(c), ERR_OK);
	store_release(c);
	clock_set_now_ms(NOW);
	clock_hold(1);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	clock_hold(0);
	app_close(e->a);
	nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

/* Sends len bytes of data as name to kodomo1 for days; returns the file's id. */
static int64_t put(struct env *e, const void *data, size_t len, int days, enum err want,
		   const char *want_code)
{
	const char *code = NULL, *why = NULL;
	int64_t id = 0;
	struct exchange_upload u = {e->contractor, e->ward, "訪問報告 12月.pdf", "application/pdf",
				    data, len, days};
	assert_int_equal(exchange_put(e->a, &u, "user:1", &id, &code, &why), want);
	if (want_code)
		assert_string_equal(code, want_code);
	return id;
}

/* The body of the outbox message of send_id (unsealed under the service's key; caller frees). */
static char *mail_body(struct env *e, const char *send_id, const char *field, int col)
{
	char *out = NULL;
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT subject_enc, body_enc, to_enc, service FROM outbox WHERE send_id = ?");
	store_bind_text(st, 1, send_id);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_string_equal(store_col_text(st, 3), "exchange");
	assert_int_equal(vault_unseal_column(exchange_vault(e->a), st, col, field, &out), ERR_OK);
	assert_int_equal(store_step(st), STORE_DONE);
	store_finish(st);
	store_release(c);
	return out;
}

/* The password in the password mail of file id (into pw, 15 bytes). */
static void password_of(struct env *e, int64_t id, char pw[15])
{
	char send_id[64];
	snprintf(send_id, sizeof send_id, "exchange:%lld:password", (long long)id);
	char *body = mail_body(e, send_id, "outbox.body", 1);
	const char *p = strstr(body, "\n\n    ");
	assert_non_null(p);
	memcpy(pw, p + 6, 14);
	pw[14] = '\0';
	free(body);
}

static void test_wrap(void **state)
{
	(void)state;
	unsigned char key[VAULT_OBJ_KEY_LEN], back[VAULT_OBJ_KEY_LEN], *w = NULL, *b = NULL,
								       *p = NULL;
	size_t wl = 0, bl = 0, pl = 0;
	vault_obj_key_new(key);
	assert_int_equal(vault_key_wrap("abcd-efgh-jkmn", key, &w, &wl), ERR_OK);
	assert_int_equal(vault_key_unwrap("abcd-efgh-jkmn", w, wl, back), ERR_OK);
	assert_memory_equal(key, back, sizeof key);
	assert_int_equal(vault_key_unwrap("abcd-efgh-jkmm", w, wl, back), ERR_CRYPTO);
	w[wl - 1] ^= 1;
	assert_int_equal(vault_key_unwrap("abcd-efgh-jkmn", w, wl, back), ERR_CRYPTO);
	assert_int_equal(vault_key_unwrap("abcd-efgh-jkmn", w, 10, back), ERR_CRYPTO);
	vault_obj_seal(key, "ad", "hello", 5, &b, &bl);
	assert_int_equal(vault_obj_open(key, "ad", b, bl, &p, &pl), ERR_OK);
	assert_int_equal(pl, 5);
	assert_memory_equal(p, "hello", 5);
	free(p);
	assert_int_equal(vault_obj_open(key, "other", b, bl, &p, &pl), ERR_CRYPTO);
	free(w);
	free(b);
	char pw[15], pw2[15];
	exchange_password_new(pw);
	exchange_password_new(pw2);
	assert_int_equal(strlen(pw), 14);
	assert_true(pw[4] == '-' && pw[9] == '-');
	assert_string_not_equal(pw, pw2);
}

static void test_put_get(void **state)
{
	struct env *e = *state;
	static const char text[] = "訪問報告: 家事支援 2時間、様子は落ち着いていた。";
	int64_t id = put(e, text, sizeof text - 1, 7, ERR_OK, NULL);
	assert_true(id > 0);
	char pw[15], send_id[64];
	password_of(e, id, pw);
	/* two mails: the link one carries no password, the password one no link */
	snprintf(send_id, sizeof send_id, "exchange:%lld:link", (long long)id);
	char *link = mail_body(e, send_id, "outbox.body", 1);
	assert_non_null(strstr(link, "/exchange/inbox.html"));
	assert_null(strstr(link, pw));
	free(link);
	snprintf(send_id, sizeof send_id, "exchange:%lld:password", (long long)id);
	char *pwmail = mail_body(e, send_id, "outbox.body", 1);
	assert_null(strstr(pwmail, "http"));
	assert_null(strstr(pwmail, "inbox.html"));
	free(pwmail);
	char *to = mail_body(e, send_id, "outbox.to", 2);
	assert_string_equal(to, "kodomo1@example.jp");
	free(to);

	struct exchange_got got;
	const char *code = NULL, *why = NULL;
	int left = 0;
	/* not the recipient: no such file */
	assert_int_equal(exchange_get(e->a, id, e->other, pw, "t", &got, &left, &code, &why),
			 ERR_NOTFOUND);
	assert_int_equal(exchange_get(e->a, id, e->ward, "wrong-pass-word", "t", &got, &left, &code,
				      &why),
			 ERR_FORBIDDEN);
	assert_string_equal(code, "wrong_password");
	assert_int_equal(left, 4);
	assert_int_equal(exchange_get(e->a, id, e->ward, pw, "t", &got, &left, &code, &why), ERR_OK);
	assert_int_equal(got.len, sizeof text - 1);
	assert_memory_equal(got.data, text, got.len);
	assert_non_null(strstr(got.meta, "訪問報告 12月.pdf"));
	exchange_got_free(&got);
	/* the right password took its try back: still 4 left after one more wrong */
	assert_int_equal(exchange_get(e->a, id, e->ward, "nope", "t", &got, &left, &code, &why),
			 ERR_FORBIDDEN);
	assert_int_equal(left, 3);
	/* a wrong days, an empty file, a bad name, someone who is no recipient */
	put(e, text, sizeof text - 1, 15, ERR_INVALID, "bad_days");
	put(e, text, 0, 1, ERR_INVALID, "empty_file");
	struct exchange_upload u = {e->contractor, e->other, "a.txt", NULL, "x", 1, 1};
	int64_t nid = 0;
	assert_int_equal(exchange_put(e->a, &u, "t", &nid, &code, &why), ERR_INVALID);
	assert_string_equal(code, "no_recipient");
	u.recipient_id = e->ward;
	u.name = "../etc/passwd";
	assert_int_equal(exchange_put(e->a, &u, "t", &nid, &code, &why), ERR_INVALID);
	assert_string_equal(code, "bad_name");
}

static void test_lock(void **state)
{
	struct env *e = *state;
	conf_add(e, "\n[exchange]\nattempts = 3\n");
	int64_t id = put(e, "abc", 3, 1, ERR_OK, NULL);
	char pw[15];
	password_of(e, id, pw);
	struct exchange_got got;
	const char *code = NULL, *why = NULL;
	int left = 0;
	for (int i = 0; i < 3; i++)
		assert_int_not_equal(
		    exchange_get(e->a, id, e->ward, "bad", "t", &got, &left, &code, &why), ERR_OK);
	assert_int_equal(left, 0);
	assert_string_equal(code, "file_locked");
	/* locked: even the right password no longer opens it */
	assert_int_equal(exchange_get(e->a, id, e->ward, pw, "t", &got, &left, &code, &why),
			 ERR_TOOMANY);
	assert_string_equal(code, "file_locked");
}

static void test_size_and_scan(void **state)
{
	struct env *e = *state;
	char script[160], conf[400];
	static char big[2001];
	memset(big, 'a', sizeof big);
	conf_add(e, "\n[exchange]\nmax_bytes = 2000\n");
	put(e, big, 2001, 1, ERR_TOOLARGE, "file_too_large");
	put(e, big, 2000, 1, ERR_OK, NULL);
	/* a scanner that finds the EICAR test string (stands in for clamdscan's exit codes) */
	snprintf(script, sizeof script, "%s/scan.sh", e->dir);
	static const char sh[] = "#!/bin/sh\nif grep -q EICAR-STANDARD; then exit 1; fi\nexit 0\n";
	assert_int_equal(file_write_atomic(script, sh, sizeof sh - 1), ERR_OK);
	chmod(script, 0700);
	snprintf(conf, sizeof conf, "scan_command = %s\n", script);
	conf_add(e, conf);
	static const char eicar[] =
	    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
	put(e, eicar, sizeof eicar - 1, 1, ERR_INVALID, "virus_found");
	put(e, "clean", 5, 1, ERR_OK, NULL);
	/* a scanner that cannot run refuses too */
	conf_add(e, "scan_command = /nonexistent/clamdscan --no-summary -\n");
	put(e, "clean", 5, 1, ERR_TEMP, "scan_failed");
	/* the refusals are recorded */
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT count(*) FROM ex_events WHERE action = 'refused'");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 2);
	store_finish(st);
	store_release(c);
}

/* A scanner that stops reading (exits 0 without reading the file) has not scanned it: refused,
 * and the process (which does not ignore SIGPIPE here) lives on. */
static void test_scan_stops_reading(void **state)
{
	struct env *e = *state;
	size_t len = 300 * 1024; /* more than a pipe holds */
	char *big = xmalloc(len);
	memset(big, 'b', len);
	conf_add(e, "\n[exchange]\nscan_command = /bin/true\n");
	put(e, big, len, 1, ERR_TEMP, "scan_failed");
	free(big);
}

/* 1 when needle (n bytes) is somewhere in the file at path. */
static int file_has(const char *path, const void *needle, size_t n)
{
	char *d = NULL;
	size_t len = 0;
	if (file_read_all(path, 512u * 1024 * 1024, &d, &len) != ERR_OK)
		return 0;
	int found = 0;
	for (size_t i = 0; !found && len >= n && i <= len - n; i++)
		found = memcmp(d + i, needle, n) == 0;
	free(d);
	return found;
}

static const void *needle_p;
static size_t needle_n;
static int needle_hits;

static int look(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_F && file_has(p, needle_p, needle_n)) {
		fprintf(stderr, "found in %s\n", p);
		needle_hits++;
	}
	return 0;
}

/* The number of files under dir holding needle. */
static int dir_has(const char *dir, const void *needle, size_t n)
{
	needle_p = needle;
	needle_n = n;
	needle_hits = 0;
	nftw(dir, look, 16, FTW_PHYS);
	return needle_hits;
}

static void test_expiry_leaves_no_byte(void **state)
{
	struct env *e = *state;
	size_t len = 100 * 1024;
	unsigned char *plain = xmalloc(len), body[3][32], key[32];
	vault_random(plain, len);
	memcpy(plain + 5000, "PLAINTEXT-MARKER-7f3a", 21);
	int64_t id = put(e, plain, len, 2, ERR_OK, NULL);
	char pw[15];
	password_of(e, id, pw);
	/* what the database holds of it: chunks of the ciphertext and of the sealed wrapped key */
	struct store_conn *c = store_acquire(e->a->store);
	struct store_stmt *st = store_prepare(c, "SELECT body, file_key FROM ex_files WHERE id = ?");
	store_bind_int(st, 1, id);
	assert_int_equal(store_step(st), STORE_ROW);
	size_t bl = 0, kl = 0;
	const unsigned char *b = store_col_blob(st, 0, &bl), *k = store_col_blob(st, 1, &kl);
	assert_true(bl > len && kl >= 32);
	memcpy(body[0], b + 40, 32);
	memcpy(body[1], b + bl / 2, 32);
	memcpy(body[2], b + bl - 32, 32);
	memcpy(key, k + kl - 32, 32);
	store_finish(st);
	store_release(c);
	/* before: the ciphertext, the key and the password are there (the test can fail) */
	assert_true(dir_has(e->dir, body[1], 32) > 0);
	assert_true(dir_has(e->dir, key, 32) > 0);
	/* not yet expired: the sweep leaves it */
	int n = -1;
	assert_int_equal(exchange_sweep(e->a, NOW + 2 * DAY_MS - 1, 0, &n), ERR_OK);
	assert_int_equal(n, 0);
	clock_set_now_ms(NOW + 2 * DAY_MS);
	assert_int_equal(exchange_sweep(e->a, clock_now_ms(), 0, &n), ERR_OK);
	assert_int_equal(n, 1);
	/* nothing of it in the database file, the WAL or anywhere in the data directory */
	for (int i = 0; i < 3; i++)
		assert_int_equal(dir_has(e->dir, body[i], 32), 0);
	assert_int_equal(dir_has(e->dir, key, 32), 0);
	assert_int_equal(dir_has(e->dir, plain + 4990, 48), 0);
	assert_int_equal(dir_has(e->dir, pw, 14), 0);
	char wal[160];
	snprintf(wal, sizeof wal, "%s/mimamori.db-wal", e->data);
	struct stat sb;
	assert_true(stat(wal, &sb) != 0 || sb.st_size == 0);
	/* the password mail's text is blanked; the events stay */
	char send_id[64];
	snprintf(send_id, sizeof send_id, "exchange:%lld:password", (long long)id);
	char *pwmail = mail_body(e, send_id, "outbox.body", 1);
	assert_null(strstr(pwmail, pw));
	free(pwmail);
	c = store_acquire(e->a->store);
	st = store_prepare(c, "SELECT action FROM ex_events WHERE file_id = ? ORDER BY id");
	store_bind_int(st, 1, id);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_string_equal(store_col_text(st, 0), "upload");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_string_equal(store_col_text(st, 0), "expired");
	store_finish(st);
	store_release(c);
	/* gone for its recipient */
	struct exchange_got got;
	const char *code = NULL, *why = NULL;
	int left = 0;
	assert_int_equal(exchange_get(e->a, id, e->ward, pw, "t", &got, &left, &code, &why),
			 ERR_NOTFOUND);
	free(plain);
}

static void test_withdraw(void **state)
{
	struct env *e = *state;
	int64_t id = put(e, "abc", 3, 1, ERR_OK, NULL);
	assert_int_equal(exchange_withdraw(e->a, id, e->ward, e->ward, "t"), ERR_NOTFOUND);
	assert_int_equal(exchange_withdraw(e->a, id, e->contractor, e->contractor, "t"), ERR_OK);
	assert_int_equal(exchange_withdraw(e->a, id, e->contractor, e->contractor, "t"),
			 ERR_NOTFOUND);
}

int main(void)
{
	setenv("MIMAMORI_PASSWORD_COST", "test", 1);
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_and_scan, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scan_stops_reading, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expiry_leaves_no_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
