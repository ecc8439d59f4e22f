/* SPDX-License-Identifier: MIT */
/* mail_in.h — `mimamori mail-in` (one inbound message on standard input, as Postfix's pipe
 * transport hands it over), shared by the main program and the lean `mimamori-mail-in`. */
#ifndef MIMAMORI_MAIL_IN_H
#define MIMAMORI_MAIL_IN_H
#include "app/service.h"

/* Runs mail-in with argc/argv starting at the command's own name: the platform's bounces and
 * unsubscribes, then any other mail offered to the mail_in hook of each of list (ending with
 * NULL) in turn until one takes it. Returns 0 when the message was taken (recorded or dropped)
 * and EX_TEMPFAIL (75) when it could not be stored now, so that Postfix keeps it and tries
 * again. */
int mail_in_run(int argc, char **argv, const struct service *const *list);

/* The services with a mail-in hook, in the order of src/services.c, each holding only its name
 * and its hook: generated at build time from src/services.c and each service's service.c by
 * scripts/gen_mail_in_services.py (mail_in_services_gen.c), so that the lean program links the
 * hooks without the services' routes, pages and commands. */
extern const struct service *const mail_in_services[];

/* Returns 1 when hooks (the generated list) holds exactly the services of list that have a
 * mail_in hook, by name and hook, in the same order; else 0 (logged). */
int mail_in_services_agree(const struct service *const *list,
			   const struct service *const *hooks);

#endif
