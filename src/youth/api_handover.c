/* SPDX-License-Identifier: MIT */
/* api_handover.c — a case's handover export: only sealed with a passphrase the caller chooses
 * (given to the receiving worker on another channel) and recorded in the handover ledger before
 * the file leaves, by the platform's casework handover (casework/handover.c). The only export
 * of casework fields. */
#include "youth/api.h"

enum err api_yo_handover(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_handover(&youth_casework, rq, rs);
}
