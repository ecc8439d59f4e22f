/* SPDX-License-Identifier: MIT */
/* usage.c — a household's use under its cap as it stands on a day: the row of the day, the
 * hours of the visits in the stage (done, dispatched or asked for: booked hours count, so a
 * cap is never promised twice), the free hours used, what is left; a visit's fee; the service's
 * settings ([homehelp] fee_yen_hour, contact). */
#include "homehelp/homehelp.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/log.h"
#include "base/text.h"
#include "store/store.h"

enum err homehelp_usage(struct store_conn *c, const struct hh_household *h, const char *date,
			int64_t except, struct hh_usage *out)
{
	struct hh_child kids[HOMEHELP_CHILDREN_MAX];
	size_t n = homehelp_form_kids(&h->form, date, kids);
	memset(out, 0, sizeof *out);
	out->eligible = homehelp_cap(kids, n, h->form.pregnant_multiple, h->starts_on, date,
				     &out->cap);
	if (!out->eligible)
		return ERR_OK;
	struct store_stmt *st = store_prepare(
	    c, "SELECT coalesce(sum(CASE WHEN state = 'done' THEN minutes ELSE (CASE WHEN end_min > "
	       "start_min THEN end_min - start_min ELSE end_min + 1440 - start_min END) END), 0), "
	       "coalesce(sum(free_min), 0) FROM hh_visits WHERE household_id = ?1 AND state <> "
	       "'cancelled' AND on_date >= ?2 AND on_date <= ?3 AND id <> ?4");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, h->id);
	store_bind_text(st, 2, out->cap.stage_from);
	store_bind_text(st, 3, out->cap.stage_to);
	store_bind_int(st, 4, except);
	enum err e = ERR_DB;
	if (store_step(st) == STORE_ROW) {
		out->used_min = (int)store_col_int(st, 0);
		out->free_used_min = (int)store_col_int(st, 1);
		e = ERR_OK;
	}
	store_finish(st);
	out->remaining_min = out->cap.hours * 60 - out->used_min;
	if (out->remaining_min < 0)
		out->remaining_min = 0;
	return e;
}

int64_t homehelp_fee(int minutes, int free_min, int fee_yen_hour)
{
	int paid = minutes - free_min;
	return paid > 0 ? (int64_t)paid * fee_yen_hour / 60 : 0;
}

json_t *homehelp_usage_json(const struct hh_usage *u)
{
	if (!u->eligible)
		return json_pack("{s:b}", "eligible", 0);
	return json_pack("{s:b, s:s, s:i, s:i, s:s, s:s, s:i, s:i, s:i}", "eligible", 1, "row",
			 u->cap.row->label, "cap_hours", u->cap.hours, "free_hours",
			 u->cap.free_hours, "stage_from", u->cap.stage_from, "stage_to",
			 u->cap.stage_to, "used_min", u->used_min, "free_used_min",
			 u->free_used_min, "remaining_min", u->remaining_min);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct homehelp_settings *s = user;
	if (strcmp(section, "homehelp") != 0)
		return 1;
	if (strcmp(name, "fee_yen_hour") == 0) {
		char *end = NULL;
		long v = strtol(value, &end, 10);
		if (!end || *end || v < 0 || v > 100000)
			log_warn("homehelp: fee_yen_hour must be 0-100000; using %d", s->fee_yen_hour);
		else
			s->fee_yen_hour = (int)v;
	} else if (strcmp(name, "contact") == 0) {
		if (strlen(value) >= sizeof s->contact ||
		    text_line_check(value, sizeof s->contact) != TEXT_OK)
			log_warn("homehelp: contact must be one line; using the default");
		else
			snprintf(s->contact, sizeof s->contact, "%s", value);
	}
	return 1;
}

void homehelp_settings_read(struct app *a, struct homehelp_settings *out)
{
	char path[4096];
	out->fee_yen_hour = 1000;
	snprintf(out->contact, sizeof out->contact, "%s", "家事・育児支援事業 受付窓口");
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, out) < 0)
		log_warn("homehelp: cannot read the settings; using the defaults");
}
