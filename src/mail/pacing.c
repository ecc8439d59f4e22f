/* SPDX-License-Identifier: MIT */
/* pacing.c — per-domain pacing of the sender: at most N sessions and M messages a minute per
 * recipient domain (defaults for the Japanese carriers, which throttle bulk senders), and a
 * domain that answers 421/451/452 is paused and slowed, then sped up again as it accepts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "mail/mail_internal.h"

#define DOMAINS_MAX 1024        /* domains tracked one by one; the rest share "other" */
#define SLOW_MIN (1.0 / 16)     /* the rate falls to at most 1/16 of its setting */

/* The carriers' defaults: 2 sessions and 300 messages a minute each (see docs/guide.md). */
static const char *const carrier_defaults =
    "docomo.ne.jp=2/300,ezweb.ne.jp=2/300,au.com=2/300,softbank.ne.jp=2/300,"
    "i.softbank.jp=2/300";

struct rule {
	char domain[128];
	int sessions, per_min; /* per_min 0: no limit */
};

struct domain_state {
	char domain[128];
	int sessions, per_min;
	int in_flight;
	double tokens, slow;
	int64_t refill_ms, paused_until;
	int64_t sent, failed, deferred, throttled;
};

struct mail_pacer {
	pthread_mutex_t mu; /* the sender thread paces; /metrics reads */
	struct rule *rules;
	size_t nrules;
	int default_sessions;
	int per_session; /* messages one session carries at once (pipelining: more than one) */
	int64_t pause_ms; /* after a throttling reply, nothing to that domain for this long */
	struct domain_state *d;
	size_t nd;
	struct domain_state other; /* domains past DOMAINS_MAX */
};

/* Parses "domain=S/M,…" into p's rules (appending). Returns NULL or the bad entry's reason. */
static const char *parse_rules(struct mail_pacer *p, const char *spec)
{
	char *copy = xstrdup(spec), *save = NULL;
	const char *bad = NULL;
	for (char *tok = strtok_r(copy, ", ", &save); tok && !bad;
	     tok = strtok_r(NULL, ", ", &save)) {
		char domain[128];
		int sessions = 0, per_min = 0, used = 0;
		if (sscanf(tok, "%127[^=]=%d/%d%n", domain, &sessions, &per_min, &used) != 3 ||
		    tok[used] != '\0' || sessions < 1 || sessions > 64 || per_min < 0 ||
		    per_min > 1000000 || !strchr(domain, '.')) {
			bad = "mail pacing entries are domain=SESSIONS/PER_MINUTE, e.g. "
			      "docomo.ne.jp=2/300";
			break;
		}
		p->rules = xrealloc(p->rules, (p->nrules + 1) * sizeof *p->rules);
		struct rule *r = &p->rules[p->nrules++];
		snprintf(r->domain, sizeof r->domain, "%s", domain);
		for (char *c = r->domain; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		r->sessions = sessions;
		r->per_min = per_min;
	}
	free(copy);
	return bad;
}

struct mail_pacer *mail_pacer_new(const char *spec, int default_sessions, int per_session,
				  int64_t pause_ms, const char **bad)
{
	struct mail_pacer *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	p->per_session = per_session > 0 ? per_session : 1;
	p->pause_ms = pause_ms > 0 ? pause_ms : 5000;
	p->default_sessions = default_sessions > 0 ? default_sessions : 8;
	/* Configured entries first: they win over the carriers' defaults. */
	*bad = spec && *spec ? parse_rules(p, spec) : NULL;
	if (!*bad)
		*bad = parse_rules(p, carrier_defaults);
	if (*bad) {
		mail_pacer_free(p);
		return NULL;
	}
	snprintf(p->other.domain, sizeof p->other.domain, "other");
	p->other.sessions = p->default_sessions;
	p->other.slow = 1;
	return p;
}

void mail_pacer_free(struct mail_pacer *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->mu);
	free(p->rules);
	free(p->d);
	free(p);
}

/* 1 when domain is rule or a subdomain of it. */
static int matches(const char *domain, const char *rule)
{
	size_t n = strlen(domain), r = strlen(rule);
	return n == r ? strcmp(domain, rule) == 0
		      : n > r && domain[n - r - 1] == '.' && strcmp(domain + n - r, rule) == 0;
}

/* The state of domain (created on first sight), under p->mu. */
static struct domain_state *state(struct mail_pacer *p, const char *domain, int64_t now_ms)
{
	for (size_t i = 0; i < p->nd; i++)
		if (strcmp(p->d[i].domain, domain) == 0)
			return &p->d[i];
	if (p->nd >= DOMAINS_MAX || strlen(domain) >= sizeof p->d[0].domain)
		return &p->other;
	if (p->nd % 64 == 0)
		p->d = xrealloc(p->d, (p->nd + 64) * sizeof *p->d);
	struct domain_state *d = &p->d[p->nd++];
	memset(d, 0, sizeof *d);
	snprintf(d->domain, sizeof d->domain, "%s", domain);
	d->sessions = p->default_sessions;
	d->slow = 1;
	for (size_t i = 0; i < p->nrules; i++) {
		if (matches(domain, p->rules[i].domain)) {
			d->sessions = p->rules[i].sessions;
			d->per_min = p->rules[i].per_min;
			break;
		}
	}
	d->tokens = d->per_min ? (d->per_min >= 60 ? d->per_min / 60.0 : 1) : 0;
	d->refill_ms = now_ms;
	return d;
}

/* Adds the tokens earned since the last refill: the (slowed) rate, at most one second's worth
 * (at least one message) in the bucket. */
static void refill(struct domain_state *d, int64_t now_ms)
{
	if (!d->per_min)
		return;
	double rate = d->per_min * d->slow / 60000.0; /* messages per ms */
	double cap = d->per_min * d->slow / 60.0;
	if (cap < 1)
		cap = 1;
	if (now_ms > d->refill_ms)
		d->tokens += (double)(now_ms - d->refill_ms) * rate;
	if (d->tokens > cap)
		d->tokens = cap;
	d->refill_ms = now_ms;
}

int64_t mail_pacer_wait_until(struct mail_pacer *p, const char *domain, int64_t now_ms)
{
	int64_t until = 0;
	pthread_mutex_lock(&p->mu);
	struct domain_state *d = state(p, domain, now_ms);
	if (d->paused_until > now_ms) {
		until = d->paused_until;
	} else if (d->in_flight >= d->sessions * p->per_session) {
		until = now_ms + 1; /* when one of its sessions finishes */
	} else if (d->per_min) {
		refill(d, now_ms);
		if (d->tokens < 1) {
			double rate = d->per_min * d->slow / 60000.0;
			until = now_ms + 1 + (int64_t)((1 - d->tokens) / rate);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return until;
}

void mail_pacer_started(struct mail_pacer *p, const char *domain, int64_t now_ms)
{
	pthread_mutex_lock(&p->mu);
	struct domain_state *d = state(p, domain, now_ms);
	d->in_flight++;
	if (d->per_min) {
		refill(d, now_ms);
		d->tokens -= 1;
	}
	pthread_mutex_unlock(&p->mu);
}

/* 1 when reply starts with a throttling code: 421 (closing), 451 (local error, greylisting)
 * or 452 (too many recipients / insufficient storage), as carriers answer bulk senders. */
static int throttling(const char *reply)
{
	return strncmp(reply, "421", 3) == 0 || strncmp(reply, "451", 3) == 0 ||
	       strncmp(reply, "452", 3) == 0;
}

void mail_pacer_done(struct mail_pacer *p, const char *domain, enum mail_result r,
		     const char *reply, int64_t now_ms)
{
	pthread_mutex_lock(&p->mu);
	struct domain_state *d = state(p, domain, now_ms);
	if (d->in_flight > 0)
		d->in_flight--;
	if (r == MAIL_SENT) {
		d->sent++;
		if (d->slow < 1) /* speed up again slowly as the domain accepts */
			d->slow = d->slow + SLOW_MIN / 4 > 1 ? 1 : d->slow + SLOW_MIN / 4;
	} else if (r == MAIL_FAILED) {
		d->failed++;
	} else {
		d->deferred++;
		if (throttling(reply)) {
			d->throttled++;
			d->paused_until = now_ms + p->pause_ms;
			d->slow = d->slow / 2 < SLOW_MIN ? SLOW_MIN : d->slow / 2;
			if (!d->per_min) /* an unlimited domain that throttles gets a limit */
				d->per_min = 600;
			d->tokens = 0;
		}
	}
	pthread_mutex_unlock(&p->mu);
}

int64_t mail_pacer_interval_ms(struct mail_pacer *p, const char *domain, int64_t now_ms)
{
	pthread_mutex_lock(&p->mu);
	struct domain_state *d = state(p, domain, now_ms);
	int64_t ms = d->per_min ? (int64_t)(60000.0 / (d->per_min * d->slow)) : 0;
	pthread_mutex_unlock(&p->mu);
	return ms;
}

/* Appends one domain's lines (the name reduced to letters, digits, '.' and '-'). */
static void metrics_one(struct buf *b, const struct domain_state *src)
{
	struct domain_state copy = *src, *d = &copy;
	for (char *c = copy.domain; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'))
			*c = '_';
	buf_printf(b,
		   "mimamori_mail_domain_sent_total{domain=\"%s\"} %lld\n"
		   "mimamori_mail_domain_failed_total{domain=\"%s\"} %lld\n"
		   "mimamori_mail_domain_deferred_total{domain=\"%s\"} %lld\n"
		   "mimamori_mail_domain_throttled_total{domain=\"%s\"} %lld\n"
		   "mimamori_mail_domain_in_flight{domain=\"%s\"} %d\n",
		   d->domain, (long long)d->sent, d->domain, (long long)d->failed, d->domain,
		   (long long)d->deferred, d->domain, (long long)d->throttled, d->domain,
		   d->in_flight);
}

void mail_pacer_metrics(struct mail_pacer *p, struct buf *b)
{
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->nd; i++)
		metrics_one(b, &p->d[i]);
	if (p->other.sent || p->other.failed || p->other.deferred)
		metrics_one(b, &p->other);
	pthread_mutex_unlock(&p->mu);
}
