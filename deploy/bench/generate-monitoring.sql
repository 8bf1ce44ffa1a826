-- Benchmark data for monitoring: 20 semesters of schede for the 10,000 generated interventi
-- (national scale), 2 semesters for the IV Atto's three at Tuscany scale.
-- A bulk load with no reader watching: it gives change_seq itself, which spares the commit-time
-- trigger (a writer's change leaves it NULL) one UPDATE per row.
INSERT INTO schede (id, intervento_id, intervento_code, semester, state, sal, planned_sal, commitments, payments, intervento, change_seq)
SELECT md5('SC-' || n || '-' || s)::uuid, md5('INT-' || n)::uuid, 'INT-' || lpad(n::text, 5, '0'),
       (2000 + s / 2) || '-S' || (1 + s % 2), CASE WHEN s % 3 = 0 THEN 'submitted' ELSE 'validated' END,
       least(100, s * 5), least(100, s * 5 + 5), 100000.00 * s, 50000.00 * s,
       jsonb_build_object('code', 'INT-' || lpad(n::text, 5, '0'), 'cup', null, 'title', 'Intervento ' || n,
                          'total_cost', jsonb_build_object('amount', (1000000.00 + n)::text, 'currency', 'EUR')),
       nextval('feed_seq')
FROM generate_series(1, 10000) n, generate_series(0, 19) s WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
-- The national PUC file's data for the same 10,000 interventi: a project each (COD_LOCALE_PROGETTO
-- in the same namespace as the IV Atto's, after them), its two soggetti, the four phases of CUP
-- nature 02, two impegni and two pagamenti before 2010-S1 ends, and a cost plan of two years.
INSERT INTO puc_projects (id, intervento_code, local_code, natura_cup, cod_regione, source_ref)
SELECT md5('PP-' || n)::uuid, 'INT-' || lpad(n::text, 5, '0'), 'APQ-SI-BENCH-' || lpad(n::text, 5, '0'), '02',
       lpad((1 + n % 20)::text, 2, '0'), 'generated'
FROM generate_series(1, 10000) n WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO soggetti (id, intervento_code, role, name, codice_fiscale, public, ipa, source_ref, recorded_by)
SELECT md5('SG-' || n || '-' || r)::uuid, 'INT-' || lpad(n::text, 5, '0'), r,
       CASE r WHEN 1 THEN 'Programmatore ' ELSE 'Beneficiario ' END || n, NULL, TRUE, NULL, 'generated', 'bench'
FROM generate_series(1, 10000) n, generate_series(1, 2) r WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO phases (id, intervento_code, code, planned_start, planned_end, actual_start, actual_end, recorded_by)
SELECT md5('PH-' || n || '-' || f)::uuid, 'INT-' || lpad(n::text, 5, '0'), '020' || f,
       DATE '2007-01-01' + (f - 1) * 180, DATE '2007-01-01' + f * 180 - 1,
       CASE WHEN f <= 2 THEN DATE '2007-01-01' + (f - 1) * 180 + n % 30 END,
       CASE WHEN f = 1 THEN DATE '2007-01-01' + f * 180 + n % 30 END, 'bench'
FROM generate_series(1, 10000) n, generate_series(1, 4) f WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO movements (id, intervento_code, kind, code, tipologia, on_date, amount, causale, note, recorded_by)
SELECT md5('MV-' || n || '-' || m)::uuid, 'INT-' || lpad(n::text, 5, '0'),
       CASE WHEN m <= 2 THEN 'impegno' ELSE 'pagamento' END, (CASE WHEN m <= 2 THEN 'IMP-' ELSE 'PAG-' END) || m,
       CASE WHEN m <= 2 THEN 'I' ELSE 'P' END, DATE '2008-01-15' + m * 90, 100000.00 + n, NULL, NULL, 'bench'
FROM generate_series(1, 10000) n, generate_series(1, 4) m WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO cost_plan_years (id, intervento_code, year, realised, to_realise, recorded_by)
SELECT md5('CP-' || n || '-' || y)::uuid, 'INT-' || lpad(n::text, 5, '0'), y,
       CASE y WHEN 2008 THEN 500000.00 ELSE 0 END, CASE y WHEN 2008 THEN 0 ELSE 500000.00 + n END, 'bench'
FROM generate_series(1, 10000) n, generate_series(2008, 2009) y WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
ANALYZE;
