/* SPDX-License-Identifier: MIT */
/* audit_conf.h — the settings of the monthly audit report ([audit] in mimamori.conf). */
#ifndef MIMAMORI_APP_AUDIT_CONF_H
#define MIMAMORI_APP_AUDIT_CONF_H

#include "auth/audit_report.h"

struct app;

/* Fills *out from a's mimamori.conf [audit]: hours = 08:00-19:00 (working hours, Japan time),
 * weekends_off = 1, volume_factor = 3, volume_min = 100, history_months = 6; a bad value is
 * logged and its default kept. */
void audit_conf_read(struct app *a, struct audit_report_conf *out);

#endif
