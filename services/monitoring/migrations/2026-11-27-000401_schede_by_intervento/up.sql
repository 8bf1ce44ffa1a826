-- Eligibility reads an intervento's validated schede; the feed and the report read by semester.
CREATE INDEX schede_intervento_state ON schede (intervento_code, state, semester);
