/* SPDX-License-Identifier: MIT */
/* hash_raw.c — the machine's limit for `mimamori audit verify`: keyed BLAKE2b-256 (libsodium's
 * crypto_generichash, the audit chain's MAC) of audit-entry-sized messages on one core, for S
 * seconds. Prints two rates: each message hashed from scratch (the key's block every time) and
 * from a state prepared once with the key and the domain (the least work an entry needs), and
 * the single-row read rate of the same number of rows is measured by the caller.
 * Usage: hash_raw SECONDS */
#define _POSIX_C_SOURCE 200809L
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	if (sodium_init() < 0 || secs <= 0) {
		fprintf(stderr, "usage: hash_raw SECONDS\n");
		return 2;
	}
	unsigned char key[32], out[32];
	randombytes_buf(key, sizeof key);
	/* A typical entry as the chain hashes it: prev | id | at | len:actor | … */
	char msg[256];
	int len = snprintf(msg, sizeof msg,
			   "%064d|1234567|1765000000000|10:kiosk:1234|11:scan.record|11:child:4321|2:in",
			   0);
	static const char domain[] = "audit-chain";
	double rate[2];
	for (int mode = 0; mode < 2; mode++) {
		crypto_generichash_state base, st;
		crypto_generichash_init(&base, key, sizeof key, sizeof out);
		crypto_generichash_update(&base, (const unsigned char *)domain, sizeof domain);
		long n = 0;
		double t0 = now_s(), t1 = t0;
		while (t1 - t0 < secs) {
			for (int i = 0; i < 4096; i++) {
				if (mode == 0) {
					crypto_generichash_init(&st, key, sizeof key, sizeof out);
					crypto_generichash_update(&st, (const unsigned char *)domain,
								  sizeof domain);
				} else {
					st = base;
				}
				msg[0] = (char)('0' + (n & 7)); /* a different message each time */
				crypto_generichash_update(&st, (const unsigned char *)msg, (size_t)len);
				crypto_generichash_final(&st, out, sizeof out);
				n++;
			}
			t1 = now_s();
		}
		rate[mode] = (double)n / (t1 - t0);
	}
	printf("hash raw: keyed BLAKE2b-256 of a %d-byte entry, one core: %.0f/s from scratch, "
	       "%.0f/s from a prepared key state\n",
	       len, rate[0], rate[1]);
	printf("HASH_RESULT bytes=%d scratch_per_s=%.0f prepared_per_s=%.0f\n", len, rate[0],
	       rate[1]);
	return 0;
}
