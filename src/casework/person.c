/* SPDX-License-Identifier: MIT */
/* person.c — a case's person and other one-line fields, checked as the services' forms send
 * them: each field one line of at most its characters (optional ones may be left empty), the
 * person's birth date a real date up to today. */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "base/wareki.h"
#include "casework/casework.h"

json_t *casework_fields_take(const json_t *j, const struct casework_field *f, size_t n, char *why,
			     size_t why_n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_object_get(j, f[i].key));
		if (f[i].optional && (!s || !*s)) {
			json_object_set_new(o, f[i].key, json_string(""));
			continue;
		}
		if (text_line_why(s, f[i].max, f[i].label, why, why_n) != 0) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, f[i].key, json_string(s));
	}
	return o;
}

char *casework_person_parse(const json_t *j, const struct casework_field *f, size_t n,
			    const char *today, char *why, size_t why_n)
{
	int y, m, d;
	json_t *o = casework_fields_take(j, f, n, why, why_n);
	if (!o)
		return NULL;
	const char *birth = json_string_value(json_object_get(j, "birth"));
	if (!birth || wareki_parse_iso(birth, &y, &m, &d) != ERR_OK || strcmp(birth, today) > 0) {
		snprintf(why, why_n, "生年月日を年-月-日（今日まで）で入力してください。");
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "birth", json_string(birth));
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return txt;
}
