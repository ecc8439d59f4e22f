-- 0036_lifecycle.sql — the data's life at the ward's end of it (issue 19): the backups made (the
-- ward administrator's screen lists them with the last success) and erasures at a service's
-- contract end (データ消去): one ward administrator asks, another confirms, and the erasure's
-- certificate (消去証明書) is kept with it. No personal data here.
CREATE TABLE backup_runs ( -- 表: バックアップの記録; platform
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  started_ms  INTEGER NOT NULL, -- 項目: 開始日時; 一般
  finished_ms INTEGER NOT NULL, -- 項目: 終了日時; 一般
  file        TEXT NOT NULL, -- 項目: バックアップファイル; 一般 — its path
  bytes       INTEGER NOT NULL DEFAULT 0, -- 項目: 大きさ; 一般
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)), -- 項目: 成功; 一般
  how         TEXT NOT NULL CHECK (how IN ('cli', 'nightly', 'screen')), -- 項目: 方法; 一般
  actor       TEXT NOT NULL, -- 項目: 実行した人; 一般 — "cli", "job", "user:ID"
  problem     TEXT -- 項目: 失敗の理由; 一般 — a Japanese sentence, NULL when ok
);
CREATE INDEX backup_runs_started ON backup_runs(started_ms);

CREATE TABLE erasures ( -- 表: データ消去の記録; platform; 本人: 職員
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  service      TEXT NOT NULL, -- 項目: サービス; 一般 — its name (its key's name)
  state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'cancelled')), -- 項目: 状態; 一般
  requested_by INTEGER NOT NULL REFERENCES users(id), -- 項目: 依頼した区の管理者; 一般
  requested_ms INTEGER NOT NULL, -- 項目: 依頼日時; 一般
  confirmed_by INTEGER REFERENCES users(id), -- 項目: 確認した区の管理者; 一般 — never the one who asked
  done_ms      INTEGER, -- 項目: 消去日時; 一般 — or when cancelled
  fingerprint  TEXT, -- 項目: 破棄した鍵の指紋; 一般
  counts       TEXT, -- 項目: 消去した件数; 一般 — JSON: the rows deleted per table
  certificate  BLOB -- 項目: 消去証明書; 一般 — the PDF (logins of the two administrators)
);
-- One request waits per service at a time.
CREATE UNIQUE INDEX erasures_pending ON erasures(service) WHERE state = 'pending';
