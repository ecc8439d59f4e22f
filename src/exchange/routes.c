/* SPDX-License-Identifier: MIT */
/* routes.c — file exchange's API routes with the roles that may call them; reads like a menu.
 * Contractors send (the clubs' contractor, the benefits' operators and supervisors); the ward's
 * staff receive; the ward's administrator keeps the recipients and sees every file's record. */
#include "exchange/exchange.h"
#include "exchange/service.h"

#include "exchange/api.h"

#define SEND EXCHANGE_SENDERS
#define RECV EXCHANGE_RECEIVERS
#define ADMIN ROLE_WARD_ADMIN

/* clang-format off */
const struct http_route exchange_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	{"GET", "/api/v1/exchange/recipients", SEND | ADMIN, 0, api_ex_recipients,
	 "the ward's staff a file may be sent to (the administrator: with their mail and state)"},
	{"POST", "/api/v1/exchange/recipients", ADMIN, 0, api_ex_recipient_set,
	 "make an account of the ward's staff a recipient (name, department, mail), or stop it"},
	{"POST", "/api/v1/exchange/files", SEND, HTTP_ROUTE_UPLOAD, api_ex_upload,
	 "send a file (the body) to a recipient (?to=ID&days=N&name=…): scanned, sealed, two mails"},
	{"GET", "/api/v1/exchange/files", SEND | RECV, 0, api_ex_files,
	 "the files not yet expired: the sender's sent, the recipient's received, all for the administrator"},
	{"POST", "/api/v1/exchange/files/{}/download", RECV, 0, api_ex_download,
	 "open a received file with its password (tries are limited)"},
	{"DELETE", "/api/v1/exchange/files/{}", SEND | ADMIN, 0, api_ex_withdraw,
	 "destroy a file before its expiry (its sender, or the administrator)"},
	{"GET", "/api/v1/exchange/events", SEND | RECV, 0, api_ex_events,
	 "what happened to the files: uploads, downloads, wrong passwords, locks, expiries"},
	{0},
};
/* clang-format on */
