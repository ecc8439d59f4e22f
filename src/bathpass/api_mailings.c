/* SPDX-License-Identifier: MIT */
/* api_mailings.c — head office's passes by post: who the March mailing would go to (and who is
 * held back for a person to handle), making it (one pass by mail with its 整理番号 each), the
 * mailings made, their cover letters as one PDF in postcode order, and one person's letter.
 * Every PDF is recorded in the handover ledger before it is handed over. */
#include "bathpass/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define PDF_MAX (256u * 1024u * 1024u) /* 25,972 letters are 55 MB */
#define HELD_MAX 500		       /* held people listed in one answer */

static const char *const category_ja[3] = {"高齢", "障害", "児童"};

static json_t *mailing_json(const struct bath_mailing *m)
{
	return json_pack("{s:I,s:i,s:s,s:I,s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)m->id,
			 "fiscal_year", m->fy, "date", m->date, "letters", (json_int_t)m->letters,
			 "held", (json_int_t)m->held, "first_number", m->first_no, "last_number",
			 m->last_no, "created_by", m->created_by, "created_at",
			 (json_int_t)m->created_ms);
}

/* The plan as the page shows it, with the held people's names (at most HELD_MAX). */
static json_t *plan_json(struct app *a, const struct bath_mailing_plan *p)
{
	const struct vault *v = bathpass_vault(a);
	json_t *cats = json_object(), *held = json_array();
	for (int i = 0; i < 3; i++)
		json_object_set_new(cats, category_ja[i], json_integer((json_int_t)p->by_category[i]));
	struct store_conn *c = store_acquire(a->store);
	for (size_t i = 0; i < p->nheld && i < HELD_MAX; i++) {
		struct bath_person q;
		if (bath_person_load(c, v, p->held[i].id, &q) != ERR_OK)
			continue;
		json_array_append_new(
		    held, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?}", "id", (json_int_t)q.id,
				    "resident_no", q.f[BF_RESIDENT], "name", q.f[BF_NAME], "kana",
				    q.f[BF_KANA], "reason",
				    p->held[i].reason == 'r' ? "returned" : "note", "note", q.note));
		bath_person_clear(&q);
	}
	store_release(c);
	return json_pack("{s:i,s:s,s:I,s:o,s:I,s:I,s:I,s:I,s:o,s:b}", "fiscal_year", p->fy, "date",
			 p->date, "letters", (json_int_t)p->n, "by_category", cats,
			 "held_returned", (json_int_t)p->held_returned, "held_note",
			 (json_int_t)p->held_note, "not_eligible", (json_int_t)p->not_eligible,
			 "already", (json_int_t)p->already, "held", held, "held_more",
			 p->nheld > HELD_MAX);
}

enum err api_bath_mailing_plan(struct http_req *rq, struct http_resp *rs)
{
	char iso[11];
	int fy = bath_query_year(http_query(rq, "fiscal_year"));
	const char *why = NULL;
	struct bath_mailing_plan plan;
	if (fy < 0)
		return http_error(rs, ERR_INVALID, BATH_YEAR_WHY);
	enum err e = bath_mailing_when(http_query(rq, "date"), fy, iso, &fy, &why);
	if (e != ERR_OK)
		return http_error_as(rs, e, "bad_date", why);
	e = bath_mailing_plan(rq->app, fy, iso, &plan);
	if (e != ERR_OK)
		return e;
	json_t *out = plan_json(rq->app, &plan);
	bath_mailing_plan_free(&plan);
	return http_json(rs, 200, out);
}

enum err api_bath_mailing_make(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char iso[11], year[16] = "";
	const char *why = NULL;
	struct bath_mailing_plan plan = {0};
	struct bath_mailing m;
	int64_t id = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *jd = json_object_get(body, "date"), *jy = json_object_get(body, "fiscal_year");
	json_t *jl = json_object_get(body, "letters");
	/* What the person confirmed: the letters counted by the plan (an empty body issued a
	 * whole ward's passes). */
	json_int_t confirmed = json_is_integer(jl) ? json_integer_value(jl) : -1;
	if ((jd && !json_is_string(jd) && !json_is_null(jd)) ||
	    (jy && !json_is_integer(jy) && !json_is_null(jy))) {
		json_decref(body);
		return http_error(rs, ERR_INVALID,
				  "date は発送日（2027-03-23）、fiscal_year は西暦の年度で"
				  "指定してください。");
	}
	if (json_is_integer(jy))
		snprintf(year, sizeof year, "%" JSON_INTEGER_FORMAT, json_integer_value(jy));
	int fy = bath_query_year(year);
	if (fy < 0) {
		json_decref(body);
		return http_error(rs, ERR_INVALID, BATH_YEAR_WHY);
	}
	e = bath_mailing_when(json_is_string(jd) ? json_string_value(jd) : NULL, fy, iso, &fy,
			      &why);
	json_decref(body);
	if (e != ERR_OK)
		return http_error_as(rs, e, "bad_date", why);
	e = bath_mailing_plan(rq->app, fy, iso, &plan);
	if (e == ERR_OK && !plan.n) {
		e = http_error_as(rs, ERR_CONFLICT, "nobody",
				  "郵送する人がいません（昨年度に入浴証の交付か申請があり、"
				  "引き続き対象で、この年度の入浴証をまだ持っていない人）。");
		goto out;
	}
	if (e == ERR_OK && confirmed < 0) {
		e = http_error_as(rs, ERR_INVALID, "letters_required",
				  "確かめた送付状の数（letters：発送の計画で数えた数）を付けてください。"
				  "発送は取り消せません。");
		goto out;
	}
	if (e == ERR_OK && (size_t)confirmed != plan.n) {
		char msg[256];
		snprintf(msg, sizeof msg,
			 "数えたあとに対象が変わりました（いま %zu人）。もう一度数えてから記録して"
			 "ください。何も記録していません。",
			 plan.n);
		e = http_error_as(rs, ERR_CONFLICT, "plan_changed", msg);
		goto out;
	}
	if (e == ERR_OK)
		e = bath_mailing_make(rq->app, &plan, rq->user.id, rq->actor, &id);
	if (e == ERR_CONFLICT) {
		e = http_error_as(rs, e, "changed",
				  "準備の間に窓口で交付された人がいます。もう一度お試しください。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	struct store_conn *c = store_acquire(rq->app->store);
	e = bath_mailing_get(c, id, &m);
	store_release(c);
	if (e == ERR_OK) {
		json_t *out = mailing_json(&m);
		json_object_set_new(out, "plan", plan_json(rq->app, &plan));
		e = http_json(rs, 201, out);
	}
out:
	bath_mailing_plan_free(&plan);
	return e;
}

enum err api_bath_mailings(struct http_req *rq, struct http_resp *rs)
{
	struct bath_mailing *m = NULL;
	size_t n = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = bath_mailings_list(c, &m, &n);
	store_release(c);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, mailing_json(&m[i]));
	free(m);
	return http_json(rs, 200, json_pack("{s:o}", "mailings", arr));
}

/* Records pdf in the handover ledger and makes it the answer (filename name). */
static enum err hand_over(struct http_req *rq, struct http_resp *rs, struct buf *pdf,
			  const char *content, size_t records, const char *name)
{
	struct ledger_item it = {.service = BATHPASS_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = "bathpass:letters",
				 .records = records};
	return ledger_hand_over(rq, rs, &it, pdf, "application/pdf", name);
}

/* The answer for a letter the window cannot hold. */
static enum err unfit(struct http_req *rq, struct http_resp *rs, int64_t person)
{
	struct bath_person p;
	char msg[400];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = bath_person_load(c, bathpass_vault(rq->app), person, &p);
	store_release(c);
	if (e != ERR_OK)
		return e;
	snprintf(msg, sizeof msg,
		 "宛名番号 %s の方の住所・方書・氏名が封筒の窓に収まらないため、送付状を作れません"
		 "でした。ホストの住所データを確かめてください。",
		 p.f[BF_RESIDENT]);
	bath_person_clear(&p);
	return http_error_as(rs, ERR_INVALID, "address_too_long", msg);
}

enum err api_bath_mailing_letters(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]), why_id = 0;
	struct buf pdf;
	size_t letters = 0;
	char content[96], name[64];
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その発送はありません。");
	buf_init(&pdf, PDF_MAX);
	enum err e = bath_mailing_pdf(rq->app, id, &pdf, &letters, &why_id);
	if (e == ERR_NOTFOUND)
		e = http_error(rs, e, "その発送はありません。");
	else if (e == ERR_INVALID && why_id)
		e = unfit(rq, rs, why_id);
	else if (e == ERR_OK) {
		snprintf(content, sizeof content, "bathpass mailing %" PRId64 " letters pdf", id);
		snprintf(name, sizeof name, "bathpass-mailing-%" PRId64 ".pdf", id);
		e = hand_over(rq, rs, &pdf, content, letters, name);
	}
	if (pdf.data)
		vault_wipe(pdf.data, pdf.len); /* names and addresses */
	buf_free(&pdf);
	return e;
}

enum err api_bath_letter(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	int fy = bath_query_year(http_query(rq, "fiscal_year"));
	char today[11], number[24], content[96], name[64];
	struct buf pdf;
	if (fy < 0)
		return http_error(rs, ERR_INVALID, BATH_YEAR_WHY);
	bath_today(today);
	if (!fy)
		fy = bath_fiscal_year(today);
	buf_init(&pdf, PDF_MAX);
	enum err e = id ? bath_letter_pdf(rq->app, id, fy, &pdf, number) : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_mail_pass",
				  "その年度に郵送で交付・再交付した入浴証がないので、送付状は"
				  "作れません。先に「郵送で交付」か「郵送で再交付」を記録して"
				  "ください。");
	else if (e == ERR_INVALID)
		e = unfit(rq, rs, id);
	else if (e == ERR_OK) {
		snprintf(content, sizeof content, "bathpass letter %s pdf", number);
		snprintf(name, sizeof name, "bathpass-letter-%s.pdf", number);
		e = hand_over(rq, rs, &pdf, content, 1, name);
	}
	if (pdf.data)
		vault_wipe(pdf.data, pdf.len);
	buf_free(&pdf);
	return e;
}
