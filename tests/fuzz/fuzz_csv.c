/* SPDX-License-Identifier: MIT */
/* fuzz_csv.c — libFuzzer harness for the roster CSV reader (doc_csv_parse): any bytes in,
 * never a crash, a leak or undefined behaviour; a parsed document is internally consistent.
 * Fuzz: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc
 *       tests/fuzz/fuzz_csv.c src/doc/csv.c src/base/[a-z]*.c -o fuzz_csv
 *       && ./fuzz_csv tests/fuzz/corpus/csv
 * The corpus is replayed by tests/fuzz/replay.c in `make test`. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "doc/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc_csv *csv = NULL;
	char err[256];
	if (doc_csv_parse((const char *)data, size, &csv, err, sizeof err) == ERR_OK) {
		size_t last_line = 0;
		for (size_t i = 0; i < csv->nrows; i++) {
			const struct doc_csv_row *r = &csv->rows[i];
			assert(r->line > last_line); /* rows start on increasing lines */
			last_line = r->line;
			for (size_t j = 0; j < r->nfields; j++)
				assert(r->fields[j] != NULL && strlen(r->fields[j]) <= size * 3 + 3);
		}
		doc_csv_free(csv);
	} else {
		assert(strlen(err) < sizeof err); /* a message, NUL-terminated */
	}
	return 0;
}
