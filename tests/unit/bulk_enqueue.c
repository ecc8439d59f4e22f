/* SPDX-License-Identifier: MIT */
/* bulk_enqueue.c — a test helper, never installed: queues one bulk message of a declared list
 * (the schools' "school" list is declared here as the schools' service would)
 * to each address given, through the mail layer's own mail_outbox_enqueue_bulk (the path every
 * bulk send takes), in a data directory's database. End-to-end tests use it to send mail of a
 * list that may be left ("school"), since the only bulk mail the program composes today is
 * emergency mail, which may not. A running server's sender picks the rows up.
 *
 * usage: bulk_enqueue DATA_DIR SEND_ID SUBJECT BODY ADDRESS...
 * Prints "token T" for each queued row — its List-Unsubscribe token (mail_unsub_token), as a
 * mail of a list that may not be left carried before lists said so — then "queued N skipped
 * M"; exits 0, or 1 with the reason on stderr. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

int main(int argc, char **argv)
{
	struct app *a = NULL;
	size_t queued = 0, skipped = 0;
	if (argc < 6) {
		fprintf(stderr, "usage: bulk_enqueue DATA_DIR SEND_ID SUBJECT BODY ADDRESS...\n");
		return 1;
	}
	enum err e = vault_global_init();
	if (e == ERR_OK)
		e = app_open(argv[1], 1, &a);
	if (e != ERR_OK) {
		fprintf(stderr, "bulk_enqueue: cannot open %s: %s\n", argv[1], err_str(e));
		return 1;
	}
	/* The schools' notices may be left; their service (src/schoolmail/, not in this program
	 * yet) declares their list when it sends. Mail is sealed under the key of the service
	 * whose list it goes out on: the club's emergency mail is attendance's. */
	static const struct mail_list school = {"school", "学校・園からのお知らせ", 1};
	struct mail_list_info list;
	const struct vault *v = NULL;
	struct store_conn *c = store_acquire(a->store);
	if (strncmp(argv[2], "school:", 7) == 0)
		e = mail_list_declare(c, "schoolmail", &school);
	if (e == ERR_OK)
		e = mail_list_find(c, argv[2], &list);
	store_release(c);
	if (e == ERR_OK && !(v = app_vault(a, list.service)))
		e = ERR_CRYPTO;
	c = store_acquire(a->store);
	if (e == ERR_OK)
		e = store_begin(c);
	for (int i = 5; i < argc && e == ERR_OK; i++) {
		enum mail_skip skip = MAIL_QUEUED;
		e = mail_outbox_enqueue_bulk(c, v, argv[2], argv[i], argv[3], argv[4], NULL, &skip);
		if (e == ERR_OK && skip == MAIL_QUEUED) {
			char token[64];
			e = mail_unsub_token(a->vault, store_last_id(c), token, sizeof token);
			if (e == ERR_OK)
				printf("token %s\n", token);
			queued++;
		} else if (e == ERR_OK) {
			skipped++;
		}
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "bulk_enqueue: %s\n", err_str(e));
		return 1;
	}
	printf("queued %zu skipped %zu\n", queued, skipped);
	return 0;
}
