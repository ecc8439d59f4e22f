/* SPDX-License-Identifier: MIT */
/* services.h — the services this program runs, composed in src/services.c (the one file that
 * names them). */
#ifndef MIMAMORI_SERVICES_H
#define MIMAMORI_SERVICES_H
#include "app/service.h"

/* Every service, ending with NULL: their routes, commands, demo generators, mail-in hooks,
 * background work and bulk mail, in this order. */
extern const struct service *const services[];

#endif
