/* SPDX-License-Identifier: MIT */
/* clock.h — the current time (injectable for tests) and Japan-time formatting. */
#ifndef MIMAMORI_BASE_CLOCK_H
#define MIMAMORI_BASE_CLOCK_H
#include <stddef.h>
#include <stdint.h>

/* Returns the current time in milliseconds since the epoch. If the environment variable
 * MIMAMORI_FAKE_NOW holds epoch seconds, time starts there and runs on from process start. */
int64_t clock_now_ms(void);
/* Returns a monotonic time in milliseconds (never injected, never steps): for timeouts. */
int64_t clock_mono_ms(void);
/* Sets this process's clock to ms from now on (simulations; a test clock file still wins
 * when it changes). */
void clock_set_now_ms(int64_t ms);
/* Tests only: hold (1) stops the clock where it stands — it moves only by clock_set_now_ms or
 * a new value of the clock file — and 0 lets it run on. MIMAMORI_FAKE_CLOCK_STILL=1 holds it
 * from the start. */
void clock_hold(int hold);
/* Writes the Japan-time (UTC+9) date "YYYY-MM-DD" of ms into out (>= 11 bytes). */
void clock_jst_date(int64_t ms, char *out, size_t n);
/* Writes the Japan-time "HH:MM" of ms into out (>= 6 bytes). */
void clock_jst_hhmm(int64_t ms, char *out, size_t n);
/* Writes ISO 8601 with +09:00 offset, "YYYY-MM-DDTHH:MM:SS+09:00" (>= 26 bytes). */
void clock_jst_iso(int64_t ms, char *out, size_t n);
/* Writes an RFC 5322 Date header value in +0900 (>= 40 bytes). */
void clock_rfc5322(int64_t ms, char *out, size_t n);
/* Returns the minutes since midnight of "HH:MM" (00:00-23:59), or -1 when it is not one. */
int clock_hhmm_minutes(const char *hhmm);
/* Returns the Japan-time minutes since midnight of ms. */
int clock_jst_minutes(int64_t ms);
/* Parses a real calendar date "YYYY-MM-DD": sets *midnight_ms (its Japan-time start) and
 * *weekday (0 Sunday … 6 Saturday) when not NULL. Returns 0, or -1 when day is not a date. */
int clock_day_parse(const char *day, int64_t *midnight_ms, int *weekday);

#endif
