/* SPDX-License-Identifier: MIT */
/* handover.c — a case's handover file (引き継ぎ): the whole case with every version of every
 * note, as JSON, built by the platform's casework handover (casework/handover.c). It leaves the
 * system only sealed with a passphrase and recorded in the handover ledger (api_handover.c,
 * cli.c); `mimamori ledger open` reads it back. */
#include "youth/api.h"

enum err youth_handover_text(struct store_conn *c, const struct vault *v, int64_t id, char **out)
{
	return casework_handover_text(&youth_casework, c, v, id, out);
}
