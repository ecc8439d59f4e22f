/* SPDX-License-Identifier: MIT */
/* cli_open.c — `mimamori ledger open --in FILE [--out FILE]`: reads back a handover sealed with
 * a passphrase (a casework handover, vault/passbox.h) on the receiving side; the passphrase is
 * read from standard input, never from the command line. Prints its ledger digest so that the
 * receiver can check the file against the sender's ledger row. */
#include "ledger/ledger.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "cli.h"
#include "vault/passbox.h"
#include "vault/vault.h"

#define USAGE "使い方: mimamori ledger open --in FILE [--out FILE]  (パスフレーズは標準入力から1行)"
#define BOX_MAX (64 * 1024 * 1024)

int ledger_cmd_open(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	static const struct option opts[] = {
	    {"in", required_argument, 0, 'i'}, {"out", required_argument, 0, 'o'}, {0, 0, 0, 0}};
	char line[300], *box = NULL;
	unsigned char *plain = NULL, digest[VAULT_HASH_LEN];
	char hex[VAULT_HASH_LEN * 2 + 1];
	size_t len = 0, n = 0;
	int ch, rc = 1;
	if (!cli_verb(&argc, &argv, "open"))
		return cli_fail("%s", USAGE);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'i')
			in = optarg;
		else if (ch == 'o')
			out = optarg;
		else
			return cli_fail("%s", USAGE);
	}
	if (!in || optind != argc)
		return cli_fail("%s", USAGE);
	if (file_read_input(in, BOX_MAX, &box, &len) != ERR_OK)
		return 1; /* said why */
	if (!fgets(line, sizeof line, stdin)) {
		fprintf(stderr, "mimamori: パスフレーズを標準入力から1行で与えてください。\n");
		goto out;
	}
	line[strcspn(line, "\r\n")] = '\0';
	enum err e = vault_passbox_open(line, box, len, &plain, &n);
	vault_wipe(line, sizeof line);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n",
			e == ERR_INVALID
			    ? "パスフレーズで封かんされた引き継ぎファイルではありません。"
			    : "パスフレーズが違うか、ファイルが改変されています。");
		goto out;
	}
	vault_hash(box, len, digest);
	vault_hex(digest, sizeof digest, hex);
	if (out) {
		e = file_write_export(out, plain, n);
		if (e != ERR_OK)
			goto out; /* said why */
		fprintf(stderr, "%s を開きました（BLAKE2b-256 %s）。\n", in, hex);
	} else {
		fwrite(plain, 1, n, stdout);
	}
	rc = 0;
out:
	if (plain) {
		vault_wipe(plain, n);
		free(plain);
	}
	free(box);
	return rc;
}
