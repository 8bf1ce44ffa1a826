-- The day a tranche's change of state took effect, as its act says (for `paid`, the day the
-- State paid: the national file's DATA_TRASFERIMENTO), which may be earlier than the day it was
-- recorded (`at`). Expand-only: the transitions recorded before keep the day they were recorded.
ALTER TABLE tranche_transitions ADD COLUMN effective_on DATE;
UPDATE tranche_transitions SET effective_on = (at AT TIME ZONE 'UTC')::date;
ALTER TABLE tranche_transitions ALTER COLUMN effective_on SET DEFAULT CURRENT_DATE;
ALTER TABLE tranche_transitions ALTER COLUMN effective_on SET NOT NULL;
