ALTER TABLE enti DROP COLUMN existed_from, DROP COLUMN ceased_on, DROP COLUMN population_as_of;
