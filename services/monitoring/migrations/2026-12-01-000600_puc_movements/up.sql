-- The financial events of an intervento, as the national monitoring (PUC FN04, FN06) wants them:
-- each impegno and disimpegno, each pagamento and rettifica with its own code, date, type and
-- positive amount. Never edited: a correction is a new event. A scheda's commitments and
-- payments are derived from them (expand-only: the schede keep their columns).
CREATE TABLE movements (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('impegno', 'pagamento')),
    code            TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 20),
    -- I impegno, D disimpegno (impegni); P pagamento, R rettifica (pagamenti).
    tipologia       TEXT NOT NULL CHECK ((kind = 'impegno' AND tipologia IN ('I', 'D'))
                                      OR (kind = 'pagamento' AND tipologia IN ('P', 'R'))),
    on_date         DATE NOT NULL,
    amount          NUMERIC(15, 2) NOT NULL CHECK (amount > 0),
    causale         TEXT,
    note            TEXT,
    recorded_by     TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_code, kind, code)
);
CREATE INDEX movements_by_intervento ON movements (intervento_code, on_date);
