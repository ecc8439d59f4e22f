/* SPDX-License-Identifier: MIT */
/* view.c — a person as the pages see them: the counter's view (what issuing needs) and head
 * office's (the whole record); and dates (ISO or 和暦) and fiscal years read from a request. */
#include "bathpass/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/wareki.h"
#include "store/store.h"

int bath_json_date(json_t *body, const char *key, char out[11])
{
	json_t *v = json_object_get(body, key);
	int y, m, d;
	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
		bath_today(out);
		return 1;
	}
	if (!json_is_string(v) || wareki_parse_date(json_string_value(v), &y, &m, &d) != ERR_OK)
		return 0;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return 1;
}

int bath_query_year(const char *s)
{
	if (!s || !*s)
		return 0;
	char *end = NULL;
	long v = strtol(s, &end, 10);
	return end && !*end && v >= 2000 && v <= 2100 ? (int)v : -1;
}

json_t *bath_person_json(struct store_conn *c, const struct bath_person *p, int office,
			 const char *today)
{
	struct bath_issue_info info;
	char wareki[48] = "", address[700];
	const char *why_not, *why_code;
	int y, m, d;
	if (bath_issue_info_read(c, p->id, bath_fiscal_year(today), &info) != ERR_OK)
		return NULL;
	if (wareki_parse_iso(p->f[BF_BIRTH], &y, &m, &d) == ERR_OK)
		wareki_format(y, m, d, wareki, sizeof wareki);
	snprintf(address, sizeof address, "%s%s%s", p->f[BF_ADDRESS], *p->f[BF_KATAGAKI] ? " " : "",
		 p->f[BF_KATAGAKI]);
	int ok = bath_eligible(p, today, &why_not, &why_code);
	json_t *year = json_pack(
	    "{s:i,s:b,s:s?,s:s?,s:s?,s:s?,s:s?,s:i,s:s?,s:s?}", "fiscal_year",
	    bath_fiscal_year(today), "issued", info.issued, "date", info.issued ? info.date : NULL,
	    "place", info.issued && info.place[0] ? info.place : NULL, "place_name",
	    info.issued && info.place_name[0] ? info.place_name : NULL, "method",
	    info.issued ? info.method : NULL, "number", info.issued ? info.number : NULL,
	    "reissues", info.reissues, "applied", info.applied[0] ? info.applied : NULL, "returned",
	    info.returned[0] ? info.returned : NULL);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:b,s:s?,s:s?,s:o}", "id",
			      (json_int_t)p->id, "name", p->f[BF_NAME], "kana", p->f[BF_KANA],
			      "birth", p->f[BF_BIRTH], "birth_wareki", wareki, "age",
			      bath_age(p->f[BF_BIRTH], today), "sex", p->f[BF_SEX], "category",
			      p->f[BF_CATEGORY], "address", address, "eligible", ok, "why_not",
			      why_not, "why_code", why_code, "this_year", year);
	if (office && o) {
		json_object_set_new(o, "resident_no", json_string(p->f[BF_RESIDENT]));
		json_object_set_new(o, "postcode", json_string(p->f[BF_POSTCODE]));
		json_object_set_new(o, "street", json_string(p->f[BF_ADDRESS]));
		json_object_set_new(o, "katagaki", json_string(p->f[BF_KATAGAKI]));
		json_object_set_new(o, "phone", json_string(p->f[BF_PHONE]));
		json_object_set_new(o, "excluded", json_boolean(p->excluded));
		json_object_set_new(o, "excluded_on",
				    p->excluded_on ? json_string(p->excluded_on) : json_null());
		json_object_set_new(o, "excluded_why",
				    p->excluded_why ? json_string(p->excluded_why) : json_null());
		json_object_set_new(o, "note", p->note ? json_string(p->note) : json_null());
	}
	return o;
}
