-- The bodies registry also holds the comuni that no longer exist (merged away), with the dates
-- of their existence (ANPR's archive), so an adherent of 2007 can be registered; and the date of
-- the population the small-comune flag uses, which is never the seed's 31.12.2004 classification.
ALTER TABLE enti
    ADD COLUMN existed_from DATE,
    ADD COLUMN ceased_on DATE,
    ADD COLUMN population_as_of DATE;
UPDATE enti SET population_as_of = DATE '2023-01-01' WHERE population IS NOT NULL;
