/* SPDX-License-Identifier: MIT */
/* cli_ledger.c — `mimamori ledger list`: the handover ledger as tab-separated lines (`ledger
 * open`, a sealed handover read back, is cli_open.c). */
#include "ledger/ledger.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "cli.h"

int cmd_ledger(int argc, char **argv)
{
	const char *dir = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	if (argc >= 2 && strcmp(argv[1], "open") == 0)
		return ledger_cmd_open(argc, argv);
	if (!cli_verb(&argc, &argv, "list"))
		return cli_fail("使い方: mimamori ledger list --data DIR");
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch != 'd')
			return cli_fail("使い方: mimamori ledger list --data DIR");
		dir = optarg;
	}
	if (!dir || optind != argc)
		return cli_fail("使い方: mimamori ledger list --data DIR");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct ledger_entry *v = NULL;
	size_t n = 0;
	enum err e = ledger_list(a, &v, &n);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: ledger list: %s\n", err_message_ja(e));
		return 1;
	}
	printf("番号\t日時\t出力者\t内容\t件数\t変換できない行\tバイト\tBLAKE2b-256\tサービス\n");
	for (size_t i = 0; i < n; i++) {
		char at[32], actor[180];
		clock_jst_iso(v[i].at_ms, at, sizeof at);
		if (v[i].login[0])
			snprintf(actor, sizeof actor, "%s (%s)", v[i].actor, v[i].login);
		else
			snprintf(actor, sizeof actor, "%s", v[i].actor);
		printf("%lld\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%s\t%s\n", (long long)v[i].id, at,
		       actor, v[i].content, (long long)v[i].records, (long long)v[i].lossy,
		       (long long)v[i].bytes, v[i].digest, v[i].service);
	}
	printf("出力 %zu 件\n", n);
	free(v);
	return 0;
}
