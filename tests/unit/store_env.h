/* SPDX-License-Identifier: MIT */
/* store_env.h — a fresh SQLite store and keyring in a temporary directory, for the unit tests of
 * the layers above them (mail, bounces, send reports). */
#ifndef MIMAMORI_TESTS_STORE_ENV_H
#define MIMAMORI_TESTS_STORE_ENV_H

struct store;
struct vault;
struct keyring;

struct env_base {
	char dir[64];
	struct store *s;
	struct keyring *k;      /* the directory's keys */
	const struct vault *v; /* the platform's key (its mail: outbox.service 'platform') */
};

/* Creates the directory /tmp/mimamori-<tag>-XXXXXX with a database and a new master key, opened
 * into e (fails the test on any error). tag is at most 16 bytes. */
void store_env_open(struct env_base *e, const char *tag);
/* Closes e's vault and store and removes its directory. */
void store_env_close(struct env_base *e);

#endif
