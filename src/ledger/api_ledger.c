/* SPDX-License-Identifier: MIT */
/* api_ledger.c — GET /api/v1/ledger: the handover ledger for the ward admin. */
#include "ledger/ledger.h"

#include <stdlib.h>

#include "app.h"
#include "base/clock.h"
#include "http/http.h"

enum err api_ledger_list(struct http_req *rq, struct http_resp *rs)
{
	struct ledger_entry *v = NULL;
	size_t n = 0;
	enum err e = ledger_list(rq->app, &v, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[32];
		clock_jst_iso(v[i].at_ms, at, sizeof at);
		json_t *row =
		    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "id",
			      (json_int_t)v[i].id, "at", at, "service", v[i].service, "actor",
			      v[i].actor, "login", v[i].login, "content", v[i].content, "records",
			      (json_int_t)v[i].records, "lossy", (json_int_t)v[i].lossy, "bytes",
			      (json_int_t)v[i].bytes, "blake2b_256", v[i].digest);
		if (!row) {
			/* A ledger that silently lacks an entry is worse than none. */
			json_decref(arr);
			free(v);
			return http_error(
			    rs, ERR_IO,
			    "受け渡し台帳を読み出せませんでした。もう一度お試しください。");
		}
		json_array_append_new(arr, row);
	}
	free(v);
	return http_json(rs, 200, json_pack("{s:o}", "ledger", arr));
}
