/* SPDX-License-Identifier: MIT */
/* store_env.c — a fresh SQLite store and vault in a temporary directory for unit tests. */
#include "store_env.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void store_env_open(struct env_base *e, const char *tag)
{
	snprintf(e->dir, sizeof e->dir, "/tmp/mimamori-%.16s-XXXXXX", tag);
	assert_non_null(mkdtemp(e->dir));
	char *db = xasprintf("%s/db.sqlite", e->dir);
	char *key = xasprintf("%s/master.key", e->dir);
	assert_int_equal(store_open(db, 1, 2, &e->s), ERR_OK);
	assert_int_equal(keyring_create(key, e->s), ERR_OK);
	assert_int_equal(keyring_open(key, e->s, &e->k), ERR_OK);
	e->v = keyring_platform(e->k);
	free(db);
	free(key);
}

void store_env_close(struct env_base *e)
{
	keyring_free(e->k);
	store_close(e->s);
	nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
