-- The national transmissions (PUC files sent to IGRUE) as records: each keeps the file exactly as
-- sent, its date, who sent it and every record in it with its progressivo, structure and what it
-- carries (so IGRUE's answer, which names records by progressivo, lands on the right one, and a
-- record whose entity is gone is sent again as a tombstone).
CREATE TABLE puc_transmissions (
    id          UUID PRIMARY KEY,
    -- The order transmissions were made in (the last one is the one the next file follows).
    seq         BIGSERIAL NOT NULL UNIQUE,
    semester    TEXT NOT NULL CHECK (semester ~ '^[0-9]{4}-S[12]$'),
    as_of       DATE NOT NULL,
    sender      TEXT NOT NULL,
    records     BIGINT NOT NULL CHECK (records >= 0),
    file        TEXT NOT NULL,
    sent_by     TEXT NOT NULL,
    -- IGRUE's answer, exactly as uploaded, once read.
    response    TEXT,
    answered_by TEXT,
    answered_at TIMESTAMPTZ,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE puc_transmission_records (
    transmission_id UUID NOT NULL REFERENCES puc_transmissions (id),
    progressivo     BIGINT NOT NULL CHECK (progressivo > 0),
    structure       TEXT NOT NULL,
    intervento_code TEXT NOT NULL,
    -- What the record carries: a movement's code, a phase's, a soggetto's name...
    entity          TEXT NOT NULL,
    -- FLG_CANCELLAZIONE = S: the record deletes one sent before.
    deleted         BOOLEAN NOT NULL,
    -- The values as sent, in the structure's field order (a tombstone repeats them).
    fields          TEXT[] NOT NULL,
    -- IGRUE's refusal of the record: its class (1 own rules, 2 cross-structure) and the fields
    -- in error with IGRUE's code and description.
    refusal_class   SMALLINT CHECK (refusal_class IN (1, 2)),
    errors          JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (transmission_id, progressivo)
);
CREATE INDEX puc_transmission_records_by_intervento
    ON puc_transmission_records (intervento_code, transmission_id);
