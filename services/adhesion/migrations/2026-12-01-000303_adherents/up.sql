-- The adherents of each intervento (art. 4.2.b counts "i Comuni aderenti"; art. 10.3's later
-- adhesions to the Accordo are registered the same way) and the count the Atto declares for it,
-- which is the 30% rule's denominator until the Tavolo changes it.
CREATE TABLE declared_adherents (
    intervento_code TEXT PRIMARY KEY,
    -- comuni (CSTT-ALI: the Tuscan comuni under 5.000 inhabitants at 31.12.2004) or amministrazioni.
    unit            TEXT NOT NULL CHECK (unit IN ('comuni', 'amministrazioni')),
    declared_count  INTEGER NOT NULL CHECK (declared_count > 0),
    declared_priority INTEGER CHECK (declared_priority >= 0 AND declared_priority <= declared_count),
    source_ref      TEXT NOT NULL
);
INSERT INTO declared_adherents (intervento_code, unit, declared_count, declared_priority, source_ref) VALUES
    ('CSTT-ALI', 'comuni', 138, 114, 'L1700-1701, L6812-6815 (Allegato 2)'),
    ('GEOSIGMA', 'amministrazioni', 286, NULL, 'L6703-6705');

CREATE TABLE adherents (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    ente_id         UUID NOT NULL REFERENCES enti (id),
    adhered_on      DATE NOT NULL,
    -- The adhesion letter or delibera.
    act_ref         TEXT NOT NULL,
    priority        BOOLEAN NOT NULL DEFAULT false,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_code, ente_id)
);
CREATE INDEX adherents_ente ON adherents (ente_id);
