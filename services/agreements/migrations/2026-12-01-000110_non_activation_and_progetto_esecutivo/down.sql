ALTER TABLE interventi DROP COLUMN progetto_esecutivo_approval;
ALTER TABLE interventi DROP COLUMN non_activation;
-- An intervento not activated goes back to the state closest to it before the state existed.
UPDATE interventi SET state = 'cancelled' WHERE state = 'not_activated';
ALTER TABLE interventi DROP CONSTRAINT interventi_state_check;
ALTER TABLE interventi ADD CONSTRAINT interventi_state_check
    CHECK (state IN ('active', 'cancelled', 'revoked', 'completed'));
