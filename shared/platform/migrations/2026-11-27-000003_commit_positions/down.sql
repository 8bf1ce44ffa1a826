DROP INDEX audit_log_entity;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
DROP TRIGGER audit_log_position ON audit_log;
ALTER TABLE audit_log DROP COLUMN position;
DROP SEQUENCE audit_log_position_seq;
DROP FUNCTION apq_assign_commit_position();
