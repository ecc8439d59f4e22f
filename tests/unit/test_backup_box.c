/* SPDX-License-Identifier: MIT */
/* test_backup_box.c — unit tests for src/vault/backup_box.c (backup files: a cut, altered,
 * appended or foreign file never opens) and src/vault/escrow.c (the backups' key file, the keys
 * restored under a new master key, a key replaced by erasure and put back on a rollback),
 * against real files and SQLite databases. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "store/store.h"
#include "vault/backup_box.h"
#include "vault/escrow.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define BIG (2 * 1024 * 1024 + 12345) /* three messages */

static char dir[64];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mimamori-box-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void key_at(const char *name, unsigned char key[VAULT_BACKUP_KEY_LEN])
{
	char *p = xasprintf("%s/%s", dir, name);
	assert_int_equal(vault_backup_key_create(p), ERR_OK);
	assert_int_equal(vault_backup_key_create(p), ERR_CONFLICT);
	assert_int_equal(vault_backup_key_read(p, key), ERR_OK);
	free(p);
}

/* Writes content (n bytes) into a backup file in memory; returns its bytes (*len). */
static unsigned char *box(const unsigned char *key, const unsigned char *content, size_t n,
			  size_t *len)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	struct vault_box_writer *w = NULL;
	assert_int_equal(vault_box_open_write(f, key, "{\"format\":1}", &w), ERR_OK);
	/* in pieces of several sizes */
	size_t off = 0, step = 1;
	while (off < n) {
		size_t take = n - off < step ? n - off : step;
		assert_int_equal(vault_box_write(w, content + off, take), ERR_OK);
		off += take;
		step = step * 7 + 3;
	}
	assert_int_equal(vault_box_close(w), ERR_OK);
	fclose(f);
	*len = blen;
	return (unsigned char *)buf;
}

/* Opens bytes as a backup file with key; returns the error, the content in *out (malloc'd). */
static enum err unbox(const unsigned char *key, const unsigned char *bytes, size_t len,
		      unsigned char **out, size_t *n)
{
	FILE *f = fmemopen((void *)bytes, len, "rb");
	char *header = NULL;
	struct vault_box_reader *r = NULL;
	enum err e = vault_box_read_header(f, &header);
	*out = xmalloc(BIG + 1);
	*n = 0;
	if (e == ERR_OK)
		e = vault_box_open_read(f, key, header, &r);
	while (e == ERR_OK) {
		size_t got = 0;
		e = vault_box_read(r, *out + *n, BIG + 1 - *n, &got);
		if (e != ERR_OK || got == 0)
			break;
		*n += got;
	}
	vault_box_reader_free(r);
	free(header);
	fclose(f);
	return e;
}

static void test_box(void **state)
{
	(void)state;
	unsigned char key[VAULT_BACKUP_KEY_LEN], other[VAULT_BACKUP_KEY_LEN];
	key_at("a.key", key);
	key_at("b.key", other);
	char fa[VAULT_FINGERPRINT_LEN], fb[VAULT_FINGERPRINT_LEN];
	vault_key_fingerprint(key, fa);
	vault_key_fingerprint(other, fb);
	assert_int_equal(strlen(fa), 19);
	assert_string_not_equal(fa, fb);
	unsigned char *content = xmalloc(BIG);
	for (size_t i = 0; i < BIG; i++)
		content[i] = (unsigned char)(i * 31 + i / 977);
	size_t len = 0, n = 0;
	unsigned char *file = box(key, content, BIG, &len), *out = NULL;
	assert_true(len > BIG);
	/* the content is nowhere in the clear */
	assert_null(memmem(file, len, content + 1000, 64));
	assert_int_equal(unbox(key, file, len, &out, &n), ERR_OK);
	assert_int_equal(n, BIG);
	assert_memory_equal(out, content, BIG);
	free(out);
	/* another key */
	assert_int_equal(unbox(other, file, len, &out, &n), ERR_CRYPTO);
	free(out);
	/* cut anywhere: at a message's end, inside one, inside the stream header */
	size_t cuts[] = {len - 1, len / 2, len / 3, 60, 40};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		enum err e = unbox(key, file, cuts[i], &out, &n);
		assert_true(e == ERR_INVALID);
		free(out);
	}
	/* cut exactly after a whole message (before the final one): still refused */
	size_t first = 18 + 13 + 24; /* magic, header line, stream header */
	size_t clen = (size_t)file[first] << 24 | (size_t)file[first + 1] << 16 |
		      (size_t)file[first + 2] << 8 | file[first + 3];
	assert_int_equal(unbox(key, file, first + 4 + clen, &out, &n), ERR_INVALID);
	free(out);
	/* one bit flipped: in a message, in the header line */
	size_t flips[] = {len / 2, len - 5, 25};
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		file[flips[i]] ^= 1;
		assert_int_equal(unbox(key, file, len, &out, &n), ERR_CRYPTO);
		free(out);
		file[flips[i]] ^= 1;
	}
	/* a byte appended after the final message */
	unsigned char *longer = xmalloc(len + 1);
	memcpy(longer, file, len);
	longer[len] = 'x';
	assert_int_equal(unbox(key, longer, len + 1, &out, &n), ERR_CRYPTO);
	free(out);
	free(longer);
	/* no backup file at all */
	assert_int_equal(unbox(key, (const unsigned char *)"hello\n", 6, &out, &n), ERR_INVALID);
	free(out);
	/* an empty content opens as empty */
	free(file);
	file = box(key, content, 0, &len);
	assert_int_equal(unbox(key, file, len, &out, &n), ERR_OK);
	assert_int_equal(n, 0);
	free(out);
	free(file);
	free(content);
	/* a header with a newline is refused */
	FILE *f = fopen("/dev/null", "wb");
	struct vault_box_writer *w = NULL;
	assert_int_equal(vault_box_open_write(f, key, "a\nb", &w), ERR_INVALID);
	fclose(f);
}

/* The fingerprint of name's key in the database at db (opened with the master key at mk). */
static void fingerprint_in(const char *db, const char *mk, const char *name, char *fp)
{
	struct store *s = NULL;
	struct keyring *k = NULL;
	assert_int_equal(store_open(db, 0, 2, &s), ERR_OK);
	assert_int_equal(keyring_open(mk, s, &k), ERR_OK);
	assert_non_null(keyring_vault(k, name));
	assert_int_equal(keyring_fingerprint(k, name, fp), ERR_OK);
	keyring_free(k);
	store_close(s);
}

static void test_escrow(void **state)
{
	(void)state;
	unsigned char bkey[VAULT_BACKUP_KEY_LEN], other[VAULT_BACKUP_KEY_LEN];
	key_at("c.key", bkey);
	key_at("d.key", other);
	char *db = xasprintf("%s/live.db", dir), *mk = xasprintf("%s/master.key", dir),
	     *esc = xasprintf("%s/backup-keys.mmk", dir), *db2 = xasprintf("%s/new.db", dir),
	     *mk2 = xasprintf("%s/new-master.key", dir);
	struct store *s = NULL, *s2 = NULL;
	struct keyring *k = NULL;
	assert_int_equal(store_open(db, 1, 2, &s), ERR_OK);
	assert_int_equal(keyring_create(mk, s), ERR_OK);
	assert_int_equal(keyring_open(mk, s, &k), ERR_OK);
	const struct vault *a = keyring_vault(k, "alpha"), *b = keyring_vault(k, "beta");
	assert_non_null(a);
	assert_non_null(b);
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char fa[VAULT_FINGERPRINT_LEN], fb[VAULT_FINGERPRINT_LEN], fp[VAULT_FINGERPRINT_LEN];
	vault_seal(a, "f", "secret", 6, &sealed, &slen);
	assert_int_equal(keyring_fingerprint(k, "alpha", fa), ERR_OK);
	assert_int_equal(keyring_fingerprint(k, "beta", fb), ERR_OK);
	assert_int_equal(keyring_fingerprint(k, "gamma", fp), ERR_NOTFOUND);
	const char *names[8];
	assert_int_equal(keyring_names(k, names, 8), 3);
	assert_string_equal(names[0], "platform");

	assert_int_equal(keyring_escrow_write(k, bkey, esc), ERR_OK);
	struct keyring_escrow *es = NULL;
	assert_int_equal(keyring_escrow_read(esc, other, &es), ERR_CRYPTO);
	assert_int_equal(keyring_escrow_read("/nonexistent/x", bkey, &es), ERR_NOTFOUND);
	assert_int_equal(keyring_escrow_read(esc, bkey, &es), ERR_OK);
	assert_true(keyring_escrow_has(es, "alpha", fa));
	assert_false(keyring_escrow_has(es, "alpha", fb));
	assert_false(keyring_escrow_has(es, "gamma", fa));

	/* Restored into a new database under a new master key: the same keys open the rows. */
	assert_int_equal(store_open(db2, 1, 2, &s2), ERR_OK);
	const char *pick[] = {"platform", "alpha"};
	assert_int_equal(keyring_restore(mk2, s2, es, pick, 2), ERR_OK);
	assert_int_equal(keyring_restore(mk2, s2, es, pick, 2), ERR_CONFLICT);
	store_close(s2);
	fingerprint_in(db2, mk2, "alpha", fp);
	assert_string_equal(fp, fa);
	fingerprint_in(db2, mk2, "beta", fp); /* not restored: a new key */
	assert_string_not_equal(fp, fb);
	keyring_escrow_free(es);

	/* Erasure of alpha: rolled back, the key is as it was; committed, a new one, and the
	 * rewritten key file no longer holds the old key. */
	struct store_conn *c = store_acquire(s);
	struct keyring_undo *u = NULL;
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(keyring_replace(k, c, "platform", fp, &u), ERR_INVALID);
	assert_int_equal(keyring_replace(k, c, "gamma", fp, &u), ERR_NOTFOUND);
	assert_int_equal(keyring_replace(k, c, "alpha", fp, &u), ERR_OK);
	assert_string_equal(fp, fa);
	assert_int_equal(keyring_fingerprint(k, "alpha", fp), ERR_OK);
	assert_string_not_equal(fp, fa);
	store_rollback(c);
	keyring_replace_done(k, u, 0);
	assert_int_equal(keyring_fingerprint(k, "alpha", fp), ERR_OK);
	assert_string_equal(fp, fa);
	char *plain = NULL;
	assert_int_equal(vault_unseal(a, "f", sealed, slen, &plain), ERR_OK);
	assert_string_equal(plain, "secret");
	vault_wipe_free(plain);
	plain = NULL;
	/* A second server's keyring on the same database, alpha's key open in it. */
	struct keyring *k2 = NULL;
	assert_int_equal(keyring_open(mk, s, &k2), ERR_OK);
	const struct vault *a2 = keyring_vault(k2, "alpha");
	assert_non_null(a2);
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(keyring_replace(k, c, "alpha", fp, &u), ERR_OK);
	/* The erasure watch of the same process meanwhile: the stored key is still the old one,
	 * and the erasure in its transaction keeps the new one. */
	int changed = -1;
	char fnew[VAULT_FINGERPRINT_LEN], fnow[VAULT_FINGERPRINT_LEN];
	assert_int_equal(keyring_fingerprint(k, "alpha", fnew), ERR_OK);
	assert_int_equal(keyring_reload(k, "alpha", &changed), ERR_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(keyring_fingerprint(k, "alpha", fnow), ERR_OK);
	assert_string_equal(fnow, fnew);
	assert_int_equal(store_commit(c), ERR_OK);
	keyring_replace_done(k, u, 1);
	store_release(c);
	assert_int_equal(keyring_reload(k, "alpha", &changed), ERR_OK);
	assert_int_equal(changed, 0); /* committed: the stored key is the one in use */
	assert_int_equal(vault_unseal(a, "f", sealed, slen, &plain), ERR_CRYPTO);
	/* It still has the old key until it reads the key again: then the new one, in place. */
	changed = -1;
	assert_int_equal(vault_unseal(a2, "f", sealed, slen, &plain), ERR_OK);
	vault_wipe_free(plain);
	plain = NULL;
	assert_int_equal(keyring_reload(k2, "alpha", &changed), ERR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(vault_unseal(a2, "f", sealed, slen, &plain), ERR_CRYPTO);
	char f1[VAULT_FINGERPRINT_LEN], f2[VAULT_FINGERPRINT_LEN];
	assert_int_equal(keyring_fingerprint(k, "alpha", f1), ERR_OK);
	assert_int_equal(keyring_fingerprint(k2, "alpha", f2), ERR_OK);
	assert_string_equal(f1, f2);
	assert_int_equal(keyring_reload(k2, "alpha", &changed), ERR_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(keyring_reload(k2, "gamma", &changed), ERR_NOTFOUND);
	keyring_free(k2);
	assert_int_equal(keyring_escrow_write(k, bkey, esc), ERR_OK);
	assert_int_equal(keyring_escrow_read(esc, bkey, &es), ERR_OK);
	assert_false(keyring_escrow_has(es, "alpha", fa));
	assert_true(keyring_escrow_has(es, "beta", fb));
	keyring_escrow_free(es);
	keyring_free(k);
	store_close(s);
	/* Opened again, the directory has alpha's new key. */
	fingerprint_in(db, mk, "alpha", fp);
	assert_string_not_equal(fp, fa);
	free(sealed);
	free(db);
	free(mk);
	free(esc);
	free(db2);
	free(mk2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_box),
	    cmocka_unit_test(test_escrow),
	};
	if (vault_global_init() != ERR_OK)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
