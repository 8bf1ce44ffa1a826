-- Benchmark data for the adhesion service. psql -v scale=tuscany|national
-- Aggregations: three unioni per province, the province's comuni shared among them.
INSERT INTO enti (id, code, kind, name, region_code, province_code, province_short)
SELECT md5('UNI-' || p.province_code || '-' || g)::uuid, 'UNI-' || p.province_code || '-' || g, 'unione',
       'Unione ' || p.province_short || ' ' || g, p.region_code, p.province_code, p.province_short
FROM (SELECT DISTINCT province_code, province_short, region_code FROM enti WHERE kind = 'comune') p,
     generate_series(1, 3) g
WHERE :'scale' = 'national' OR p.region_code = '09'
ON CONFLICT (code) DO NOTHING;

INSERT INTO aggregation_members (aggregation_id, member_id)
SELECT md5('UNI-' || c.province_code || '-' || (1 + (row_number() OVER (PARTITION BY c.province_code ORDER BY c.code)) % 3))::uuid, c.id
FROM enti c
WHERE c.kind = 'comune' AND (:'scale' = 'national' OR c.region_code = '09')
ON CONFLICT DO NOTHING;

-- Adhesions: every comune in scope to 19 services, in a spread of states.
INSERT INTO adhesions (id, ente_id, service_number, sub_service, service_version, service_name, state,
                       requested_on, commitment_signed_on, activated_on)
SELECT md5(e.code || '-' || s)::uuid, e.id, s, '', 1, 'Servizio ' || s,
       (ARRAY['requested', 'commitment_signed', 'active', 'active'])[1 + (abs(hashtext(e.code || s)) % 4)],
       DATE '2009-01-15',
       CASE WHEN abs(hashtext(e.code || s)) % 4 >= 1 THEN DATE '2009-04-01' END,
       CASE WHEN abs(hashtext(e.code || s)) % 4 >= 2 THEN DATE '2009-09-01' END
FROM enti e, generate_series(1, 19) s
WHERE e.kind = 'comune' AND (:'scale' = 'national' OR e.region_code = '09')
ON CONFLICT DO NOTHING;
ANALYZE;
