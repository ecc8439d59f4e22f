/* SPDX-License-Identifier: MIT */
/* replay.c — runs every file of a fuzz corpus through its harness (under ASan/UBSan in
 * `make test`), so inputs that once crashed keep being tried. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The corpus this replay runs (a harness's own replay file defines it and includes this one). */
#ifndef REPLAY_CORPUS
#define REPLAY_CORPUS "tests/fuzz/corpus/csv"
#endif

static size_t replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *de;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		static uint8_t buf[1 << 20];
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(path);
		n++;
	}
	closedir(d);
	return n;
}

static void test_replay_csv_corpus(void **state)
{
	(void)state;
	assert_true(replay_dir(REPLAY_CORPUS) >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_replay_csv_corpus)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
