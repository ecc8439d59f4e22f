-- 0030_course.sql — course sign-up (講座の申込: 父親ピアサポート and other courses; seed 001, issue 17
-- section 4), a service of its own (src/course/): its own tables and data key (data_key:course).
-- The staff (course_staff) make a course with its sessions (date, time, place, capacity); anyone
-- signs up on the public page without an account, choosing one or more sessions in order of
-- preference, and gets one place: the first chosen session with room, else a place on the
-- waitlist of each chosen session (the first waiting moves up when a place frees). A person's
-- items — 氏名, 連絡先 (mail, phone), お子さまの年齢 — are sealed under the service's key; the
-- course, its sessions and the states stay plain. Once a course has ended its sign-ups are erased
-- (the rows deleted, the course marked erased, an audit entry).
-- 流れ: course; 申込者 → 区; 氏名・連絡先と希望の回; 申込のページ
-- 流れ: course; 区 → 申込者; 当選・落選・前日の案内; メール

-- A course (講座). contact: the office people call (shown on the page and in mails).
CREATE TABLE course_courses ( -- 表: 講座; course
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  title       TEXT NOT NULL, -- 項目: 講座名; 一般
  description TEXT NOT NULL DEFAULT '', -- 項目: 内容; 一般
  contact     TEXT NOT NULL DEFAULT '', -- 項目: 問い合わせ先; 一般
  open        INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)), -- 項目: 公開; 一般 — shown on the public page
  erased_ms   INTEGER,               -- 項目: 申込を消去した日時; 一般 — its sign-ups were erased (after its end)
  created_by  INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms  INTEGER NOT NULL -- 項目: 更新日時; 一般
);

-- A session (開催回): a day, its hours (minutes of the day), a place and a capacity (定員).
CREATE TABLE course_sessions ( -- 表: 講座の回; course
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  course_id   INTEGER NOT NULL REFERENCES course_courses(id), -- 項目: 講座の番号; 一般
  on_date     TEXT NOT NULL,         -- 項目: 日付; 一般 — ISO
  start_min   INTEGER NOT NULL, -- 項目: 開始時刻; 一般
  end_min     INTEGER NOT NULL, -- 項目: 終了時刻; 一般
  place       TEXT NOT NULL, -- 項目: 会場; 一般
  capacity    INTEGER NOT NULL CHECK (capacity > 0), -- 項目: 定員; 一般
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','cancelled')), -- 項目: 状態; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms  INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX course_sessions_course ON course_sessions(course_id, on_date);
CREATE INDEX course_sessions_day ON course_sessions(on_date);

-- A sign-up (申込). person: sealed "course_signups.person", JSON of 氏名, メールアドレス, 電話番号,
-- お子さまの年齢. token_idx: the blind index of the person's link token (their cancel link).
CREATE TABLE course_signups ( -- 表: 講座の申込; course; 本人: 申込者
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  course_id    INTEGER NOT NULL REFERENCES course_courses(id), -- 項目: 講座の番号; 一般
  person       BLOB NOT NULL, -- 項目: 申込者の氏名・連絡先; 個人; 暗号化
  token_idx    BLOB NOT NULL UNIQUE, -- 項目: 申込者のリンクの検索用ハッシュ値; 一般
  cancelled_ms INTEGER,              -- 項目: 取り消した日時; 個人 — the person cancelled through their link
  created_ms   INTEGER NOT NULL -- 項目: 作成日時; 一般
);
CREATE INDEX course_signups_course ON course_signups(course_id);

-- A sign-up's choice of a session, in order of preference (pref 1 first). state: booked (has a
-- place), waiting (on the session's waitlist, in order of queued_ms then id), off (not in use:
-- another choice got the place, or the session was cancelled), cancelled (the person cancelled).
-- reminded_ms: the reminder of the day before was queued (once, whatever restarts).
CREATE TABLE course_entries ( -- 表: 回ごとの申込; course; 本人: 申込者
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  signup_id   INTEGER NOT NULL REFERENCES course_signups(id), -- 項目: 申込の番号; 一般
  session_id  INTEGER NOT NULL REFERENCES course_sessions(id), -- 項目: 回の番号; 一般
  pref        INTEGER NOT NULL, -- 項目: 希望の順; 個人
  state       TEXT NOT NULL CHECK (state IN ('booked','waiting','off','cancelled')), -- 項目: 状態（当選・落選・キャンセル待ち）; 個人
  queued_ms   INTEGER NOT NULL, -- 項目: キャンセル待ちの日時; 個人
  reminded_ms INTEGER, -- 項目: 案内を送った日時; 一般
  updated_ms  INTEGER NOT NULL, -- 項目: 更新日時; 一般
  UNIQUE (signup_id, session_id)
);
CREATE INDEX course_entries_session ON course_entries(session_id, state);
