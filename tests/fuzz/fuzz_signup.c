/* SPDX-License-Identifier: MIT */
/* fuzz_signup.c — libFuzzer harness for what the schools' empty-mail sign-up reads of outside
 * input: the message's From, Subject and automatic marks (mail_in_msg_read, GMime) and the
 * security code read out of the subject and of the recipient's '+' tag (schoolmail_code_read).
 * Any bytes in: never a crash, a leak or undefined behaviour; a code read is 8 characters of
 * the code alphabet.
 * Fuzz: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       $(pkg-config --cflags --libs gmime-3.0) tests/fuzz/fuzz_signup.c \
 *       src/mail/dsn.c src/schoolmail/school.c … && ./fuzz_signup tests/fuzz/corpus/signup
 * The corpus is replayed by tests/fuzz/replay_signup.c in `make test`. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "schoolmail/schoolmail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_in_msg *m = calloc(1, sizeof *m);
	char code[SCHOOLMAIL_CODE_LEN + 1];
	assert(m);
	if (mail_in_msg_read((const char *)data, size, NULL, m) == ERR_OK) {
		assert(m->naddrs <= MAIL_DSN_ADDRS_MAX);
		for (size_t i = 0; i < m->naddrs; i++)
			assert(strchr(m->addrs[i], '@') != NULL);
		assert(strlen(m->from) < sizeof m->from);
		assert(strlen(m->subject) < sizeof m->subject);
		if (schoolmail_code_read(m->subject, code))
			assert(strlen(code) == SCHOOLMAIL_CODE_LEN &&
			       strspn(code, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") == SCHOOLMAIL_CODE_LEN);
		mail_in_msg_clear(m);
	}
	/* The bytes as a subject or a tag themselves (NUL-terminated copy). */
	char *text = malloc(size + 1);
	assert(text);
	memcpy(text, data, size);
	text[size] = '\0';
	if (schoolmail_code_read(text, code))
		assert(strlen(code) == SCHOOLMAIL_CODE_LEN);
	free(text);
	free(m);
	return 0;
}
