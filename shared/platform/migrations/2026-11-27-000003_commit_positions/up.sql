-- Positions assigned at commit, in commit order: what makes a cursor over changes (the audit
-- trail here, a service's change feed) safe to follow.
--
-- A position taken from a sequence while the transaction runs is handed out in statement order,
-- not commit order: a transaction that takes 10 and commits after another that took 11 is never
-- seen by a reader whose cursor already passed 11. Instead, a writer marks a row as changed by
-- leaving its position NULL, and this trigger, deferred to commit time, gives it the next value
-- while holding one advisory lock per database. The lock is held until the transaction ends and
-- PostgreSQL releases it only after the commit is visible, so whoever takes the lock next (and
-- the next position) commits after it: a reader that has seen position P never sees a smaller
-- one appear later. Readers never see NULL (uncommitted rows are invisible, and the trigger runs
-- before the commit) and never take the lock.
--
-- Use it as
--   CREATE CONSTRAINT TRIGGER <name> AFTER INSERT OR UPDATE ON <table>
--     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.<position> IS NULL)
--     EXECUTE FUNCTION apq_assign_commit_position('<position>', '<key>', '<sequence>');
-- (the table is the trigger's own). The UPDATE below sets the position, so the WHEN clause does
-- not queue it again; a row changed several times in one transaction queues several events, the
-- first gives it its position and the others find it set and do nothing; a transaction that
-- rolls back never fires the trigger, and one that fails after it leaves a harmless gap. The
-- cost: the commit tails of one database's writers (from this trigger to the end of the commit,
-- WAL flush included) take turns.
CREATE FUNCTION apq_assign_commit_position() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- One fixed key per database ("APQ-POSN"), shared by every table positioned this way.
    PERFORM pg_advisory_xact_lock(x'4150512d504f534e'::bigint);
    EXECUTE format('UPDATE %s SET %I = nextval(%L) WHERE %I = ($1).%I AND %I IS NULL',
                   TG_RELID::regclass, TG_ARGV[0], TG_ARGV[2], TG_ARGV[1], TG_ARGV[1], TG_ARGV[0])
        USING NEW;
    RETURN NULL;
END
$$;

-- The audit trail's position: its cursor pages by it. Existing entries keep their id as their
-- position, so cursors issued before this migration still mean the same place.
ALTER TABLE audit_log ADD COLUMN position BIGINT UNIQUE;
UPDATE audit_log SET position = id;
CREATE SEQUENCE audit_log_position_seq;
SELECT setval('audit_log_position_seq', coalesce(max(position), 0) + 1, false) FROM audit_log;
CREATE CONSTRAINT TRIGGER audit_log_position AFTER INSERT OR UPDATE ON audit_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.position IS NULL)
    EXECUTE FUNCTION apq_assign_commit_position('position', 'id', 'audit_log_position_seq');
DROP INDEX audit_log_entity;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, position);
