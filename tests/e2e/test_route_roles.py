# SPDX-License-Identifier: MIT
"""test_route_roles.py — every API route × every kind of caller: a caller whose role the route
does not declare gets 401 (anonymous) or 403 (others), never 2xx. The declared table must equal
EXPECTED below, so widening a route means changing this test. Also site scoping, CSRF and the
sign-in lockout."""
import unittest

import harness
from harness import ServerTestCase

STAFF = {"ward_admin", "ward_staff", "contractor", "site_staff"}
SCHOOL = {"school_admin", "sender"}  # the schools' mass mail (seed 003)
WARD = {"ward_admin", "ward_staff"}
BATH = {"bath_office", "bath_branch"}  # the bath pass (seed 002): head office, branch counters
# the subsidies (seed 004): the contractor (operator, supervisor) and the ward (staff, approver);
# every such account here is scoped to the babysitter subsidy (grant_staff)
G_CONTRACTOR = {"grant_operator", "grant_supervisor"}
G_WARD = {"grant_staff", "grant_approver"}
GRANT = G_CONTRACTOR | G_WARD
# seed 001's registrations and casework (issue 17): the plazas' desks, youth support's workers
# and supervisor, the development centre's staff, manager and parents, the courses' staff
SEED001 = {"plaza_staff", "youth_worker", "youth_supervisor", "centre_staff", "centre_manager",
           "centre_parent", "course_staff"}
SIGNED_IN = STAFF | SCHOOL | BATH | GRANT | SEED001
YOUTH = {"youth_worker", "youth_supervisor"}
EXPECTED = {
    ("POST", "/api/v1/session"): {"public"},
    ("GET", "/api/v1/session"): SIGNED_IN,
    ("DELETE", "/api/v1/session"): SIGNED_IN,
    ("GET", "/api/v1/routes"): {"ward_admin"},
    ("GET", "/api/v1/kiosk"): {"kiosk"},
    ("POST", "/api/v1/scans"): {"kiosk"},
    ("GET", "/api/v1/sites"): STAFF,
    ("GET", "/api/v1/sites/{}/board"): STAFF,
    ("GET", "/api/v1/sites/{}/board/events"): STAFF,  # the board's live updates (issue 18)
    ("POST", "/api/v1/sites/{}/manual-scans"): STAFF,
    ("POST", "/api/v1/confirmations"): {"public"},
    ("GET", "/api/v1/sites/{}/reports/daily"): {"ward_admin", "ward_staff", "site_staff"},
    ("GET", "/api/v1/reports/monthly"): {"ward_admin", "ward_staff"},
    ("GET", "/api/v1/ledger"): {"ward_admin"},
    ("POST", "/api/v1/emergency-sends"): {"ward_admin", "contractor"},
    # site staff see, approve and reject the sends of their own sites only (issue 13)
    ("GET", "/api/v1/emergency-sends"): {"ward_admin", "ward_staff", "contractor", "site_staff"},
    ("GET", "/api/v1/emergency-sends/{}"): {"ward_admin", "ward_staff", "contractor",
                                            "site_staff"},
    ("POST", "/api/v1/emergency-sends/{}/approve"): {"ward_admin", "contractor", "site_staff"},
    ("POST", "/api/v1/emergency-sends/{}/reject"): {"ward_admin", "contractor", "site_staff"},
    # the bulk layer (issue 13): preview, withdrawal, re-send to the unread, templates
    ("POST", "/api/v1/emergency-sends/preview"): {"ward_admin", "contractor"},
    ("POST", "/api/v1/emergency-sends/{}/cancel"): {"ward_admin", "contractor"},
    ("POST", "/api/v1/emergency-sends/{}/resend"): {"ward_admin", "contractor"},
    ("GET", "/api/v1/emergency-templates"): {"ward_admin", "contractor"},
    ("POST", "/api/v1/emergency-templates"): {"ward_admin", "contractor"},
    ("PUT", "/api/v1/emergency-templates/{}"): {"ward_admin", "contractor"},
    ("DELETE", "/api/v1/emergency-templates/{}"): {"ward_admin", "contractor"},
    ("POST", "/api/v1/reads/{}"): {"public"},
    ("POST", "/api/v1/unsubscribe/{}/resubscribe"): {"public"},
    ("POST", "/api/v1/resubscriptions"): {"public"},
    ("PATCH", "/api/v1/sites/{}"): {"ward_admin"},
    ("POST", "/api/v1/sites/{}/checkouts"): STAFF,
    ("POST", "/api/v1/parent/login-links"): {"public"},
    ("POST", "/api/v1/parent/session"): {"public"},
    ("GET", "/api/v1/parent/session"): {"guardian"},
    ("DELETE", "/api/v1/parent/session"): {"guardian"},
    ("GET", "/api/v1/parent/children"): {"guardian"},
    ("GET", "/api/v1/parent/children/{}/plan"): {"guardian"},
    ("PUT", "/api/v1/parent/children/{}/weekly"): {"guardian"},
    ("PUT", "/api/v1/parent/children/{}/days/{}"): {"guardian"},
    ("DELETE", "/api/v1/parent/children/{}/days/{}"): {"guardian"},
    ("GET", "/api/v1/parent/children/{}/pickups"): {"guardian"},
    ("POST", "/api/v1/parent/children/{}/pickups"): {"guardian"},
    ("DELETE", "/api/v1/parent/children/{}/pickups/{}"): {"guardian"},
    ("GET", "/api/v1/mail/bouncing"): {"ward_admin", "ward_staff"},
    ("POST", "/api/v1/mail/bouncing/{}/confirmation"): {"ward_admin", "ward_staff"},
    ("GET", "/api/v1/mail/sends/{}"): {"ward_admin", "ward_staff", "contractor"},
    ("POST", "/api/v1/mail/sends/{}/retry"): {"ward_admin"},
    ("GET", "/api/v1/unsubscribe/{}"): {"public"},
    ("POST", "/api/v1/unsubscribe/{}"): {"public"},
    # the ward administrator's screens (issue 11)
    ("POST", "/api/v1/session/password"): SIGNED_IN,
    # the administrators' second factor (issue 19): the code step is public (a challenge from
    # the password step), enrolment is the administrators' only
    ("POST", "/api/v1/session/totp"): {"public"},
    ("GET", "/api/v1/session/totp"): {"ward_admin", "grant_supervisor"},
    ("POST", "/api/v1/session/totp/enrolment"): {"ward_admin", "grant_supervisor"},
    ("GET", "/api/v1/session/totp/enrolment/qr"): {"ward_admin", "grant_supervisor"},
    ("POST", "/api/v1/session/totp/enrolment/confirm"): {"ward_admin", "grant_supervisor"},
    ("POST", "/api/v1/users/{}/totp-reset"): {"ward_admin"},
    ("POST", "/api/v1/users/{}/retire"): {"ward_admin"},
    ("GET", "/api/v1/overview"): {"ward_admin"},
    ("GET", "/api/v1/sites/{}/cards"): {"ward_admin"},
    ("POST", "/api/v1/sites/{}/cards"): {"ward_admin"},
    ("POST", "/api/v1/sites/{}/cards/{}/reissue"): {"ward_admin"},
    ("GET", "/api/v1/sites/{}/cards/sheet"): {"ward_admin"},
    ("GET", "/api/v1/kiosks"): {"ward_admin"},
    ("POST", "/api/v1/sites/{}/kiosks"): {"ward_admin"},
    ("POST", "/api/v1/kiosks/{}/revoke"): {"ward_admin"},
    ("GET", "/api/v1/users"): {"ward_admin"},
    ("POST", "/api/v1/users"): {"ward_admin"},
    ("PATCH", "/api/v1/users/{}"): {"ward_admin"},
    ("POST", "/api/v1/users/{}/password"): {"ward_admin"},
    ("GET", "/api/v1/ward"): {"public"},
    # what guardians' changes tell staff (issue 11): the coming days and their plan list
    ("GET", "/api/v1/sites/{}/plans"): STAFF,
    ("GET", "/api/v1/sites/{}/reports/plans"): {"ward_admin", "ward_staff", "site_staff"},
    # ward-approved devices (senders work only from them)
    ("POST", "/api/v1/devices/enrolment"): {"public"},
    ("GET", "/api/v1/devices/enrolment"): {"public"},
    ("GET", "/api/v1/devices"): WARD,
    ("POST", "/api/v1/devices/{}/approve"): {"ward_admin"},
    ("POST", "/api/v1/devices/{}/revoke"): {"ward_admin"},
    # backups and erasure at a contract's end (issue 19): the ward's administrators only
    ("GET", "/api/v1/backups"): {"ward_admin"},
    ("POST", "/api/v1/backups"): {"ward_admin"},
    ("GET", "/api/v1/erasures"): {"ward_admin"},
    ("POST", "/api/v1/erasures"): {"ward_admin"},
    ("POST", "/api/v1/erasures/{}/confirm"): {"ward_admin"},
    ("POST", "/api/v1/erasures/{}/cancel"): {"ward_admin"},
    ("GET", "/api/v1/erasures/{}/certificate"): {"ward_admin"},
    # the schools' mass mail (issue 13): guardians by the token of a mailed link; a sender
    # only on routes that answer counts; registrants only to the school's administrator
    ("POST", "/api/v1/school/signup/lookup"): {"public"},
    ("POST", "/api/v1/school/signup"): {"public"},
    ("POST", "/api/v1/school/manage/lookup"): {"public"},
    ("POST", "/api/v1/school/manage/cancel"): {"public"},
    ("POST", "/api/v1/school/manage/edit-link"): {"public"},
    ("POST", "/api/v1/school/edit/lookup"): {"public"},
    ("POST", "/api/v1/school/edit/update"): {"public"},
    ("POST", "/api/v1/school/edit/cancel"): {"public"},
    ("GET", "/api/v1/schools"): WARD | SCHOOL,
    ("GET", "/api/v1/schools/{}/counts"): WARD | SCHOOL,
    ("GET", "/api/v1/schools/{}/letter"): {"ward_admin", "school_admin"},
    ("GET", "/api/v1/schools/{}/registrants"): {"school_admin"},
    ("POST", "/api/v1/schools/{}/registrants/{}/remove"): {"school_admin"},
    ("GET", "/api/v1/schools/{}/users"): {"ward_admin"},
    ("POST", "/api/v1/schools/{}/users"): {"ward_admin"},
    ("GET", "/api/v1/school-alerts"): WARD,
    ("POST", "/api/v1/school-alerts/{}/acknowledge"): {"ward_admin"},
    # sending (phase 2): school staff to their own school (a sender's answers hold counts
    # only), the ward to any; only the ward approves a send to several schools or edits
    # templates
    ("POST", "/api/v1/school-sends/preview"): WARD | SCHOOL,
    ("POST", "/api/v1/school-sends"): WARD | SCHOOL,
    ("GET", "/api/v1/school-sends"): WARD | SCHOOL,
    ("GET", "/api/v1/school-sends/{}"): WARD | SCHOOL,
    ("POST", "/api/v1/school-sends/{}/approve"): WARD,
    ("POST", "/api/v1/school-sends/{}/reject"): WARD,
    ("POST", "/api/v1/school-sends/{}/cancel"): WARD | SCHOOL,
    ("POST", "/api/v1/school-sends/{}/resend"): WARD | SCHOOL,
    ("GET", "/api/v1/school-templates"): WARD | SCHOOL,
    ("POST", "/api/v1/school-templates"): WARD,
    ("PUT", "/api/v1/school-templates/{}"): WARD,
    ("DELETE", "/api/v1/school-templates/{}"): WARD,
    # the bath pass (issue 15): branch counters look up and issue only; head office the whole
    # record, the events and the imports
    ("GET", "/api/v1/bath/counter"): BATH,
    ("GET", "/api/v1/bath/people"): BATH,
    ("POST", "/api/v1/bath/people/{}/issue"): BATH,
    ("GET", "/api/v1/bath/people/{}"): {"bath_office"},
    ("POST", "/api/v1/bath/people/{}/events"): {"bath_office"},
    ("GET", "/api/v1/bath/imports"): {"bath_office"},
    ("GET", "/api/v1/bath/imports/{}"): {"bath_office"},
    ("POST", "/api/v1/bath/imports/{}/approve"): {"bath_office"},
    ("GET", "/api/v1/bath/reports/daily"): {"bath_office"},
    ("GET", "/api/v1/bath/reports/counts"): {"bath_office"},
    ("GET", "/api/v1/bath/mailings"): {"bath_office"},
    ("GET", "/api/v1/bath/mailings/plan"): {"bath_office"},
    ("POST", "/api/v1/bath/mailings"): {"bath_office"},
    ("GET", "/api/v1/bath/mailings/{}/letters"): {"bath_office"},
    ("GET", "/api/v1/bath/people/{}/letter"): {"bath_office"},
    # the babysitter subsidy (issue 16): the applicant has no account (the link's token is the
    # capability); the contractor receives, pre-screens and keeps the call log; the ward's
    # approver alone decides; the ward pays; notices by the contractor's supervisor or the ward
    ("GET", "/api/v1/sitter/bank"): {"public"},
    ("POST", "/api/v1/sitter/applications"): {"public"},
    ("GET", "/api/v1/sitter/mine"): {"public"},
    ("PUT", "/api/v1/sitter/mine"): {"public"},
    ("PUT", "/api/v1/sitter/mine/bank"): {"public"},
    ("POST", "/api/v1/sitter/mine/receipts"): {"public"},
    ("DELETE", "/api/v1/sitter/mine/receipts/{}"): {"public"},
    ("POST", "/api/v1/sitter/mine/submit"): {"public"},
    ("GET", "/api/v1/sitter/applications"): GRANT,
    ("POST", "/api/v1/sitter/paper"): G_CONTRACTOR,
    ("GET", "/api/v1/sitter/applications/{}"): GRANT,
    ("GET", "/api/v1/sitter/applications/{}/receipts/{}"): GRANT,
    ("POST", "/api/v1/sitter/applications/{}/checks"): G_CONTRACTOR,
    ("POST", "/api/v1/sitter/applications/{}/return"): G_CONTRACTOR,
    ("POST", "/api/v1/sitter/applications/{}/screen"): G_CONTRACTOR,
    ("POST", "/api/v1/sitter/applications/{}/decide"): {"grant_approver"},
    ("POST", "/api/v1/sitter/applications/{}/send-back"): G_WARD,
    ("GET", "/api/v1/sitter/notices"): GRANT,
    ("POST", "/api/v1/sitter/notices"): {"grant_supervisor"} | G_WARD,
    ("GET", "/api/v1/sitter/notices/{}/pdf"): {"grant_supervisor"} | G_WARD,
    ("GET", "/api/v1/sitter/payments"): G_WARD,
    ("POST", "/api/v1/sitter/payments"): G_WARD,
    ("GET", "/api/v1/sitter/payments/{}/file"): G_WARD,
    ("POST", "/api/v1/sitter/payments/returns"): G_WARD,
    ("GET", "/api/v1/sitter/inquiries"): GRANT,
    ("POST", "/api/v1/sitter/inquiries"): G_CONTRACTOR,
    ("POST", "/api/v1/sitter/inquiries/{}"): G_CONTRACTOR,
    ("POST", "/api/v1/sitter/applications/{}/receipts"): G_CONTRACTOR,
    # household support (seed 001): the contractor registers, checks, dispatches and records;
    # only the approver decides; the ward takes the follow-ups
    ("GET", "/api/v1/homehelp/households"): GRANT,
    ("POST", "/api/v1/homehelp/households"): G_CONTRACTOR,
    ("GET", "/api/v1/homehelp/households/{}"): GRANT,
    ("PUT", "/api/v1/homehelp/households/{}"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/households/{}/checks"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/households/{}/return"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/households/{}/resubmit"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/households/{}/screen"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/households/{}/decide"): {"grant_approver"},
    ("POST", "/api/v1/homehelp/households/{}/notify"): {"grant_supervisor"} | G_WARD,
    ("GET", "/api/v1/homehelp/supporters"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/supporters"): G_CONTRACTOR,
    ("PUT", "/api/v1/homehelp/supporters/{}"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/households/{}/visits"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/visits/{}/dispatch"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/visits/{}/done"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/visits/{}/paid"): G_CONTRACTOR,
    ("POST", "/api/v1/homehelp/visits/{}/cancel"): G_CONTRACTOR,
    ("GET", "/api/v1/homehelp/follow-ups"): {"grant_supervisor"} | G_WARD,
    ("POST", "/api/v1/homehelp/visits/{}/follow-seen"): G_WARD,
    ("GET", "/api/v1/homehelp/reports/monthly"): GRANT,
    ("GET", "/api/v1/homehelp/households/{}/statement"): G_CONTRACTOR,
    # course sign-up (seed 001): anyone signs up and, by their link, sees or cancels their own;
    # the course staff run the courses, sessions, roster, attendance list and erasure
    ("GET", "/api/v1/course/open"): {"public"},
    ("POST", "/api/v1/course/signups"): {"public"},
    ("GET", "/api/v1/course/mine"): {"public"},
    ("POST", "/api/v1/course/mine/cancel"): {"public"},
    ("GET", "/api/v1/course/courses"): {"course_staff"},
    ("POST", "/api/v1/course/courses"): {"course_staff"},
    ("GET", "/api/v1/course/courses/{}"): {"course_staff"},
    ("PUT", "/api/v1/course/courses/{}"): {"course_staff"},
    ("POST", "/api/v1/course/courses/{}/sessions"): {"course_staff"},
    ("POST", "/api/v1/course/courses/{}/erase"): {"course_staff"},
    ("PUT", "/api/v1/course/sessions/{}"): {"course_staff"},
    ("POST", "/api/v1/course/sessions/{}/cancel"): {"course_staff"},
    ("GET", "/api/v1/course/sessions/{}/attendance"): {"course_staff"},
    # youth support casework (issue 17 §2): its workers and the ward's supervisor only; the
    # routes in YOUTH_HIDDEN answer every other signed-in caller 404, not 403
    ("GET", "/api/v1/youth/plazas"): YOUTH,
    ("GET", "/api/v1/youth/cases"): YOUTH,
    ("POST", "/api/v1/youth/cases"): YOUTH,
    ("POST", "/api/v1/youth/cases/{}/open"): YOUTH,
    ("GET", "/api/v1/youth/cases/{}"): YOUTH,
    ("PUT", "/api/v1/youth/cases/{}/profile"): YOUTH,
    ("POST", "/api/v1/youth/cases/{}/referral"): YOUTH,
    ("POST", "/api/v1/youth/cases/{}/notes"): YOUTH,
    ("PUT", "/api/v1/youth/notes/{}"): YOUTH,
    ("GET", "/api/v1/youth/notes/{}/versions"): YOUTH,
    ("POST", "/api/v1/youth/cases/{}/assessments"): YOUTH,
    ("POST", "/api/v1/youth/cases/{}/plan"): YOUTH,
    ("POST", "/api/v1/youth/cases/{}/handover"): YOUTH,
    ("GET", "/api/v1/youth/workers"): {"youth_supervisor"},
    ("PUT", "/api/v1/youth/workers/{}"): {"youth_supervisor"},
    ("POST", "/api/v1/youth/cases/{}/assign"): {"youth_supervisor"},
    ("POST", "/api/v1/youth/cases/{}/unassign"): {"youth_supervisor"},
    ("GET", "/api/v1/youth/referrals"): {"youth_supervisor"},
    ("POST", "/api/v1/youth/cases/{}/referral-seen"): {"youth_supervisor"},
    ("POST", "/api/v1/youth/cases/{}/close"): {"youth_supervisor"},
    ("POST", "/api/v1/youth/cases/{}/reopen"): {"youth_supervisor"},
    ("GET", "/api/v1/youth/opens"): {"youth_supervisor"},
    ("POST", "/api/v1/youth/opens/{}/review"): {"youth_supervisor"},
    # file exchange (issue 17 §5): contractors send (the clubs' contractor, the benefits'
    # operators and supervisors), the ward's staff receive, the ward's administrator keeps the
    # recipients and sees every file's record
    ("GET", "/api/v1/exchange/recipients"): {"contractor", "ward_admin"} | G_CONTRACTOR,
    ("POST", "/api/v1/exchange/recipients"): {"ward_admin"},
    ("POST", "/api/v1/exchange/files"): {"contractor"} | G_CONTRACTOR,
    ("GET", "/api/v1/exchange/files"): {"contractor"} | G_CONTRACTOR | WARD | G_WARD,
    ("POST", "/api/v1/exchange/files/{}/download"): WARD | G_WARD,
    ("DELETE", "/api/v1/exchange/files/{}"): {"contractor", "ward_admin"} | G_CONTRACTOR,
    ("GET", "/api/v1/exchange/events"): {"contractor"} | G_CONTRACTOR | WARD | G_WARD,
}
# the privacy council's paperwork (issue 19): the ward administrator only
EXPECTED.update({
    ("GET", "/api/v1/council/items"): {"ward_admin"},
    ("GET", "/api/v1/council/staff"): {"ward_admin"},
})
# the plazas' registrations (issue 17 section 1): a plaza's desk, the ward's counts and yearly work
EXPECTED.update({
    ("GET", "/api/v1/plaza/me"): {"plaza_staff"} | WARD,
    ("GET", "/api/v1/plaza/users"): {"plaza_staff"},
    ("POST", "/api/v1/plaza/users"): {"plaza_staff"},
    ("GET", "/api/v1/plaza/users/{}"): {"plaza_staff"},
    ("PUT", "/api/v1/plaza/users/{}"): {"plaza_staff"},
    ("GET", "/api/v1/plaza/cards"): {"plaza_staff"},
    ("POST", "/api/v1/plaza/visits"): {"plaza_staff"},
    ("GET", "/api/v1/plaza/counts"): {"plaza_staff"} | WARD,
    ("GET", "/api/v1/plaza/grade-updates"): WARD,
    ("POST", "/api/v1/plaza/grade-updates"): {"ward_admin"},
    ("GET", "/api/v1/plaza/inactive"): {"ward_admin"},
    ("POST", "/api/v1/plaza/inactive/delete"): {"ward_admin"},
    ("GET", "/api/v1/plaza/staff"): {"ward_admin"},
    ("PUT", "/api/v1/plaza/staff/{}"): {"ward_admin"},
})
# The routes of one case and the supervisor's: a caller without the role finds nothing there
# (404 not_found, as for a case that does not exist), never a 403 that says something is.
# retention and the monthly audit report (issue 19): the ward's administrator only
EXPECTED.update({
    ("GET", "/api/v1/retention"): {"ward_admin"},
    ("GET", "/api/v1/audit/report"): {"ward_admin"},
})
YOUTH_HIDDEN = {(m, p) for (m, p) in EXPECTED if p.startswith("/api/v1/youth/")
                and ("{}" in p or p in ("/api/v1/youth/workers", "/api/v1/youth/referrals",
                                        "/api/v1/youth/opens"))}
# the child development support centre (issue 17 section 3): its staff and manager, and a
# parent's own child only; every route of one child, the manager's and the parents' hidden
CENTRE = {"centre_staff", "centre_manager"}
EXPECTED.update({
    ("GET", "/api/v1/centre/me"): CENTRE,
    ("GET", "/api/v1/centre/children"): CENTRE,
    ("GET", "/api/v1/centre/day"): CENTRE,
    ("GET", "/api/v1/centre/bus"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/attendance"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/open"): CENTRE,
    ("GET", "/api/v1/centre/children/{}"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/notes"): CENTRE,
    ("PUT", "/api/v1/centre/notes/{}"): CENTRE,
    ("GET", "/api/v1/centre/notes/{}/versions"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/assessments"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/plans"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/messages"): CENTRE,
    ("POST", "/api/v1/centre/children/{}/handover"): CENTRE,
    ("POST", "/api/v1/centre/children"): {"centre_manager"},
    ("PUT", "/api/v1/centre/children/{}/contract"): {"centre_manager"},
    ("POST", "/api/v1/centre/children/{}/end"): {"centre_manager"},
    ("GET", "/api/v1/centre/staff"): {"centre_manager"},
    ("POST", "/api/v1/centre/children/{}/assign"): {"centre_manager"},
    ("POST", "/api/v1/centre/children/{}/unassign"): {"centre_manager"},
    ("POST", "/api/v1/centre/children/{}/parents"): {"centre_manager"},
    ("GET", "/api/v1/centre/reviews"): {"centre_manager"},
    ("PUT", "/api/v1/centre/routes/{}"): {"centre_manager"},
    ("GET", "/api/v1/centre/opens"): {"centre_manager"},
    ("POST", "/api/v1/centre/opens/{}/review"): {"centre_manager"},
    ("GET", "/api/v1/centre/statements"): {"centre_manager"},
    ("POST", "/api/v1/centre/statements"): {"centre_manager"},
    ("GET", "/api/v1/centre/statements/{}/pdf"): {"centre_manager", "centre_parent"},
    ("GET", "/api/v1/centre/family"): {"centre_parent"},
    ("GET", "/api/v1/centre/family/{}/messages"): {"centre_parent"},
    ("POST", "/api/v1/centre/family/{}/messages"): {"centre_parent"},
    ("POST", "/api/v1/centre/welcome"): {"public"},
})
CENTRE_HIDDEN = {(m, p) for (m, p) in EXPECTED if p.startswith("/api/v1/centre/")
                 and p not in ("/api/v1/centre/me", "/api/v1/centre/day", "/api/v1/centre/bus",
                               "/api/v1/centre/welcome")
                 and (m, p) != ("GET", "/api/v1/centre/children")}
# Answers that stay open (Server-Sent Events, issue 18): only their status and headers are read.
STREAMS = {("GET", "/api/v1/sites/{}/board/events")}


# Routes whose allowed callers get 404 here by design: a link's token that is none, an alert or
# a registration that does not exist.
NOT_FOUND_OK = {"/api/v1/school/signup/lookup", "/api/v1/school/signup",
                "/api/v1/school/manage/lookup", "/api/v1/school/manage/cancel",
                "/api/v1/school/manage/edit-link", "/api/v1/school/edit/lookup",
                "/api/v1/school/edit/update", "/api/v1/school/edit/cancel",
                "/api/v1/school-alerts/{}/acknowledge", "/api/v1/schools/{}/registrants/{}/remove",
                "/api/v1/school-sends/{}", "/api/v1/school-sends/{}/approve",
                "/api/v1/school-sends/{}/reject", "/api/v1/school-sends/{}/cancel",
                "/api/v1/school-sends/{}/resend", "/api/v1/school-templates/{}",
                "/api/v1/bath/people/{}", "/api/v1/bath/people/{}/issue",
                "/api/v1/bath/imports/{}", "/api/v1/bath/imports/{}/approve",
                "/api/v1/bath/mailings/{}/letters", "/api/v1/bath/people/{}/letter",
                # the sitter's: no bank of no code; a link without a token; an application, a
                # receipt, a notice, a payment or an inquiry that does not exist
                "/api/v1/sitter/bank", "/api/v1/sitter/mine", "/api/v1/sitter/mine/bank",
                "/api/v1/sitter/mine/receipts", "/api/v1/sitter/mine/receipts/{}",
                "/api/v1/sitter/mine/submit", "/api/v1/sitter/applications/{}",
                "/api/v1/sitter/applications/{}/receipts/{}",
                "/api/v1/sitter/applications/{}/screen", "/api/v1/sitter/notices/{}/pdf",
                "/api/v1/sitter/payments/{}/file", "/api/v1/sitter/inquiries/{}"}
# the plazas': a user of no plaza's, an account that is no desk's
NOT_FOUND_OK |= {"/api/v1/plaza/users/{}", "/api/v1/plaza/staff/{}"}
# the second factor's QR code while no enrolment is waiting
NOT_FOUND_OK |= {"/api/v1/session/totp/enrolment/qr", "/api/v1/users/{}/totp-reset"}
# erasure (issue 19): a request that does not exist
NOT_FOUND_OK |= {"/api/v1/erasures/{}/confirm", "/api/v1/erasures/{}/cancel",
                 "/api/v1/erasures/{}/certificate"}
# course sign-up's: a link without a token; a course or session that does not exist
NOT_FOUND_OK |= {"/api/v1/course/mine", "/api/v1/course/mine/cancel", "/api/v1/course/courses/{}",
                 "/api/v1/course/courses/{}/sessions", "/api/v1/course/courses/{}/erase",
                 "/api/v1/course/sessions/{}", "/api/v1/course/sessions/{}/cancel",
                 "/api/v1/course/sessions/{}/attendance"}
# youth support: a case, note, worker or opening that does not exist (or the caller may not see)
NOT_FOUND_OK |= {p for (m, p) in EXPECTED if p.startswith("/api/v1/youth/") and "{}" in p}
# the centre: a child, record, opening, statement that does not exist (or the caller may not see)
NOT_FOUND_OK |= {p for (m, p) in EXPECTED if p.startswith("/api/v1/centre/") and "{}" in p}
NOT_FOUND_OK |= {"/api/v1/centre/welcome"}  # a link without a token

# file exchange: a file that does not exist (or is not the caller's)
NOT_FOUND_OK |= {"/api/v1/exchange/files/{}", "/api/v1/exchange/files/{}/download"}
CALLERS = ["anonymous", "ward_admin", "ward_staff", "contractor", "site_staff", "kiosk",
           "guardian", "school_admin", "sender", "bath_office", "bath_branch", "grant_operator",
           "grant_supervisor", "grant_staff", "grant_approver", "plaza_staff", "youth_worker",
           "youth_supervisor", "centre_staff", "centre_manager", "centre_parent", "course_staff"]
GUARDIAN = "route.parent@example.jp"
SIGN_OUTS = {("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/parent/session")}


def paths_for(pattern):
    """Concrete paths of a route: staff routes at both sites, guardians' routes for their
    own child R001 (a day, an unknown pickup person), a send that exists (nothing failed in it:
    a retry is 409)."""
    if pattern.startswith("/api/v1/mail/sends/"):
        return [pattern.replace("{}", "confirm")]  # the confirmation mail's send
    # The ward admin's screens: R001's card at G01; the second kiosk (not the one the kiosk
    # caller uses); u_lock (user 5, checked in setUp), whose password may be reset.
    if pattern == "/api/v1/sites/{}/cards/{}/reissue":
        return ["/api/v1/sites/G01/cards/R001/reissue"]
    if pattern.startswith("/api/v1/kiosks/"):
        return [pattern.replace("{}", "2")]
    if pattern.startswith("/api/v1/users/"):
        return [pattern.replace("{}", "5")]
    # the school routes at the callers' own school E01; device 2 is a pending request
    if pattern.startswith("/api/v1/schools/"):
        return [pattern.replace("{}", "E01", 1).replace("{}", "999999")]
    if pattern.startswith("/api/v1/school-sends/") or pattern.startswith("/api/v1/school-templates/"):
        return [pattern.replace("{}", "999999")]  # a send or template that does not exist
    if pattern.startswith("/api/v1/devices/") or pattern.startswith("/api/v1/school-alerts/"):
        return [pattern.replace("{}", "2")]
    if pattern.startswith("/api/v1/bath/"):
        return [pattern.replace("{}", "999999")]  # a person, import or mailing that does not exist
    if pattern.startswith("/api/v1/youth/"):
        return [pattern.replace("{}", "999999")]  # a case, note, worker that does not exist
    if pattern.startswith("/api/v1/centre/"):
        return [pattern.replace("{}", "999999")]  # a child, record, statement that does not exist
    if pattern.startswith("/api/v1/sitter/"):
        return [pattern.replace("{}", "999999")]  # an application, notice … that does not exist
    if pattern.startswith("/api/v1/course/"):
        return [pattern.replace("{}", "999999")]  # a course or session that does not exist
    if pattern.startswith("/api/v1/parent/"):
        p = pattern.replace("{}", "R001", 1)
        return [p.replace("{}", "2099-01-05" if "/days/" in p else "999999")]
    if "{}" in pattern:
        return [pattern.replace("{}", s) for s in ("G01", "G02")]
    return [pattern]
MINIMAL_BODY = {
    ("POST", "/api/v1/scans"): {"code": "NO-SUCH-CARD"},
    ("POST", "/api/v1/confirmations"): {"token": "no-such-token"},
}


class RouteRoleTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        for role in ("ward_admin", "ward_staff", "contractor"):
            d.user_add("u_" + role, role)
        d.user_add("u_site_staff", "site_staff", ["G01"])
        d.user_add("u_lock", "site_staff", ["G01"])
        self.kiosk_token = d.kiosk_add("G01")
        d.kiosk_add("G02")  # kiosk 2: the one POST /api/v1/kiosks/2/revoke revokes
        self.assertEqual(d.query("SELECT id FROM users WHERE login = 'u_lock'"), [(5,)])
        d.import_children(d.write_csv("roster.csv", [
            ["R001", "G01", "山田 太郎", "ヤマダ タロウ", "2", "2017-05-03", "山田 花子",
             GUARDIAN]]))
        self.maildir = d.tmp + "/mail"
        # The server's clock stands still: the 1 s delay after the third wrong password must
        # not run out while a loaded machine (or a sanitizer's slow argon2id) answers.
        self.srv = self.start_server(mail="maildir:" + self.maildir,
                                     env={"MIMAMORI_FAKE_CLOCK_STILL": "1"})
        m = harness.wait_until(lambda: harness.read_maildir(self.maildir),
                               what="the confirmation mail")[0]
        r = self.srv.client().post("/api/v1/confirmations", {"token": m.confirm_token})
        self.assertEqual(r.status, 200, r)
        # the schools' mass mail: E01 with its administrator and sender (device 1, approved)
        # and a second sender's pending device 2
        harness.cli_ok("school", "add", "--data", d.path, "--code", "E01", "--name",
                       "ルート小学校", "--kind", "elementary", "--grades", "6", "--classes", "2")
        for login, role in (("u_school_admin", "school_admin"), ("u_sender", "sender"),
                            ("u_sender2", "sender")):
            harness.cli_ok("school", "user", "add", "--data", d.path, "--school", "E01",
                           "--login", login, "--role", role, "--password-stdin",
                           input=(harness.PASSWORD + "\n").encode())
        self.sender_device = {}
        for login in ("u_sender", "u_sender2"):
            c = self.srv.client()
            r = c.post("/api/v1/devices/enrolment", {"login": login,
                                                     "password": harness.PASSWORD,
                                                     "label": "自宅"})
            self.assertEqual(r.status, 201, r)
            self.sender_device[login] = (r.json["device"]["id"],
                                         c.extra_cookies["mimamori_approved_device"])
        self.assertEqual(self.sender_device["u_sender2"][0], 2)
        # the bath pass: head office and a branch counter (b01)
        d.user_add("u_bath_office", "bath_office")
        d.user_add("u_bath_branch", "bath_branch")
        harness.cli_ok("bathpass", "staff", "--data", d.path, "--login", "u_bath_branch",
                       "--place", "b01")
        # the subsidies: one account of each grant role, all on the babysitter subsidy
        for role in ("grant_operator", "grant_supervisor", "grant_staff", "grant_approver"):
            d.user_add("u_" + role, role)
            harness.cli_ok("sitter", "staff", "--data", d.path, "--login", "u_" + role)
        # seed 001's registrations and casework (issue 17): one account of each role
        for role in ("plaza_staff", "youth_worker", "youth_supervisor", "centre_staff",
                     "centre_manager", "centre_parent", "course_staff"):
            d.user_add("u_" + role, role)
        harness.cli_ok("plaza", "staff", "--data", d.path, "--login", "u_plaza_staff", "--plaza",
                       "hirai")
        # youth support: the worker belongs to the 平井 plaza
        harness.cli_ok("youth", "worker", "--data", d.path, "--login", "u_youth_worker",
                       "--plaza", "hirai")
        admin = self.srv.client()
        self.assertEqual(admin.login("u_ward_admin").status, 200)
        r = admin.post("/api/v1/devices/%d/approve" % self.sender_device["u_sender"][0])
        self.assertEqual(r.status, 200, r)

    def caller(self, who):
        # Each caller from its own loopback address: the walk's refused token routes count
        # against the per-address sign-in throttle.
        source = "127.0.0.%d" % (40 + CALLERS.index(who))
        if who == "anonymous":
            return self.srv.client(source=source)
        if who == "kiosk":
            return self.srv.client(kiosk_token=self.kiosk_token, source=source)
        if who == "guardian":
            def links():
                return [m for m in harness.read_maildir(self.maildir) if "#login=" in m.body]
            n = len(links())
            c = self.srv.client(source=source)
            self.assertEqual(c.post("/api/v1/parent/login-links", {"email": GUARDIAN}).status,
                             202)
            mail = harness.wait_until(lambda: len(links()) > n and links()[-1],
                                      what="the sign-in link")
            r = c.post("/api/v1/parent/session",
                       {"token": mail.body.split("#login=")[1].split()[0]})
            self.assertEqual(r.status, 200, r)
            c.csrf = r.json["csrf"]
            return c
        c = self.srv.client(source=source)
        if who == "sender":
            c.extra_cookies["mimamori_approved_device"] = self.sender_device["u_sender"][1]
        r = c.login("u_" + who)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["role"], who)
        return c

    def declared(self):
        admin = self.caller("ward_admin")
        r = admin.get("/api/v1/routes")
        self.assertEqual(r.status, 200, r)
        return {(x["method"], x["pattern"]): set(x["roles"]) for x in r.json["routes"]}

    def test_declared_table_is_expected(self):
        self.assertEqual(self.declared(), EXPECTED)

    def test_hidden_routes(self):
        admin = self.caller("ward_admin")
        r = admin.get("/api/v1/routes")
        self.assertEqual({(x["method"], x["pattern"]) for x in r.json["routes"] if x["hidden"]},
                         YOUTH_HIDDEN | CENTRE_HIDDEN)

    def test_every_route_every_caller(self):
        table = self.declared()
        problems = []
        for who in CALLERS:
            # The sign-outs end the caller's session: its own runs very last.
            own = ("DELETE", "/api/v1/parent/session" if who == "guardian" else "/api/v1/session")
            routes = sorted(table, key=lambda k: (k in SIGN_OUTS, k == own, k))
            client = self.caller(who)
            for method, pattern in routes:
                roles = table[(method, pattern)]
                for path in paths_for(pattern):
                    body = MINIMAL_BODY.get((method, pattern), {}) if method != "GET" else None
                    if (method, pattern) in STREAMS:
                        r = client.stream_head(path)
                    else:
                        r = client.request(method, path, body=body)
                    allowed = "public" in roles or who in roles
                    where = "%s %s as %s -> %d %s" % (method, path, who, r.status,
                                                      r.body[:120])
                    if not allowed:
                        want = 401 if who == "anonymous" else 403
                        if who != "anonymous" and (method, pattern) in (YOUTH_HIDDEN |
                                                                         CENTRE_HIDDEN):
                            want = 404
                        if r.status != want:
                            problems.append("want %d: %s" % (want, where))
                        elif "message" not in r.json:
                            problems.append("no error body: " + where)
                    else:
                        if r.status in (401, 404, 405) and not (
                                method == "POST" and pattern in ("/api/v1/scans",
                                                                 "/api/v1/confirmations",
                                                                 "/api/v1/reads/{}",
                                                                 "/api/v1/unsubscribe/{}/"
                                                                 "resubscribe")) \
                                and not (r.status == 404 and pattern.endswith("pickups/{}")) \
                                and not (r.status == 404 and pattern in NOT_FOUND_OK):
                            problems.append("allowed caller refused: " + where)
                        # site staff at another site; a grant account (scoped to the
                        # babysitter subsidy here) on another benefit's route
                        # …; and the clubs' contractor on a send that is not its emergency
                        # mail (here the confirmation mail: another service's, 403 by scope)
                        if r.status == 403 and not (who == "site_staff" and "G02" in path) \
                                and not (who in GRANT and "/sitter/" not in path and
                                         r.json.get("code") == "not_this_service") \
                                and not (who == "contractor" and
                                         r.json.get("code") == "not_your_send"):
                            problems.append("allowed caller got 403: " + where)
                        if r.status >= 500:
                            problems.append("server error: " + where)
        self.maxDiff = None
        self.assertEqual(problems, [])

    def test_site_staff_sees_only_own_site(self):
        c = self.caller("site_staff")
        self.assertEqual(c.board("G01").status, 200)
        r = c.board("G02")
        self.assertEqual(r.status, 403, r)
        self.assertIn("message", r.json)
        sites = c.get("/api/v1/sites")
        self.assertEqual([s["code"] for s in sites.json["sites"]], ["G01"])
        admin = self.caller("ward_staff")
        self.assertEqual([s["code"] for s in admin.get("/api/v1/sites").json["sites"]],
                         ["G01", "G02"])
        self.assertEqual(admin.board("G02").status, 200)
        self.assertEqual(admin.board("G99").status, 404)

    def test_csrf_required(self):
        c = self.caller("site_staff")
        r = c.request("DELETE", "/api/v1/session", csrf=False)
        self.assertEqual(r.status, 403, r)
        r = c.request("DELETE", "/api/v1/session", csrf=False,
                      headers={"X-CSRF-Token": "0" * len(c.csrf)})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(c.get("/api/v1/session").status, 200)  # still signed in
        r = c.request("DELETE", "/api/v1/session")
        self.assertIn(r.status, (200, 204), r)
        self.assertEqual(c.get("/api/v1/session").status, 401)

    def test_login_lockout(self):
        c = self.srv.client()
        for i in range(3):
            r = c.login("u_lock", "wrong-password-%d" % i)
            self.assertEqual(r.status, 401, r)
        r = c.login("u_lock")
        self.assertEqual(r.status, 429, r)
        self.assertIn("message", r.json)
        self.assertIsNone(c.csrf)
        self.assertEqual(c.get("/api/v1/session").status, 401)
        # An unknown login answers like a wrong password (no user enumeration by status).
        self.assertEqual(self.srv.client().login("nobody_here", "whatever-pass").status, 401)


if __name__ == "__main__":
    unittest.main()
