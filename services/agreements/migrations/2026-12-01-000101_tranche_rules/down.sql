ALTER TABLE interventi DROP COLUMN started_on;
ALTER TABLE tranches DROP COLUMN requires_services_usable, DROP COLUMN requires_admissibility, DROP COLUMN requires_completion;
