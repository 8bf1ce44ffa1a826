-- The APQ register: accordi, atti integrativi, interventi with their money, activities,
-- responsible persons, tranche plans, Tavolo decisions and conciliations.
-- Money is NUMERIC(15,2); every mutable row has a version for ETag / If-Match.

CREATE TABLE accordi (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    signed_on   DATE,
    signatories TEXT[] NOT NULL DEFAULT '{}',
    source_ref  TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE atti_integrativi (
    id          UUID PRIMARY KEY,
    accordo_id  UUID NOT NULL REFERENCES accordi (id),
    number      INTEGER NOT NULL CHECK (number > 0),
    title       TEXT NOT NULL,
    signed_on   DATE,
    signatories TEXT[] NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'closed')),
    source_ref  TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (accordo_id, number)
);

CREATE TABLE interventi (
    id                              UUID PRIMARY KEY,
    atto_id                         UUID NOT NULL REFERENCES atti_integrativi (id),
    code                            TEXT NOT NULL UNIQUE,
    title                           TEXT NOT NULL,
    kind                            TEXT NOT NULL CHECK (kind IN ('ali', 'riuso')),
    sezione                         TEXT NOT NULL CHECK (sezione IN ('attuativa', 'programmatica')),
    state                           TEXT NOT NULL DEFAULT 'active'
                                    CHECK (state IN ('active', 'cancelled', 'revoked', 'completed')),
    cup                             CHAR(15) UNIQUE,
    localisation                    TEXT,
    objective                       TEXT,
    soggetti_coinvolti              TEXT,
    economic_social_impact          TEXT,
    activities_and_services         TEXT,
    financing_description           TEXT,
    phases_financed                 TEXT,
    activation_mode                 TEXT,
    administrative_steps            TEXT,
    design_level                    TEXT,
    total_cost                      NUMERIC(15, 2) NOT NULL CHECK (total_cost >= 0),
    cnipa_cofinancing               NUMERIC(15, 2) NOT NULL CHECK (cnipa_cofinancing >= 0),
    reuse_agreements_formalised_on  DATE,
    progetto_esecutivo_validated_on DATE,
    source_ref                      TEXT,
    version                         BIGINT NOT NULL DEFAULT 1,
    created_at                      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX interventi_atto ON interventi (atto_id, sezione, code);

-- The cost x funding matrix of an intervento (cells; totals are derived).
CREATE TABLE cost_lines (
    id            UUID PRIMARY KEY,
    intervento_id UUID NOT NULL REFERENCES interventi (id) ON DELETE CASCADE,
    category      TEXT NOT NULL,
    funding       TEXT NOT NULL CHECK (funding IN ('cnipa', 'costi_interni', 'bilancio_regione', 'eell')),
    period        TEXT NOT NULL DEFAULT '',
    amount        NUMERIC(15, 2) NOT NULL CHECK (amount >= 0),
    source_ref    TEXT,
    UNIQUE (intervento_id, category, funding, period)
);

-- The financing plan (Tavola 1 headings, grouped by contributor for Tavola 2).
CREATE TABLE financing_sources (
    id            UUID PRIMARY KEY,
    intervento_id UUID NOT NULL REFERENCES interventi (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    contributor   TEXT NOT NULL CHECK (contributor IN ('stato', 'regione_toscana', 'eell', 'altro')),
    heading       TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    amount        NUMERIC(15, 2) NOT NULL CHECK (amount >= 0),
    cnipa         BOOLEAN NOT NULL,
    source_ref    TEXT,
    UNIQUE (intervento_id, position)
);

CREATE TABLE activities (
    id                  UUID PRIMARY KEY,
    intervento_id       UUID NOT NULL REFERENCES interventi (id) ON DELETE CASCADE,
    code                TEXT NOT NULL,
    phase               TEXT,
    title               TEXT NOT NULL,
    description         TEXT,
    start_on            DATE,
    end_on              DATE,
    responsible         TEXT,
    profiles            TEXT,
    products            TEXT,
    validation_criteria TEXT,
    service_number      INTEGER,
    source_ref          TEXT,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_id, code),
    CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on)
);

CREATE TABLE activity_costs (
    activity_id UUID NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    amount      NUMERIC(15, 2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (activity_id, category)
);

CREATE TABLE persons (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    organisation TEXT,
    email        TEXT,
    source_ref   TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE responsibilities (
    id            UUID PRIMARY KEY,
    person_id     UUID NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('soggetto_responsabile_accordo', 'responsabile_intervento', 'rup', 'referente_proponente')),
    accordo_id    UUID REFERENCES accordi (id),
    intervento_id UUID REFERENCES interventi (id) ON DELETE CASCADE
);
CREATE INDEX responsibilities_person ON responsibilities (person_id);
CREATE INDEX responsibilities_intervento ON responsibilities (intervento_id);
CREATE INDEX responsibilities_accordo ON responsibilities (accordo_id);

CREATE TABLE tranches (
    id                          UUID PRIMARY KEY,
    intervento_id               UUID NOT NULL REFERENCES interventi (id) ON DELETE CASCADE,
    seq                         INTEGER NOT NULL CHECK (seq > 0),
    share                       NUMERIC(5, 2) NOT NULL CHECK (share > 0 AND share <= 100),
    amount                      NUMERIC(15, 2) NOT NULL CHECK (amount >= 0),
    condition                   TEXT NOT NULL,
    requires_plan_approved      BOOLEAN NOT NULL DEFAULT false,
    requires_progetto_esecutivo BOOLEAN NOT NULL DEFAULT false,
    sal_verification            INTEGER,
    sal_threshold               NUMERIC(5, 2),
    adhesion_share_threshold    NUMERIC(5, 2),
    months_of_operation         INTEGER,
    state                       TEXT NOT NULL DEFAULT 'planned'
                                CHECK (state IN ('planned', 'eligible', 'requested', 'paid', 'revoked')),
    version                     BIGINT NOT NULL DEFAULT 1,
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_id, seq)
);

CREATE TABLE tranche_transitions (
    id         BIGSERIAL PRIMARY KEY,
    tranche_id UUID NOT NULL REFERENCES tranches (id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    act_ref    TEXT,
    evaluation JSONB
);
CREATE INDEX tranche_transitions_tranche ON tranche_transitions (tranche_id, id);

CREATE TABLE tavolo_decisions (
    id            UUID PRIMARY KEY,
    atto_id       UUID NOT NULL REFERENCES atti_integrativi (id),
    intervento_id UUID REFERENCES interventi (id),
    kind          TEXT NOT NULL CHECK (kind IN ('reactivate', 'cancel', 'reprogram_savings', 'change_coverage',
                                               'promote_to_attuativa', 'partial_revocation', 'total_revocation',
                                               'refer_to_comitato')),
    decided_on    DATE NOT NULL,
    verbale_ref   TEXT,
    summary       TEXT NOT NULL,
    payload       JSONB NOT NULL DEFAULT '{}',
    actor         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tavolo_decisions_atto ON tavolo_decisions (atto_id, decided_on);
CREATE INDEX tavolo_decisions_intervento ON tavolo_decisions (intervento_id);

-- Art. 9: invitation to conciliate, agreement in a signed verbale, or referral to the Comitato paritetico.
CREATE TABLE conciliations (
    id            UUID PRIMARY KEY,
    atto_id       UUID NOT NULL REFERENCES atti_integrativi (id),
    intervento_id UUID REFERENCES interventi (id),
    subject       TEXT NOT NULL,
    parties       TEXT[] NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('invited', 'agreed', 'referred')),
    invited_on    DATE NOT NULL,
    agreed_on     DATE,
    verbale_ref   TEXT,
    referred_on   DATE,
    decision_id   UUID REFERENCES tavolo_decisions (id),
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX conciliations_atto ON conciliations (atto_id);
CREATE INDEX conciliations_intervento ON conciliations (intervento_id);
CREATE INDEX conciliations_decision ON conciliations (decision_id);
