-- An indicator's baseline or target that the seed does not give is unknown, not zero (every
-- baseline; the targets of IND-13, IND-15, IND-16, L6680-6690): absent, and never "reached".
ALTER TABLE indicators ALTER COLUMN baseline DROP NOT NULL, ALTER COLUMN target DROP NOT NULL;
UPDATE indicators SET baseline = NULL WHERE baseline = 0;
UPDATE indicators SET target = NULL WHERE target = 0 AND code IN ('IND-13', 'IND-15', 'IND-16');
