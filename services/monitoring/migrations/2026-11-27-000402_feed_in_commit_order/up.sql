-- The feed in commit order: a scheda's change_seq is given at commit, under the database's
-- position lock (see the platform's apq_assign_commit_position), instead of by nextval when the
-- statement runs. Writers set change_seq to NULL (creation leaves it so: no default) and the
-- deferred trigger fills it in; a committed row always has one.
ALTER TABLE schede ALTER COLUMN change_seq DROP DEFAULT, ALTER COLUMN change_seq DROP NOT NULL;
CREATE CONSTRAINT TRIGGER schede_change_seq AFTER INSERT OR UPDATE ON schede
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.change_seq IS NULL)
    EXECUTE FUNCTION apq_assign_commit_position('change_seq', 'id', 'feed_seq');
