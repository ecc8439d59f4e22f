/* SPDX-License-Identifier: MIT */
/* ledger.h — the handover ledger (受け渡し台帳), the platform's: every file any service hands
 * over (a download, a CLI export) is recorded — when, who, whose, what, how many records, its
 * size and digest — with its audit entry, before the file leaves. Append-only (the database
 * refuses edits and deletions); no personal data in it. */
#ifndef MIMAMORI_LEDGER_LEDGER_H
#define MIMAMORI_LEDGER_LEDGER_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct app;
struct http_req;
struct http_resp;

/* One handover to record; strings and data are borrowed. */
struct ledger_item {
	const char *service; /* whose export ("attendance") */
	const char *actor;   /* "cli" or "user:7" */
	const char *content; /* what it is, no personal data: "daily G01 2026-11-23 pdf" */
	const char *object;  /* audit object: "site:G01", "ward" */
	size_t records;	     /* people's rows in the file */
	size_t lossy;	     /* CP932 exports: rows in which a character was replaced */
	const void *data;    /* the file's bytes (for its size and BLAKE2b-256 digest) */
	size_t len;
};

/* Records item: one ledger row and one audit entry (action "report.export", object
 * item->object, detail content and counts) in one transaction. *ledger_id (may be NULL) is the
 * new row's id. */
enum err ledger_record(struct app *a, const struct ledger_item *item, int64_t *ledger_id);

struct buf;
/* Records it (its data being file's bytes) and makes file the answer of rs as a download
 * (content_type static, filename ASCII; the ledger row's id in X-Mimamori-Ledger-Id); the
 * answer owns the bytes then and file is left empty. When the ledger cannot record it, nothing
 * leaves: answers the error. */
enum err ledger_hand_over(struct http_req *rq, struct http_resp *rs, struct ledger_item *it,
			  struct buf *file, const char *content_type, const char *filename);

/* One ledger row. */
struct ledger_entry {
	int64_t id;
	int64_t at_ms;
	char service[32];
	char actor[96];
	char login[64]; /* the user's login when actor is "user:ID" and the user exists, else "" */
	char content[128];
	int64_t records;
	int64_t lossy;
	int64_t bytes;
	char digest[65];
};

/* Loads the whole ledger, oldest first, into *entries (malloc'd array of *n; caller frees
 * with free()). */
enum err ledger_list(struct app *a, struct ledger_entry **entries, size_t *n);

/* GET /api/v1/ledger (ward admin): every export of every service, oldest first. */
enum err api_ledger_list(struct http_req *rq, struct http_resp *rs);
/* `mimamori ledger list --data DIR`: the ledger as tab-separated lines (header first, a count
 * last). Returns the exit status. */
int cmd_ledger(int argc, char **argv);
/* `mimamori ledger open --in FILE [--out FILE]` (cli_open.c): a handover sealed with a
 * passphrase (read from standard input) read back. Returns the exit status. */
int ledger_cmd_open(int argc, char **argv);

#endif
