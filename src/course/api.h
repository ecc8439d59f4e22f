/* SPDX-License-Identifier: MIT */
/* api.h — course sign-up's HTTP handlers: the public page's (the open courses, a sign-up, the
 * person's own sign-up by their link's token) and the staff's (courses, sessions, the roster,
 * the attendance list, the erasure), and the JSON they share. */
#ifndef MIMAMORI_COURSE_API_H
#define MIMAMORI_COURSE_API_H
#include <jansson.h>

#include "course/course.h"
#include "http/http.h"

/* api_public.c: anyone, no account; the link's token (X-Signup-Token) is the capability for the
 * person's own sign-up only. */
enum err api_course_open(struct http_req *rq, struct http_resp *rs);
enum err api_course_signup(struct http_req *rq, struct http_resp *rs);
enum err api_course_mine(struct http_req *rq, struct http_resp *rs);
enum err api_course_mine_cancel(struct http_req *rq, struct http_resp *rs);
/* api_courses.c: the staff's courses and sessions */
enum err api_course_list(struct http_req *rq, struct http_resp *rs);
enum err api_course_add(struct http_req *rq, struct http_resp *rs);
enum err api_course_get(struct http_req *rq, struct http_resp *rs);
enum err api_course_update(struct http_req *rq, struct http_resp *rs);
enum err api_course_session_add(struct http_req *rq, struct http_resp *rs);
enum err api_course_session_update(struct http_req *rq, struct http_resp *rs);
enum err api_course_session_cancel(struct http_req *rq, struct http_resp *rs);
/* api_papers.c: the attendance list (PDF) and the erasure */
enum err api_course_attendance(struct http_req *rq, struct http_resp *rs);
enum err api_course_erase(struct http_req *rq, struct http_resp *rs);

/* Returns the JSON of course id (new reference in *out; ERR_NOTFOUND when none): its sessions
 * with their places taken and waiting; staff adds the count of sign-ups, public keeps only
 * the sessions that still take sign-ups and no counts but the places left. */
enum err course_object(struct store_conn *c, int64_t id, int staff, const char *today,
		       json_t **out);
/* The most courses a list answers. */
#define COURSE_LIST_MAX 1000
/* Returns in *out (a new array) the JSON of each course (see course_object) whose id sql lists,
 * in its order, at most COURSE_LIST_MAX; sql's ?1 is today when bind_today. */
enum err course_objects(struct store_conn *c, const char *sql, int bind_today, int staff,
			const char *today, json_t **out);
/* Audits the caller's action on "<kind>:<id>" (no personal data). */
enum err course_audit(struct http_req *rq, struct store_conn *c, const char *action,
		      const char *kind, int64_t id, const char *detail);
/* Fills x for a request at the current time on c. */
void course_ctx_for(struct http_req *rq, struct store_conn *c, struct course_ctx *x);

#endif
