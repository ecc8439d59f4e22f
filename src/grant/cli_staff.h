/* SPDX-License-Identifier: MIT */
/* cli_staff.h — the `staff` verb every benefit's command has. */
#ifndef MIMAMORI_GRANT_CLI_STAFF_H
#define MIMAMORI_GRANT_CLI_STAFF_H

/* Runs `mimamori <service> staff --data DIR --login L` (argv starting at "staff"): the account
 * of a grant role works on service from now on (label_ja names it in the answer). Returns the
 * exit status. */
int grant_cmd_staff(int argc, char **argv, const char *service, const char *label_ja);

#endif
