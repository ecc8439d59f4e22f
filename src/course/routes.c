/* SPDX-License-Identifier: MIT */
/* routes.c — course sign-up's API routes with the roles that may call them; reads like a menu.
 * The public sign-up has no account: a person's link token (X-Signup-Token) is the capability
 * for their own sign-up only. The staff (course_staff) run the courses. */
#include "course/service.h"

#include "course/api.h"

#define STAFF ROLE_COURSE_STAFF
#define LINK (HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_FAILED)

/* clang-format off */
const struct http_route course_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	/* the public sign-up page (no account) */
	{"GET", "/api/v1/course/open", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF, api_course_open,
	 "the courses open for sign-up: their sessions still to come with the places left"},
	{"POST", "/api/v1/course/signups", ROLE_PUBLIC, HTTP_ROUTE_NO_CSRF | HTTP_ROUTE_THROTTLE_EACH,
	 api_course_signup,
	 "sign up (name, mail, phone, child's age, sessions in order of preference): a place or the waitlist, a confirmation mail with the person's link"},
	{"GET", "/api/v1/course/mine", ROLE_PUBLIC, LINK, api_course_mine,
	 "the person's own sign-up by their link: each choice and where it stands"},
	{"POST", "/api/v1/course/mine/cancel", ROLE_PUBLIC, LINK, api_course_mine_cancel,
	 "cancel one's sign-up: the freed place goes to the first waiting (mailed)"},
	/* the staff */
	{"GET", "/api/v1/course/courses", STAFF, 0, api_course_list,
	 "the courses with their sessions, places taken and waiting"},
	{"POST", "/api/v1/course/courses", STAFF, 0, api_course_add,
	 "make a course with its sessions (day, hours, place, capacity)"},
	{"GET", "/api/v1/course/courses/{}", STAFF, 0, api_course_get,
	 "one course and its roster: every sign-up and its choices (audited)"},
	{"PUT", "/api/v1/course/courses/{}", STAFF, 0, api_course_update,
	 "change a course's title, description and contact, stop or resume its sign-ups (open)"},
	{"POST", "/api/v1/course/courses/{}/sessions", STAFF, 0, api_course_session_add,
	 "add a session to a course"},
	{"POST", "/api/v1/course/courses/{}/erase", STAFF, 0, api_course_erase,
	 "erase the sign-ups of a course that is over (audited)"},
	{"PUT", "/api/v1/course/sessions/{}", STAFF, 0, api_course_session_update,
	 "change a session's day, hours, place or capacity: the people booked are mailed, the waitlist moves up"},
	{"POST", "/api/v1/course/sessions/{}/cancel", STAFF, 0, api_course_session_cancel,
	 "cancel a session: its people are mailed and placed on their other choices"},
	{"GET", "/api/v1/course/sessions/{}/attendance", STAFF, 0, api_course_attendance,
	 "the session's attendance list for the facilitator (PDF; in the handover ledger)"},
	{0},
};
/* clang-format on */
