-- 0004_manual_scans.sql — manual entry/exit by staff (a forgotten card): who recorded it and
-- why. The reason is free text that may name people, so it is stored sealed ("scans.reason").
ALTER TABLE scans ADD COLUMN manual_by INTEGER REFERENCES users(id);
ALTER TABLE scans ADD COLUMN reason_enc BLOB;
