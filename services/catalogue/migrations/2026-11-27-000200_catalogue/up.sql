-- The service catalogue: one row per service with its current version (for filters and
-- Italian full-text search), and every version of its record, which adhesions refer to.

CREATE TABLE services (
    number          INTEGER PRIMARY KEY CHECK (number > 0),
    name            TEXT NOT NULL,
    ambito          TEXT,
    tipologia       TEXT,
    availability    TEXT NOT NULL CHECK (availability IN ('available', 'in_development', 'planned')),
    pricing_models  TEXT[] NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    current_version INTEGER NOT NULL CHECK (current_version > 0),
    search_text     TEXT NOT NULL,
    search          TSVECTOR GENERATED ALWAYS AS (to_tsvector('italian', search_text)) STORED,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX services_search ON services USING GIN (search);
CREATE INDEX services_ambito ON services (ambito);

CREATE TABLE service_versions (
    service_number INTEGER NOT NULL REFERENCES services (number),
    version        INTEGER NOT NULL CHECK (version > 0),
    status         TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    record         JSONB NOT NULL,
    changed_by     TEXT NOT NULL,
    reason         TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (service_number, version)
);

-- The two-year ALI budget the services' costs are checked against.
CREATE TABLE budget (
    id               BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    two_year_budget  NUMERIC(15, 2) NOT NULL,
    management_model NUMERIC(15, 2) NOT NULL,
    source_ref       TEXT
);
