-- What the national monitoring needs of each intervento beyond the register: its local project
-- code (COD_LOCALE_PROGETTO, given once from a sequence, never changed nor reused, kept when the
-- project is cancelled), its CUP's nature and its localisation (ISTAT codes); and its soggetti
-- collegati (PUC SC00) with their TC24 role.
CREATE SEQUENCE puc_local_code_seq;
CREATE TABLE puc_projects (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    intervento_code TEXT NOT NULL UNIQUE,
    local_code      TEXT NOT NULL UNIQUE
                    DEFAULT 'APQ-SI-TOSCANA-' || lpad(nextval('puc_local_code_seq')::text, 4, '0'),
    natura_cup      TEXT CHECK (natura_cup ~ '^[0-9]{2}$'),
    cod_regione     TEXT CHECK (cod_regione ~ '^[0-9]{2}$'),
    cod_provincia   TEXT CHECK (cod_provincia ~ '^[0-9]{3}$'),
    cod_comune      TEXT CHECK (cod_comune ~ '^[0-9]{6}$'),
    source_ref      TEXT,
    cancelled_on    DATE,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE soggetti (
    id              UUID PRIMARY KEY,
    intervento_code TEXT NOT NULL,
    role            SMALLINT NOT NULL CHECK (role BETWEEN 1 AND 99),
    name            TEXT NOT NULL,
    -- Unknown is NULL: the seed gives no codice fiscale or IPA code for the IV Atto's parties.
    codice_fiscale  TEXT,
    public          BOOLEAN,
    ipa             TEXT CHECK (length(ipa) <= 10),
    source_ref      TEXT,
    recorded_by     TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX soggetti_by_intervento ON soggetti (intervento_code, role);

-- The IV Atto's three interventi. The nature 02 (acquisto o realizzazione di servizi) is ours:
-- the seed gives no CUP nature. The Regione Toscana is the localisation (ISTAT region 09).
INSERT INTO puc_projects (intervento_code, natura_cup, cod_regione, source_ref) VALUES
    ('CSTT-ALI', '02', '09', 'natura ours (ICT services, not in the seed); region: the Regione Toscana'),
    ('E-TOSCANA-RIUSO', '02', '09', 'natura ours (ICT services, not in the seed); region: the Regione Toscana'),
    ('GEOSIGMA', '02', '09', 'natura ours (ICT services, not in the seed); region: the Regione Toscana');
-- CNIPA holds the national programme (L125-128: "assegna al CNIPA la titolarità del progetto"),
-- the Regione Toscana receives the co-financing (L385: "Il CNIPA trasferirà alla Regione Toscana
-- la quota di cofinanziamento"). Both are public bodies; codice fiscale and IPA code unknown.
INSERT INTO soggetti (id, intervento_code, role, name, codice_fiscale, public, ipa, source_ref, recorded_by)
SELECT gen_random_uuid(), code, role, name, NULL, TRUE, NULL, ref, 'dataset'
FROM (VALUES ('CSTT-ALI'), ('E-TOSCANA-RIUSO'), ('GEOSIGMA')) AS i (code),
     (VALUES (1, 'CNIPA - Centro Nazionale per l''Informatica nella Pubblica Amministrazione', 'L90-91, L125-128'),
             (2, 'Regione Toscana', 'L385-386')) AS s (role, name, ref);
