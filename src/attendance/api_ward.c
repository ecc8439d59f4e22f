/* SPDX-License-Identifier: MIT */
/* api_ward.c — GET /api/v1/ward: the ward's words for a child's coming in and going home
 * (mimamori.conf [ward]), for every page to show as the mails and reports do. */
#include "attendance/attendance_api.h"

#include "app.h"

json_t *api_ward_words(const struct app *a)
{
	return json_pack("{s:s,s:s}", "entry_word", a->cfg.entry_word, "exit_word",
			 a->cfg.exit_word);
}

enum err api_ward_get(struct http_req *rq, struct http_resp *rs)
{
	return http_json(rs, 200, api_ward_words(rq->app));
}
