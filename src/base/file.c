/* SPDX-License-Identifier: MIT */
/* file.c — reading a whole file (capped), and writing one through a temporary name (mkstemp:
 * mode 0600), synced, then renamed over the target. */
#include "base/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"

enum err file_write_atomic(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	enum err e = ERR_IO;
	int fd = -1;
	if (!tmp)
		return ERR_IO;
	snprintf(tmp, n, "%s.partXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w <= 0)
			goto out;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	e = ERR_OK;
out:;
	int saved = errno; /* the failure's, for the caller's message */
	if (fd >= 0)
		close(fd);
	if (e != ERR_OK)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return e;
}

enum err file_read_all(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0;
	enum err e = ERR_OK;
	*out = NULL;
	*len = 0;
	if (!f)
		return ERR_IO;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if (cap > max + (size_t)(1 << 20) + 65536) {
				e = ERR_TOOLARGE;
				break;
			}
			data = xrealloc(data, cap + 1);
		}
		size_t r = fread(data + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (e == ERR_OK && ferror(f))
		e = ERR_IO;
	if (e == ERR_OK && n > max)
		e = ERR_TOOLARGE;
	int saved = errno; /* the read's, for file_read_input */
	fclose(f);
	errno = saved;
	if (e != ERR_OK) {
		if (data)
			explicit_bzero(data, n); /* what was read may be personal */
		free(data);
		return e;
	}
	if (!data)
		data = xmalloc(1);
	data[n] = '\0';
	*out = data;
	*len = n;
	return ERR_OK;
}

enum err file_read_input(const char *path, size_t max, char **out, size_t *len)
{
	errno = 0;
	enum err e = file_read_all(path, max, out, len);
	if (e == ERR_TOOLARGE) {
		fprintf(stderr, "mimamori: %s は大きすぎます（%zu MB まで）\n", path,
			max >> 20 ? max >> 20 : 1);
	} else if (e != ERR_OK) {
		int why = errno;
		fprintf(stderr, "mimamori: %s を読めません（%s）\n", path,
			why == ENOENT || why == ENOTDIR ? "そのファイルはありません"
			: why == EISDIR			? "フォルダの名前です"
			: why == EACCES || why == EPERM	? "読む権限がありません"
							: "読み込みに失敗しました");
	}
	return e;
}
