-- Public bodies (comuni, province, aggregations) and their adhesions to the catalogue's services.

CREATE TABLE enti (
    id              UUID PRIMARY KEY,
    -- The body's code: the ISTAT code for a comune, "P" + the province code for a province,
    -- a chosen code for an aggregation. The `ente` claim of a token names it.
    code            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('comune', 'provincia', 'regione', 'comunita_montana', 'unione', 'circondario', 'gestione_associata')),
    name            TEXT NOT NULL,
    istat_code      CHAR(6) UNIQUE,
    province_code   CHAR(3),
    province_short  TEXT,
    region_code     CHAR(2),
    cadastral_code  CHAR(4),
    population      INTEGER CHECK (population >= 0),
    piccolo_comune  BOOLEAN GENERATED ALWAYS AS (kind = 'comune' AND population < 5000) STORED,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX enti_region_kind ON enti (region_code, kind, code);

CREATE TABLE aggregation_members (
    aggregation_id UUID NOT NULL REFERENCES enti (id) ON DELETE CASCADE,
    member_id      UUID NOT NULL REFERENCES enti (id),
    PRIMARY KEY (aggregation_id, member_id)
);
CREATE INDEX aggregation_members_member ON aggregation_members (member_id);

CREATE TABLE adhesions (
    id                   UUID PRIMARY KEY,
    ente_id              UUID NOT NULL REFERENCES enti (id),
    service_number       INTEGER NOT NULL CHECK (service_number > 0),
    sub_service          TEXT NOT NULL DEFAULT '',
    -- The catalogue version the adhesion was made against.
    service_version      INTEGER NOT NULL,
    service_name         TEXT NOT NULL,
    via_aggregation_id   UUID REFERENCES enti (id),
    state                TEXT NOT NULL CHECK (state IN ('requested', 'commitment_signed', 'active', 'ceased')),
    requested_on         DATE NOT NULL,
    request_act          TEXT,
    commitment_signed_on DATE,
    commitment_act       TEXT,
    activated_on         DATE,
    activation_act       TEXT,
    ceased_on            DATE,
    cessation_act        TEXT,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (commitment_signed_on IS NULL OR commitment_signed_on >= requested_on),
    CHECK (activated_on IS NULL OR activated_on >= commitment_signed_on),
    CHECK (ceased_on IS NULL OR ceased_on >= activated_on)
);
-- One live adhesion per body, service and sub-service.
CREATE UNIQUE INDEX adhesions_live ON adhesions (ente_id, service_number, sub_service) WHERE state <> 'ceased';
-- "Which services has comune X activated": one index scan.
CREATE INDEX adhesions_ente_state ON adhesions (ente_id, state, service_number);
CREATE INDEX adhesions_service_state ON adhesions (service_number, state);
CREATE INDEX adhesions_via ON adhesions (via_aggregation_id);

CREATE TABLE adhesion_events (
    id          BIGSERIAL PRIMARY KEY,
    adhesion_id UUID NOT NULL REFERENCES adhesions (id) ON DELETE CASCADE,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    on_date     DATE NOT NULL,
    act_ref     TEXT,
    actor       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX adhesion_events_adhesion ON adhesion_events (adhesion_id, id);
