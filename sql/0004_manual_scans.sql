-- 0004_manual_scans.sql — manual entry/exit by staff (a forgotten card): who recorded it and
-- why. The reason is free text that may name people, so it is stored sealed ("scans.reason").
ALTER TABLE scans ADD COLUMN manual_by INTEGER REFERENCES users(id); -- 項目: 手入力した職員の番号; 一般
ALTER TABLE scans ADD COLUMN reason_enc BLOB; -- 項目: 手入力の理由; 個人; 暗号化
