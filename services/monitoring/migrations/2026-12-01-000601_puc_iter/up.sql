-- The procedural iter of an intervento (PUC PR00): one row per phase of the national table TC46,
-- with planned and actual dates. A planned date that changes leaves the earlier plan in
-- phase_plan_changes, so a slip stays visible.
CREATE TABLE phases (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    code            TEXT NOT NULL,
    planned_start   DATE,
    planned_end     DATE CHECK (planned_end >= planned_start),
    actual_start    DATE,
    actual_end      DATE CHECK (actual_end >= actual_start),
    recorded_by     TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (intervento_code, code)
);
CREATE TABLE phase_plan_changes (
    id            BIGSERIAL PRIMARY KEY,
    phase_id      UUID NOT NULL REFERENCES phases (id),
    planned_start DATE,
    planned_end   DATE,
    reason        TEXT NOT NULL,
    changed_by    TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX phase_plan_changes_by_phase ON phase_plan_changes (phase_id);
