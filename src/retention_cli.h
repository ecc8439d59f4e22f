/* SPDX-License-Identifier: MIT */
/* retention_cli.h — `mimamori retention run` and `mimamori audit report` (issue 19). */
#ifndef MIMAMORI_RETENTION_CLI_H
#define MIMAMORI_RETENTION_CLI_H

/* `mimamori retention run --data DIR [--dry-run]`: deletes what is past its retention period
 * (or, dry, counts it) and prints the counts per kind. Returns the exit status. */
int cmd_retention(int argc, char **argv);
/* `mimamori audit report --data DIR --month YYYY-MM [--json]` (argv starting at "audit"):
 * reads, exports and denials per staff user, flagged. Returns the exit status. */
int cmd_audit_report(int argc, char **argv);

#endif
