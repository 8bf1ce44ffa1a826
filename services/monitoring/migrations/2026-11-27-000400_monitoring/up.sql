-- Monitoring: obligations fulfilled, schede per intervento and semester, indicators, verified
-- service operation, defaults, and the Applicativo Intese feed's acknowledgements.

-- Obligations done (data entered, validation requested, report sent, piano submitted/approved).
CREATE TABLE obligations_done (
    kind       TEXT NOT NULL CHECK (kind IN ('piano_submitted', 'piano_approved', 'data_entry', 'validation_request', 'rapporto')),
    semester   TEXT NOT NULL DEFAULT '',
    done_on    DATE NOT NULL,
    act_ref    TEXT,
    actor      TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, semester)
);

CREATE SEQUENCE feed_seq;

CREATE TABLE schede (
    id              UUID PRIMARY KEY,
    intervento_id   UUID NOT NULL,
    intervento_code TEXT NOT NULL,
    semester        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'validated', 'returned')),
    sal             NUMERIC(5, 2) NOT NULL CHECK (sal >= 0 AND sal <= 100),
    planned_sal     NUMERIC(5, 2) CHECK (planned_sal >= 0 AND planned_sal <= 100),
    commitments     NUMERIC(15, 2) NOT NULL CHECK (commitments >= 0),
    payments        NUMERIC(15, 2) NOT NULL CHECK (payments >= 0),
    activities      JSONB NOT NULL DEFAULT '[]',
    obstacles       TEXT,
    corrective_actions TEXT,
    -- What the agreements register said of the intervento when the scheda was opened (CUP, cost,
    -- financing, cronoprogramma), so the feed is self-contained.
    intervento      JSONB NOT NULL,
    return_reason   TEXT,
    change_seq      BIGINT NOT NULL DEFAULT nextval('feed_seq'),
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_id, semester)
);
CREATE INDEX schede_change_seq ON schede (change_seq);
CREATE INDEX schede_semester ON schede (semester, intervento_code);

CREATE TABLE scheda_events (
    id        BIGSERIAL PRIMARY KEY,
    scheda_id UUID NOT NULL REFERENCES schede (id) ON DELETE CASCADE,
    from_state TEXT,
    to_state  TEXT NOT NULL,
    actor     TEXT NOT NULL,
    note      TEXT,
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX scheda_events_scheda ON scheda_events (scheda_id, id);

CREATE TABLE indicators (
    id              UUID PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL,
    intervento_code TEXT,
    baseline        NUMERIC(15, 2) NOT NULL,
    target          NUMERIC(15, 2) NOT NULL,
    source_ref      TEXT
);

CREATE TABLE measurements (
    indicator_id UUID NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    semester     TEXT NOT NULL,
    value        NUMERIC(15, 2) NOT NULL,
    actor        TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (indicator_id, semester)
);

-- Periods of verified service operation (the last tranche needs 12 months).
CREATE TABLE operation_periods (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    service_number  INTEGER,
    verified_from   DATE NOT NULL,
    verified_to     DATE NOT NULL CHECK (verified_to >= verified_from),
    act_ref         TEXT,
    actor           TEXT NOT NULL,
    at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX operation_periods_intervento ON operation_periods (intervento_code);

-- Inadempienze: a late or missing obligation, the deadline given, the referral to the Tavolo.
CREATE TABLE defaults (
    id             UUID PRIMARY KEY,
    obligation     TEXT NOT NULL,
    semester       TEXT NOT NULL DEFAULT '',
    party          TEXT NOT NULL,
    description    TEXT NOT NULL,
    opened_on      DATE NOT NULL,
    deadline       DATE,
    state          TEXT NOT NULL CHECK (state IN ('open', 'resolved', 'referred')),
    resolved_on    DATE,
    referred_on    DATE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (obligation, semester, party)
);

-- What the Applicativo Intese sync job transmitted, and CNIPA's validation (convalida).
CREATE TABLE acknowledgements (
    scheda_id      UUID NOT NULL REFERENCES schede (id),
    change_seq     BIGINT NOT NULL,
    transmitted_at TIMESTAMPTZ NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('transmitted', 'validated', 'rejected')),
    message        TEXT,
    actor          TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scheda_id, change_seq)
);
