DROP TRIGGER schede_change_seq ON schede;
UPDATE schede SET change_seq = nextval('feed_seq') WHERE change_seq IS NULL;
ALTER TABLE schede ALTER COLUMN change_seq SET DEFAULT nextval('feed_seq'), ALTER COLUMN change_seq SET NOT NULL;
