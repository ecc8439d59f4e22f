-- 0030_course.sql — course sign-up (講座の申込: 父親ピアサポート and other courses; seed 001, issue 17
-- section 4), a service of its own (src/course/): its own tables and data key (data_key:course).
-- The staff (course_staff) make a course with its sessions (date, time, place, capacity); anyone
-- signs up on the public page without an account, choosing one or more sessions in order of
-- preference, and gets one place: the first chosen session with room, else a place on the
-- waitlist of each chosen session (the first waiting moves up when a place frees). A person's
-- items — 氏名, 連絡先 (mail, phone), お子さまの年齢 — are sealed under the service's key; the
-- course, its sessions and the states stay plain. Once a course has ended its sign-ups are erased
-- (the rows deleted, the course marked erased, an audit entry).

-- A course (講座). contact: the office people call (shown on the page and in mails).
CREATE TABLE course_courses (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  contact     TEXT NOT NULL DEFAULT '',
  open        INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)), -- shown on the public page
  erased_ms   INTEGER,               -- its sign-ups were erased (after its end)
  created_by  INTEGER REFERENCES users(id),
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
);

-- A session (開催回): a day, its hours (minutes of the day), a place and a capacity (定員).
CREATE TABLE course_sessions (
  id          INTEGER PRIMARY KEY,
  course_id   INTEGER NOT NULL REFERENCES course_courses(id),
  on_date     TEXT NOT NULL,         -- ISO
  start_min   INTEGER NOT NULL,
  end_min     INTEGER NOT NULL,
  place       TEXT NOT NULL,
  capacity    INTEGER NOT NULL CHECK (capacity > 0),
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','cancelled')),
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
);
CREATE INDEX course_sessions_course ON course_sessions(course_id, on_date);
CREATE INDEX course_sessions_day ON course_sessions(on_date);

-- A sign-up (申込). person: sealed "course_signups.person", JSON of 氏名, メールアドレス, 電話番号,
-- お子さまの年齢. token_idx: the blind index of the person's link token (their cancel link).
CREATE TABLE course_signups (
  id           INTEGER PRIMARY KEY,
  course_id    INTEGER NOT NULL REFERENCES course_courses(id),
  person       BLOB NOT NULL,
  token_idx    BLOB NOT NULL UNIQUE,
  cancelled_ms INTEGER,              -- the person cancelled through their link
  created_ms   INTEGER NOT NULL
);
CREATE INDEX course_signups_course ON course_signups(course_id);

-- A sign-up's choice of a session, in order of preference (pref 1 first). state: booked (has a
-- place), waiting (on the session's waitlist, in order of queued_ms then id), off (not in use:
-- another choice got the place, or the session was cancelled), cancelled (the person cancelled).
-- reminded_ms: the reminder of the day before was queued (once, whatever restarts).
CREATE TABLE course_entries (
  id          INTEGER PRIMARY KEY,
  signup_id   INTEGER NOT NULL REFERENCES course_signups(id),
  session_id  INTEGER NOT NULL REFERENCES course_sessions(id),
  pref        INTEGER NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('booked','waiting','off','cancelled')),
  queued_ms   INTEGER NOT NULL,
  reminded_ms INTEGER,
  updated_ms  INTEGER NOT NULL,
  UNIQUE (signup_id, session_id)
);
CREATE INDEX course_entries_session ON course_entries(session_id, state);
