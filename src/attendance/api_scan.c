/* SPDX-License-Identifier: MIT */
/* api_scan.c — the kiosk's resources: POST /api/v1/scans and GET /api/v1/kiosk. */
#include "attendance/attendance_api.h"

#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define CODE_MAX 128
/* "scanned_at" (a scan a kiosk kept while offline): at most this far in the future (clock
 * skew between the kiosk and the server) and at most this old. */
#define SCANNED_AT_SKEW_MS (2 * 60 * 1000)
#define SCANNED_AT_MAX_AGE_MS (24LL * 60 * 60 * 1000)
/* Recorded more than this after it happened: answered with "delayed": true (scan.c puts the
 * same limit on the guardians' mail line). */
#define SCAN_DELAYED_MS (2 * 60 * 1000)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads n digits at *p (advancing it); -1 if any is not a digit. */
static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* Parses ISO 8601 "YYYY-MM-DDTHH:MM:SS", optional fraction, then "Z" or "+HH:MM"/"-HH:MM"
 * (an offset is required: a time without one is ambiguous). 0 and *ms, or -1. */
static int parse_iso8601(const char *s, int64_t *ms)
{
	const char *p = s;
	int y = digits(&p, 4);
	if (y < 0 || *p++ != '-')
		return -1;
	int mo = digits(&p, 2);
	if (mo < 1 || mo > 12 || *p++ != '-')
		return -1;
	int d = digits(&p, 2);
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (d < 1 || d > mdays[mo - 1] || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	int h = digits(&p, 2);
	if (h < 0 || h > 23 || *p++ != ':')
		return -1;
	int mi = digits(&p, 2);
	if (mi < 0 || mi > 59 || *p++ != ':')
		return -1;
	int se = digits(&p, 2);
	if (se < 0 || se > 59)
		return -1;
	int frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		for (; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				frac = frac * 10 + (*p - '0');
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			frac *= 10;
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh = digits(&p, 2);
		if (oh < 0 || oh > 23 || *p++ != ':')
			return -1;
		int om = digits(&p, 2);
		if (om < 0 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
		       (int64_t)off * 60;
	*ms = secs * 1000 + frac;
	return 0;
}

/* The kiosk's answer to a scan: e, *why and res as scan_record gives them; now is when the
 * request came, at when the scan happened (its scanned_at, else now). */
static enum err scan_answer(struct http_resp *rs, enum err e, const struct scan_result *res,
			    const char *why, int64_t now, int64_t at)
{
	if (e != ERR_OK)
		return http_error(rs, e, why ? why : "記録できませんでした。もう一度かざしてください。");
	char iso[32], hhmm[8];
	clock_jst_iso(res->at_ms, iso, sizeof iso);
	clock_jst_hhmm(res->at_ms, hhmm, sizeof hhmm);
	json_t *j = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:b}", "recorded", res->recorded,
			      "child_name", res->child_name, "direction", res->direction, "at", iso,
			      "time", hhmm, "site", res->site_name, "delayed",
			      res->recorded && now - at > SCAN_DELAYED_MS);
	if (!res->recorded) {
		json_object_set_new(j, "reason", json_string("duplicate"));
		json_object_set_new(
		    j, "message",
		    json_string("同じカードが続けて読み取られました（前の読み取りで記録済みです）"));
	}
	return http_json(rs, 200, j);
}

/* A scan answered after its group commit, by the committing thread (http_defer). */
struct scan_later {
	struct http_deferred *d;
	int64_t now, at;
};

static void scan_answer_later(void *arg, enum err e, const struct scan_result *res,
			      const char *why, int unavailable)
{
	struct scan_later *l = arg;
	e = scan_answer(http_deferred_resp(l->d), e, res, why, l->now, l->at);
	http_deferred_finish(l->d, e, unavailable);
	free(l);
}

enum err api_scan_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *code = NULL, *why = NULL;
	struct scan_result res = {0};
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s}", "code", &code) != 0 || !code[0] ||
	    strlen(code) > CODE_MAX) {
		/* Whichever it was (none, empty or longer than any card's), the person at the
		 * kiosk can only hold the card up again. */
		e = http_error(rs, ERR_INVALID,
			       code && code[0] ? "カードを読み取れませんでした。もう一度かざしてください"
						 "（カードのコードが長すぎます）。"
					       : "カードを読み取れませんでした。もう一度かざしてください"
						 "（カードのコードがありません）。");
		goto out;
	}
	int64_t now = clock_now_ms(), at = now;
	json_t *sa = json_object_get(body, "scanned_at");
	if (sa && !json_is_null(sa)) {
		if (!json_is_string(sa) || parse_iso8601(json_string_value(sa), &at) != 0) {
			e = http_error(rs, ERR_INVALID,
				       "読み取った日時（scanned_at）は ISO 8601 の形（例 "
				       "2026-11-23T15:02:11+09:00）で指定してください。");
			goto out;
		}
		if (at > now + SCANNED_AT_SKEW_MS) {
			e = http_error(rs, ERR_INVALID,
				       "読み取った日時（scanned_at）が未来になっています。端末の時計を確かめてください。");
			goto out;
		}
		if (at < now - SCANNED_AT_MAX_AGE_MS) {
			e = http_error(rs, ERR_INVALID,
				       "24時間より前の読み取りは記録できません（scanned_at）。職員が手入力で記録してください。");
			goto out;
		}
		if (at > now)
			at = now; /* within the allowed skew: never record a scan in the future */
	}
	int64_t when = sa && !json_is_null(sa) ? at : 0;
	/* A live scan (no scanned_at) is timed by scan_record inside its transaction. The worker
	 * that read the request does not wait for the commit: the committing thread answers. */
	struct http_deferred *d = http_defer(rq);
	if (d) {
		struct scan_later *l = xcalloc(1, sizeof *l);
		*l = (struct scan_later){d, now, at};
		e = scan_record_async(rq->app, rq->kiosk_id, rq->kiosk_site_id, code, when,
				      scan_answer_later, l);
		if (e == ERR_OK)
			goto out; /* answered by scan_answer_later */
		free(l);
		/* Not queued (the store is closing): answered here, waiting. */
		e = scan_record(rq->app, rq->kiosk_id, rq->kiosk_site_id, code, when, &res, &why);
		e = scan_answer(http_deferred_resp(d), e, &res, why, now, at);
		http_deferred_finish(d, e, store_unavailable_take());
		e = ERR_OK;
		goto out;
	}
	e = scan_record(rq->app, rq->kiosk_id, rq->kiosk_site_id, code, when, &res, &why);
	e = scan_answer(rs, e, &res, why, now, at);
out:
	vault_wipe_free(res.child_name);
	json_decref(body);
	return e;
}

enum err api_kiosk_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = site_get(c, rq->kiosk_site_id, &site);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:{s:s,s:s},s:o}", "site", "code", site.code, "name",
				   site.name, "ward", api_ward_words(rq->app)));
}
