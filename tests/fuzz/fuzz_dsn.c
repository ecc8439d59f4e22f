/* SPDX-License-Identifier: MIT */
/* fuzz_dsn.c — libFuzzer harness for the bounce reader (mail_dsn_parse, mail_dsn_verdict, and
 * mail_verp_parse on what it found): any bytes in, never a crash, a leak or undefined behaviour;
 * whatever is parsed stays within its bounds.
 * Fuzz: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *         $(pkg-config --cflags gmime-3.0) tests/fuzz/fuzz_dsn.c src/mail/dsn.c \
 *         src/vault/vault.c src/store/sqlite.c build/migrations_gen.c src/base/[a-z]*.c \
 *         $(pkg-config --libs gmime-3.0 libsodium sqlite3) -o fuzz_dsn
 *       && ./fuzz_dsn tests/unit/dsn
 * The fixtures in tests/unit/dsn/ are its seed corpus; tests/unit/test_dsn.c replays them cut
 * and mutated under ASan+UBSan in `make test`. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mail_dsn d;
	size_t which = 0;
	if (mail_dsn_parse((const char *)data, size, &d) != ERR_OK)
		return 0;
	assert(d.nrcpt <= MAIL_DSN_RCPT_MAX && d.naddrs <= MAIL_DSN_ADDRS_MAX);
	assert(strlen(d.message_id) < MAIL_DSN_FIELD_MAX);
	for (size_t i = 0; i < d.nrcpt; i++) {
		assert(strlen(d.rcpt[i].status) < sizeof d.rcpt[i].status);
		assert(strlen(d.rcpt[i].diagnostic) < MAIL_DSN_FIELD_MAX);
	}
	enum mail_bounce_kind k =
	    mail_dsn_verdict(&d, d.naddrs ? d.addrs[0] : "a@example.jp", &which);
	assert(k == MAIL_BOUNCE_NONE || which < d.nrcpt);
	mail_dsn_clear(&d);
	return 0;
}
