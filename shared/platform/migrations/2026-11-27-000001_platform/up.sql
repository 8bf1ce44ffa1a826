-- Tables every APQ service has in its own database: retried POSTs and the audit trail.

CREATE TABLE idempotency_keys (
    caller        TEXT        NOT NULL,
    key           TEXT        NOT NULL,
    request_hash  TEXT        NOT NULL,
    status        SMALLINT    NOT NULL,
    body          JSONB       NOT NULL,
    location      TEXT,
    etag          TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

CREATE TABLE audit_log (
    id          BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor       TEXT        NOT NULL,
    entity      TEXT        NOT NULL,
    entity_id   TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    reason      TEXT,
    before      JSONB,
    after       JSONB,
    request_id  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
