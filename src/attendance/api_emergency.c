/* SPDX-License-Identifier: MIT */
/* api_emergency.c — /api/v1/emergency-sends and /api/v1/emergency-templates: emergency mail's
 * routes. Each reads what is attendance's — the sites a send goes to — and leaves the rest to
 * the bulk layer's handlers (src/bulk/bulk_api.c) with emergency_kind. */
#include "attendance/attendance_api.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "bulk/bulk_api.h"

/* Reads sites ("all", or 1-100 site codes) of the request's JSON body j into *out ("*" or
 * "G01,G02", malloc'd). Returns ERR_OK, or the error with rs's message set. */
static enum err sites_of(struct http_req *rq, struct http_resp *rs, json_t *j, char **out)
{
	const char *codes[EMERGENCY_SITES_MAX], *why = NULL;
	size_t ncodes = 0;
	json_t *sites = json_object_get(j, "sites");
	enum err e = ERR_OK;
	*out = NULL;
	if (json_is_string(sites) && strcmp(json_string_value(sites), "all") == 0) {
		ncodes = 0;
	} else if (json_is_array(sites) && json_array_size(sites) >= 1 &&
		   json_array_size(sites) <= EMERGENCY_SITES_MAX) {
		size_t i;
		json_t *v;
		json_array_foreach(sites, i, v)
		{
			if (!json_is_string(v))
				return http_error(
				    rs, ERR_INVALID,
				    "送信先の施設（sites）は施設コードの一覧で指定してください。");
			codes[ncodes++] = json_string_value(v);
		}
	} else if (!sites) {
		return http_error(
		    rs, ERR_INVALID,
		    "送信先の施設（sites）、件名（subject）、本文（body）を指定してください。");
	} else {
		return http_error(
		    rs, ERR_INVALID,
		    "送信先の施設を1つ以上選んでください（sites は \"all\" か、1〜100件の施設"
		    "コードの一覧です）。");
	}
	*out = emergency_sites_join(rq->app, codes, ncodes, &e, &why);
	if (!*out)
		return why ? http_error(rs, e, why) : e;
	return ERR_OK;
}

/* Compose (preview 0) or preview (1) a send from the request's body. */
static enum err draft(struct http_req *rq, struct http_resp *rs, int preview)
{
	json_t *j = NULL;
	char *sites = NULL;
	enum err e = http_json_body(rq, rs, &j);
	if (e == ERR_OK)
		e = sites_of(rq, rs, j, &sites);
	if (e == ERR_OK)
		e = preview ? bulk_api_preview(rq, rs, &emergency_kind, j, sites)
			    : bulk_api_compose(rq, rs, &emergency_kind, j, sites);
	free(sites);
	json_decref(j);
	return e;
}

enum err api_emergency_create(struct http_req *rq, struct http_resp *rs)
{
	return draft(rq, rs, 0);
}

enum err api_emergency_preview(struct http_req *rq, struct http_resp *rs)
{
	return draft(rq, rs, 1);
}

enum err api_emergency_approve(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_decide(rq, rs, &emergency_kind, 1);
}

enum err api_emergency_reject(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_decide(rq, rs, &emergency_kind, 0);
}

enum err api_emergency_cancel(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_cancel(rq, rs, &emergency_kind);
}

enum err api_emergency_resend(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_resend(rq, rs, &emergency_kind);
}

enum err api_emergency_list(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_list(rq, rs, &emergency_kind);
}

enum err api_emergency_get(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_get(rq, rs, &emergency_kind);
}

enum err api_emergency_templates(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_templates_list(rq, rs, &emergency_kind);
}

enum err api_emergency_template_save(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_template_save(rq, rs, &emergency_kind);
}

enum err api_emergency_template_delete(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_template_delete(rq, rs, &emergency_kind);
}
