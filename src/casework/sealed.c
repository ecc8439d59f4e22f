/* SPDX-License-Identifier: MIT */
/* sealed.c — a case's sealed JSON column (a person, a profile, a contact) read back as JSON. */
#include "casework/casework.h"
#include "store/store.h"
#include "vault/vault.h"

json_t *casework_sealed_json(const struct vault *v, struct store_stmt *st, int col,
			     const char *field)
{
	char *txt = NULL;
	if (vault_unseal_column(v, st, col, field, &txt) != ERR_OK || !txt)
		return NULL;
	json_t *j = json_loads(txt, 0, NULL);
	vault_wipe_free(txt);
	return j;
}
