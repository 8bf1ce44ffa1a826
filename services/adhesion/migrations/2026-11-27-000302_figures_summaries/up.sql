-- The programme's figures, kept once computed until the data under them change. Every statement
-- that writes adhesions or enti moves the generation on (in the writer's transaction) and drops
-- the summaries; a summary is stored with the generation its snapshot saw, so one computed before
-- a write that committed meanwhile is never served after it. Shared by every replica.
CREATE TABLE figures_generation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation bigint NOT NULL
);
INSERT INTO figures_generation (singleton, generation) VALUES (true, 0);

CREATE TABLE figures_summaries (
    as_of date NOT NULL,
    -- 0: every service.
    service_number integer NOT NULL,
    -- '': every region.
    region_code text NOT NULL,
    generation bigint NOT NULL,
    -- The JSON document served, as it was written.
    figures text NOT NULL,
    PRIMARY KEY (as_of, service_number, region_code, generation)
);

CREATE FUNCTION figures_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE figures_generation SET generation = generation + 1;
    DELETE FROM figures_summaries;
    RETURN NULL;
END;
$$;

CREATE TRIGGER adhesions_figures AFTER INSERT OR UPDATE OR DELETE ON adhesions
    FOR EACH STATEMENT EXECUTE FUNCTION figures_data_changed();
CREATE TRIGGER adhesions_figures_truncate AFTER TRUNCATE ON adhesions
    FOR EACH STATEMENT EXECUTE FUNCTION figures_data_changed();
CREATE TRIGGER enti_figures AFTER INSERT OR UPDATE OR DELETE ON enti
    FOR EACH STATEMENT EXECUTE FUNCTION figures_data_changed();
CREATE TRIGGER enti_figures_truncate AFTER TRUNCATE ON enti
    FOR EACH STATEMENT EXECUTE FUNCTION figures_data_changed();

-- A service's name as its latest adhered version has it, without walking its adhesions.
CREATE INDEX adhesions_service_version ON adhesions (service_number, service_version DESC) INCLUDE (service_name);
