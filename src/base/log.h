/* SPDX-License-Identifier: MIT */
/* log.h — operational logging to stderr. Never pass personal data to these. */
#ifndef MIMAMORI_BASE_LOG_H
#define MIMAMORI_BASE_LOG_H

/* Writes one line "time level message" to stderr; thread-safe. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* quiet 1: log_info writes nothing (a command run by hand says what it did in its own words;
 * warnings and errors still go out); 0: it writes again. */
void log_quiet_info(int quiet);

#endif
