-- Benchmark data for the catalogue: about 200 services at national scale (copies of service 1's
-- record under new numbers), the eight of the seed at Tuscany scale.
INSERT INTO services (number, name, ambito, tipologia, availability, pricing_models, status, current_version, search_text)
SELECT n, 'Servizio ' || n, s.ambito, s.tipologia, s.availability, s.pricing_models, 'active', 1, 'Servizio ' || n || ' ' || s.search_text
FROM services s, generate_series(9, 200) n
WHERE s.number = 1 AND :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO service_versions (service_number, version, status, record, changed_by, reason)
SELECT n, 1, 'active', jsonb_set(jsonb_set(v.record, '{number}', to_jsonb(n)), '{name}', to_jsonb('Servizio ' || n)), 'bench', 'generated'
FROM service_versions v, generate_series(9, 200) n
WHERE v.service_number = 1 AND v.version = 1 AND :'scale' = 'national'
ON CONFLICT DO NOTHING;
ANALYZE;
