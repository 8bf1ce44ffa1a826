-- CNIPA's verifications of one intervento, each with its date, act and who made it: the Piano di
-- monitoraggio approved (ALI tranche 1, art. 4.2.a), the ALI admissibility requirements still
-- holding (tranches 2 and 3, art. 4.2), the project's completion (ALI 3, RIUSO 4).
CREATE TABLE verifications (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('piano_approved', 'admissibility', 'completion')),
    verified_on     DATE NOT NULL,
    act_ref         TEXT NOT NULL,
    -- Who made the verification (the office or person the act names).
    verified_by     TEXT NOT NULL,
    -- The outcome: an admissibility verification may find the requirements no longer hold.
    holds           BOOLEAN NOT NULL,
    note            TEXT,
    recorded_by     TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX verifications_intervento ON verifications (intervento_code, kind, verified_on);
