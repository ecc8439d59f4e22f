/* SPDX-License-Identifier: MIT */
/* service.h — what a service is to the platform: a struct it exports from its own folder
 * (src/<service>/service.c) with its name (also its key's name), its route and command tables,
 * its part of the demo, its hook for inbound mail, its background work, its metrics and the
 * kinds of bulk mail it sends. src/services.c composes them; the platform iterates them and
 * never names one. */
#ifndef MIMAMORI_APP_SERVICE_H
#define MIMAMORI_APP_SERVICE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"

struct app;
struct http_route;
struct bulk_kind;
struct mail_in_msg;
struct retention_kind;

/* A subcommand: `mimamori <name> …`. run gets argc/argv starting at its own name and returns
 * the exit status; help is one line of usage and what it does (Japanese). A name of two words
 * ("import residents") takes that verb of a command another service may also have: `mimamori
 * import residents …` runs it (argv still starting at "import"), any other `import …` the entry
 * named "import". */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

/* What a service's demo generator writes into (`mimamori demo`). The platform has made the
 * data directory and its own accounts before; each service adds its fictional data. */
struct demo_out {
	const char *dir;    /* the data directory */
	FILE *cred;	    /* demo-credentials.txt (mode 0600): every login, password, token */
	struct buf summary; /* lines printed at the end, after the platform's */
	int argc;	    /* the demo command's arguments (for demo_option) */
	char **argv;
};

/* Returns the value of the demo's option --name VALUE or --name=VALUE, or NULL when not given.
 * The string lives as long as the demo's argv. */
const char *demo_option(const struct demo_out *d, const char *name);
/* Adds a staff account login of role (no sites) for a demo, with a random password the rules
 * accept in *pw (malloc'd; the caller wipes it with vault_wipe_free) and its id in *id. Says
 * why on stderr when it cannot. */
enum err demo_account_add(struct app *a, const char *login, const char *role, char **pw,
			  int64_t *id);
/* Adds a benefit's four demo accounts, <prefix>-op, -sv, -ward and -approver (the grant roles),
 * scoped to service, their passwords written to the credentials file under label; their ids in
 * who (operator, supervisor, staff, approver). */
enum err demo_grant_staff(struct app *a, struct demo_out *out, const char *prefix,
			  const char *service, const char *label, int64_t who[4]);

struct service {
	const char *name;		    /* "attendance": also the name of its data key */
	const char *label_ja;		    /* 入退室管理 */
	const struct http_route *routes;    /* its API routes, ending with {0}; or NULL */
	const struct cli_command *commands; /* its subcommands, ending with {0}; or NULL */
	/* Its part of `mimamori demo` (returns 0, or the exit status on failure), or NULL. */
	int (*demo)(struct app *a, struct demo_out *out);
	const char *demo_options; /* the options its demo reads ("children,codes-out"), or NULL */
	/* Offered each inbound mail that is no bounce and no unsubscribe (mimamori mail-in), in
	 * the order of services[]: sets *taken when the mail was its own (recorded or dropped).
	 * An error means "not now": the MTA keeps the mail and tries again. Or NULL. */
	enum err (*mail_in)(struct app *a, const struct mail_in_msg *m, int *taken);
	/* Background work while serving (threads), started after the HTTP server, stopped before
	 * the app closes; or NULL. */
	enum err (*start)(struct app *a);
	void (*stop)(struct app *a);
	/* Wipes whatever personal data of it the running server keeps in memory (caches of names
	 * and renderings), called when its data was just erased (src/app/erase.c); or NULL. */
	void (*forget)(struct app *a);
	/* Appends its Prometheus lines to b for /metrics, or NULL. */
	void (*metrics)(struct app *a, struct buf *b);
	/* The kinds of bulk mail it sends (src/bulk/), ending with NULL; or NULL. The platform's
	 * scheduler sends their scheduled sends. */
	const struct bulk_kind *const *bulk;
	/* The display name its mail goes out under when it is a fixed one (「ファイル授受」), or
	 * NULL. */
	const char *mail_from;
	/* The display name read from its own setting (e.g. [schoolmail] from_name
	 * 「桜台区教育委員会」; a static or app-lived string), or NULL; it wins over mail_from.
	 * With neither, its mail goes out under [mail] from_name. */
	const char *(*mail_from_name)(struct app *a);
	/* 1 for a benefit on the platform's path (src/grant/): its staff are accounts of the
	 * grant roles scoped to it (grant_staff), chosen on the ward's account screen. */
	int benefit;
	/* Its kinds of record with a retention period (app/retention.h), ending with {0}; or
	 * NULL. The retention job deletes their expired rows. */
	const struct retention_kind *retention;
};

/* Makes list (ending with NULL; it must outlive the process's use of it) the process's
 * services: app_open opens each one's key, and the platform iterates them. Called once by main
 * before anything opens a data directory. */
void app_register_services(const struct service *const *list);
/* Returns the registered services (ending with NULL; an empty list when none were). */
const struct service *const *app_services(void);
/* Returns the registered service named name, or NULL. */
const struct service *app_service(const char *name);

#endif
