/* SPDX-License-Identifier: MIT */
/* log.h — operational logging to stderr. Never pass personal data to these. */
#ifndef MIMAMORI_BASE_LOG_H
#define MIMAMORI_BASE_LOG_H

/* Writes one line "time level message" to stderr; thread-safe. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
