DROP TABLE phase_plan_changes;
DROP TABLE phases;
