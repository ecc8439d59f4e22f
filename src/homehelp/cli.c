/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori homehelp …`: scope an account to this benefit (the rest is done on its
 * page, /homehelp/office.html). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "grant/cli_staff.h"
#include "homehelp/homehelp.h"

int homehelp_cmd(int argc, char **argv);

int homehelp_cmd(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "staff") == 0)
		return grant_cmd_staff(argc - 1, argv + 1, HOMEHELP_SERVICE, "家事・育児支援事業");
	return cli_fail("使い方: mimamori homehelp staff --data DIR --login L");
}
