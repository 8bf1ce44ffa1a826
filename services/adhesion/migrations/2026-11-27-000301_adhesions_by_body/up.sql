-- The programme's figures walk each body's adhesions with their dates: an index-only scan.
CREATE INDEX adhesions_ente_dates ON adhesions (ente_id) INCLUDE (service_number, requested_on, ceased_on, commitment_signed_on);
