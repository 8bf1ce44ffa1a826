-- The annual cost plan of an intervento (PUC FN03: per year, what was realised and what is still
-- to realise) and its economies (FN10: savings ascertained at the semestral monitoring, art. 4.3
-- of the IV Atto, by source of financing). Recorded data: the seed gives neither for the IV
-- Atto's interventi (the CSTT's three-year costs of its Cap. 4 are the centre's running costs
-- over "1° anno, 2° anno, 3° anno", not the intervento's plan by calendar year), so nothing is
-- seeded: an unknown plan is absent, never zero. Each row is versioned and every write audited.
CREATE TABLE cost_plan_years (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    year            INTEGER NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    realised        NUMERIC(15, 2) NOT NULL CHECK (realised >= 0),
    to_realise      NUMERIC(15, 2) NOT NULL CHECK (to_realise >= 0),
    recorded_by     TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_code, year)
);
-- One economy per source of financing (the contributor of the agreements register: stato,
-- regione_toscana, eell, altro), as FN10 carries one amount per fund.
CREATE TABLE economies (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    fund            TEXT NOT NULL CHECK (fund IN ('stato', 'regione_toscana', 'eell', 'altro')),
    amount          NUMERIC(15, 2) NOT NULL CHECK (amount > 0),
    ascertained_on  DATE NOT NULL,
    note            TEXT,
    recorded_by     TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_code, fund)
);
