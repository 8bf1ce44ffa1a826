UPDATE indicators SET baseline = 0 WHERE baseline IS NULL;
UPDATE indicators SET target = 0 WHERE target IS NULL;
ALTER TABLE indicators ALTER COLUMN baseline SET NOT NULL, ALTER COLUMN target SET NOT NULL;
