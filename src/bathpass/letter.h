/* SPDX-License-Identifier: MIT */
/* letter.h — the bath pass's cover letter (送付状): one person's letter filled from the ledger
 * for the platform's window-envelope PDF (doc/window_letter_pdf.h). */
#ifndef MIMAMORI_BATHPASS_LETTER_H
#define MIMAMORI_BATHPASS_LETTER_H

#include "bathpass/bathpass.h"
#include "doc/window_letter_pdf.h"

/* A letter and the text it points into (all inside the struct, except the person's fields and
 * the settings, which it borrows). */
struct bath_letter {
	struct doc_window_letter letter;
	char ref[48];
	char period[128];
	char body[400];
	char ask[600];
};

/* Fills *b with the letter of person p's pass of fiscal year fy, number number, dated date
 * (ISO): reissue for a replacement, mailing for the March mailing (its note on who gets it).
 * p, s and number must outlive b. ERR_INVALID for a bad date. */
enum err bath_letter_fill(struct bath_letter *b, const struct bath_person *p,
			  const struct bath_settings *s, int fy, const char *date,
			  const char *number, int reissue, int mailing);

#endif
