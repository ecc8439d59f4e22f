/* SPDX-License-Identifier: MIT */
/* file_guard.c — the files a ward keeps in its data directory (database, keys, settings) are
 * never the target of an export: `report … --out DIR/mimamori.db` replaced a ward's database
 * with a CSV. The directory is registered when the ward is opened. */
#include "base/file.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"

static pthread_mutex_t guard_mu = PTHREAD_MUTEX_INITIALIZER;
static char *guarded; /* the data directory's real path, or NULL */

void file_guard_dir(const char *dir)
{
	char *real = dir ? realpath(dir, NULL) : NULL;
	pthread_mutex_lock(&guard_mu);
	free(guarded);
	guarded = real;
	pthread_mutex_unlock(&guard_mu);
}

/* 1 when name is one of the files a ward keeps in its data directory. */
static int ward_file(const char *name)
{
	static const char *const own[] = {"mimamori.db", "mimamori.db-wal", "mimamori.db-shm",
					  "mimamori.conf", "master.key",      "backup-keys.mmk",
					  NULL};
	for (size_t i = 0; own[i]; i++)
		if (strcmp(name, own[i]) == 0)
			return 1;
	return strncmp(name, "mimamori.db", 11) == 0;
}

/* 1 when path names one of the guarded directory's own files. */
static int guarded_target(const char *path)
{
	char *d = xstrdup(path), *b = xstrdup(path);
	char *parent = realpath(dirname(d), NULL);
	int hit = 0;
	pthread_mutex_lock(&guard_mu);
	hit = guarded && parent && strcmp(parent, guarded) == 0 && ward_file(basename(b));
	pthread_mutex_unlock(&guard_mu);
	free(parent);
	free(d);
	free(b);
	return hit;
}

int file_export_refused(const char *path)
{
	if (!guarded_target(path))
		return 0;
	fprintf(stderr,
		"mimamori: %s はデータディレクトリのファイル（データベース・鍵・設定）なので、"
		"書き出し先にできません。別の場所を指定してください\n",
		path);
	return 1;
}

int file_export_check(const char *path)
{
	if (file_export_refused(path))
		return -1;
	char *d = xstrdup(path);
	const char *parent = dirname(d);
	int ok = access(parent, W_OK | X_OK) == 0;
	if (!ok)
		fprintf(stderr,
			"mimamori: %s には書けません（フォルダ %s がないか、書き込めません）\n", path,
			parent);
	free(d);
	return ok ? 0 : -1;
}

enum err file_write_export(const char *path, const void *data, size_t len)
{
	if (file_export_refused(path))
		return ERR_FORBIDDEN;
	enum err e = file_write_atomic(path, data, len);
	if (e != ERR_OK) {
		int why = errno;
		fprintf(stderr, "mimamori: %s に書き込めません（%s）\n", path,
			why == ENOENT	? "フォルダがありません"
			: why == EACCES || why == EPERM ? "書き込む権限がありません"
			: why == ENOSPC || why == EDQUOT ? "ディスクがいっぱいです"
			: why == EISDIR ? "フォルダの名前です"
			: why == EROFS	? "読み取り専用の場所です"
					: "書き出しに失敗しました");
	}
	return e;
}
