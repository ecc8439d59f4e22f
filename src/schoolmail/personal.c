/* SPDX-License-Identifier: MIT */
/* personal.c — what in a school send's text would be personal data (seed 003: a mass mail holds
 * none): any mail address, and the name of any registered child or guardian of any school (the
 * whole ward's, not only the audience's: a name is personal data wherever the mail goes). Phone
 * numbers are the bulk layer's own check. The names are unsealed one row at a time, matched and
 * wiped; the reason names the kind found, never the value. */
#include "schoolmail/send.h"

#include <ctype.h>
#include <string.h>

#include "app.h"
#include "bulk/bulk.h"
#include "store/store.h"
#include "vault/vault.h"

static const char WHY_ADDRESS[] = "メールアドレスが含まれています。一斉メールにはメールアドレスを"
				  "書けません。アドレスを消してから送信してください。";
static const char WHY_CHILD[] = "登録されている児童・生徒の名前が含まれています。名前を消してから"
				"送信してください。";
static const char WHY_GUARDIAN[] = "登録されている保護者の名前が含まれています。名前を消してから"
				   "送信してください。";

/* 1 for a character of an address's local part. */
static int local_char(char ch)
{
	return isalnum((unsigned char)ch) || strchr("._%+-", ch) != NULL;
}

/* 1 when folded holds something shaped like a mail address: a local part, '@' (or the
 * full-width ＠ phones type) and a domain with a dot. */
static int has_address(const char *folded)
{
	for (const char *p = folded; *p; p++) {
		size_t at = *p == '@' ? 1 : strncmp(p, "\xef\xbc\xa0", 3) == 0 ? 3 : 0;
		if (!at || p == folded || !local_char(p[-1]))
			continue;
		const char *d = p + at;
		size_t n = 0;
		int dot = 0;
		for (; isalnum((unsigned char)d[n]) || d[n] == '-' || d[n] == '.'; n++)
			dot |= d[n] == '.' && n > 0 && d[n + 1] && d[n + 1] != '.';
		if (n >= 3 && dot)
			return 1;
	}
	return 0;
}

enum err schoolmail_personal(struct app *a, const char *folded, const char **why)
{
	if (has_address(folded)) {
		*why = WHY_ADDRESS;
		return ERR_INVALID;
	}
	const struct vault *v = schoolmail_vault(a);
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT child_enc, guardian_enc FROM school_registrants");
	enum err e = st ? ERR_OK : ERR_DB;
	int rc = STORE_DONE, found = 0;
	while (e == ERR_OK && !found && (rc = store_step(st)) == STORE_ROW) {
		static const char *const fields[] = {"school_registrants.child",
						     "school_registrants.guardian"};
		for (int i = 0; i < 2 && e == ERR_OK && !found; i++) {
			size_t len = 0;
			char *name = NULL;
			const void *b = store_col_blob(st, i, &len);
			e = vault_unseal(v, fields[i], b, len, &name);
			if (e == ERR_OK && bulk_has_name(folded, name)) {
				found = 1;
				*why = i == 0 ? WHY_CHILD : WHY_GUARDIAN;
			}
			vault_wipe_free(name);
		}
	}
	if (e == ERR_OK && !found && rc != STORE_DONE)
		e = ERR_DB;
	store_finish(st);
	store_release(c);
	if (e == ERR_OK && found)
		e = ERR_INVALID;
	return e;
}
