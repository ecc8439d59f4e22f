/* SPDX-License-Identifier: MIT */
/* totp_api.h — the administrators' second factor (issue 19): the code step of a sign-in, and
 * enrolment with a QR code and recovery codes. */
#ifndef MIMAMORI_HTTP_TOTP_API_H
#define MIMAMORI_HTTP_TOTP_API_H
#include "http/http.h"

/* POST /api/v1/session/totp {challenge, code}: the second step of a sign-in (code: the 6
 * digits, or a recovery code once) → as POST /api/v1/session. 401 wrong_code, 401
 * challenge_expired (sign in again), 429 second_factor_locked. */
enum err api_totp_sign_in(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/session/totp: {enrolled, required, recovery_left}. */
enum err api_totp_state(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/session/totp/enrolment: a new secret → {secret (base32), uri}; its QR code is
 * GET /api/v1/session/totp/enrolment/qr. 409 already_enrolled. */
enum err api_totp_enrol(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/session/totp/enrolment/qr: the waiting enrolment's otpauth URI as a PNG QR
 * code. */
enum err api_totp_enrol_qr(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/session/totp/enrolment/confirm {code}: enrolled → {recovery_codes: [10]},
 * shown once. */
enum err api_totp_enrol_confirm(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/users/{id}/totp-reset (ward admin): removes another account's authenticator
 * and recovery codes (a lost phone; it enrols again at its next sign-in). Audited (totp.reset)
 * under the acting administrator. 404 no_second_factor, 403 for one's own. */
enum err api_user_totp_reset(struct http_req *rq, struct http_resp *rs);

#endif
