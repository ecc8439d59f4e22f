/* SPDX-License-Identifier: MIT */
/* service.h — STAND-IN of the school branch for the platform's `struct service` of issue 13
 * (branch shape, src/app/service.h): only what schoolmail's service.c needs to build and be
 * tested before the merge. The lead replaces this file (and the includes of it) with shape's. */
#ifndef MIMAMORI_SERVICE_H
#define MIMAMORI_SERVICE_H
#include <stdio.h>

#include "base/err.h"

struct app;
struct http_route;
struct mail_in_msg;

/* A subcommand of a service: `mimamori NAME …`. */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argc/argv start at the command's own name */
	const char *help;		   /* one line (Japanese) */
};

/* Where a service's part of `mimamori demo` writes what a person needs to try it. */
struct demo_out {
	const char *dir; /* the data directory */
	FILE *cred;	 /* demo-credentials.txt (mode 0600), appended to */
	FILE *summary;	 /* what `mimamori demo` prints (stdout) */
};

struct service {
	const char *name;		    /* "schoolmail": also its data key's name */
	const char *label_ja;		    /* 一斉メール配信 */
	const struct http_route *routes;    /* ending with {0} */
	const struct cli_command *commands; /* ending with {0} */
	int (*demo)(struct app *, struct demo_out *); /* 0 on success, or NULL */
	enum err (*mail_in)(struct app *, const struct mail_in_msg *, int *taken); /* or NULL */
	void (*start)(struct app *); /* before serving (background work, settings), or NULL */
	void (*stop)(struct app *);
};

#endif
