ALTER TABLE tranche_transitions DROP COLUMN effective_on;
