DROP TABLE audit_log;
DROP TABLE idempotency_keys;
