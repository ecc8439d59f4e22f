/* SPDX-License-Identifier: MIT */
/* fuzz_custbarcode.c — libFuzzer harness for the customer barcode (doc_custbarcode_encode):
 * any bytes in (the first 7 as the postcode, the rest as the address), never a crash or
 * undefined behaviour; a barcode made is well formed (a tidy number, 67 bars, a check digit
 * that makes the sum a multiple of 19).
 * Fuzz: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       $(pkg-config --cflags glib-2.0 cairo) tests/fuzz/fuzz_custbarcode.c src/doc/custbarcode.c \
 *       $(pkg-config --libs glib-2.0 cairo) -o fuzz_custbarcode
 *       && ./fuzz_custbarcode tests/fuzz/corpus/custbarcode
 * The corpus is replayed by tests/fuzz/replay_custbarcode.c in `make test`. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/custbarcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_letter(char c)
{
	return c >= 'A' && c <= 'Z';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pc[8] = {0};
	size_t npc = size < 7 ? size : 7;
	memcpy(pc, data, npc);
	char *addr = malloc(size - npc + 1);
	assert(addr);
	memcpy(addr, data + npc, size - npc);
	addr[size - npc] = '\0';
	struct doc_custbarcode bc;
	if (doc_custbarcode_encode(pc, addr, &bc) == ERR_OK) {
		const char *n = bc.number;
		size_t len = strlen(n);
		assert(len < DOC_CB_EXTRACT_MAX);
		for (size_t i = 0; i < len; i++) {
			assert((n[i] >= '0' && n[i] <= '9') || n[i] == '-' || is_letter(n[i]));
			if (n[i] == '-') { /* no hyphen at an end, twice, or next to a letter */
				assert(i > 0 && i + 1 < len && n[i + 1] != '-');
				assert(!is_letter(n[i - 1]) && !is_letter(n[i + 1]));
			}
		}
		char bars[DOC_CB_BARS + 1], text[128];
		assert(doc_custbarcode_bars(&bc, bars, sizeof bars) == ERR_OK);
		assert(strlen(bars) == DOC_CB_BARS && strspn(bars, "LUDT") == DOC_CB_BARS);
		assert(doc_custbarcode_text(&bc, text, sizeof text) == ERR_OK);
		unsigned sum = 0;
		for (int i = 1; i <= DOC_CB_DATA + 1; i++) {
			assert(bc.chars[i] <= DOC_CB_CC8);
			sum += bc.chars[i];
		}
		assert(sum % 19 == 0);
	}
	free(addr);
	return 0;
}
