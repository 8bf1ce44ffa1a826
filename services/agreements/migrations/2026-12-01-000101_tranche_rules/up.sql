-- Every condition of art. 4.2 and 5.5 as a flag the monitoring service checks, and the ALI's
-- start date, from which the catalogue's relative go-lives (PAeSI 18, Repository 9, Hosting 12
-- months) become dates. Expand only: the running version ignores the new columns.
ALTER TABLE tranches
    ADD COLUMN requires_services_usable BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN requires_admissibility   BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN requires_completion      BOOLEAN NOT NULL DEFAULT false;

-- The plans already written: ALI 2 needs the services usable and admissibility; ALI 3 the
-- completion and admissibility; RIUSO 4 the completion.
UPDATE tranches t SET requires_services_usable = (i.kind = 'ali' AND t.seq = 2),
                      requires_admissibility = (i.kind = 'ali' AND t.seq IN (2, 3)),
                      requires_completion = ((i.kind = 'ali' AND t.seq = 3) OR (i.kind = 'riuso' AND t.seq = 4))
FROM interventi i WHERE i.id = t.intervento_id;

ALTER TABLE interventi ADD COLUMN started_on DATE;
