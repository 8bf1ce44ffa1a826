-- Art. 5.7: the non-activation of an intervento of the sezione programmatica is a motivated act
-- of the Regione Toscana (technical or administrative difficulties): a state of its own, and the
-- act (date, reference, motivation, who recorded it).
ALTER TABLE interventi DROP CONSTRAINT interventi_state_check;
ALTER TABLE interventi ADD CONSTRAINT interventi_state_check
    CHECK (state IN ('active', 'cancelled', 'revoked', 'completed', 'not_activated'));
ALTER TABLE interventi ADD COLUMN non_activation JSONB;

-- Art. 5.5.a: CNIPA's approval of the progetto esecutivo, recorded as its act (date, act, who made
-- it, who recorded it). `progetto_esecutivo_validated_on` stays, written with it (expand only: the
-- running version reads it). A date recorded before this migration is migrated as an approval
-- without an act: shown as such, and it releases no tranche until CNIPA's act is recorded.
ALTER TABLE interventi ADD COLUMN progetto_esecutivo_approval JSONB;
UPDATE interventi
   SET progetto_esecutivo_approval = jsonb_build_object(
           'approved_on', progetto_esecutivo_validated_on,
           'act_ref', NULL, 'approved_by', NULL, 'recorded_by', NULL)
 WHERE progetto_esecutivo_validated_on IS NOT NULL;
