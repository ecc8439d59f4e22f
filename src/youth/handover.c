/* SPDX-License-Identifier: MIT */
/* handover.c — a case's handover file (引き継ぎ): the whole case with every version of every
 * note, as JSON. It leaves the system only sealed with a passphrase and recorded in the
 * handover ledger (api_handover.c, cli.c); `mimamori ledger open` reads it back. */
#include <stdlib.h>

#include "store/store.h"
#include "vault/vault.h"
#include "youth/api.h"

enum err youth_handover_text(struct store_conn *c, const struct vault *v, int64_t id, char **out)
{
	json_t *cs = NULL;
	*out = NULL;
	enum err e = youth_case_json(c, v, id, &cs);
	if (e != ERR_OK)
		return e;
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(cs, "notes"), i, n)
	{
		json_t *hist = NULL;
		e = casework_note_history(c, v, &youth_casework,
					  (int64_t)json_integer_value(json_object_get(n, "id")),
					  &hist);
		json_object_set_new(n, "versions", hist);
		if (e != ERR_OK)
			break;
	}
	if (e == ERR_OK) {
		json_t *doc = json_pack("{s:s, s:s, s:o}", "format", "mimamori-youth-handover-1",
					"service", YOUTH_SERVICE, "case", cs);
		*out = json_dumps(doc, JSON_INDENT(1));
		json_decref(doc);
		return *out ? ERR_OK : ERR_IO;
	}
	json_decref(cs);
	return e;
}
