-- Benchmark data for agreements: 20 regional APQs, 4 atti each, 10,000 interventi with their
-- financing plans and tranche plans (national scale); the shipped IV Atto at Tuscany scale.
-- Ids are md5(code)::uuid so monitoring's generator can refer to the same interventi.
INSERT INTO accordi (id, code, title, signed_on)
SELECT md5('APQ-' || r)::uuid, 'APQ-REG-' || lpad(r::text, 2, '0'), 'APQ società dell''informazione, regione ' || r, DATE '2004-04-02'
FROM generate_series(1, 20) r WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO atti_integrativi (id, accordo_id, number, title, signed_on, status)
SELECT md5('ATTO-' || r || '-' || a)::uuid, md5('APQ-' || r)::uuid, a, 'Atto integrativo ' || a, DATE '2005-01-01' + a * 365, 'signed'
FROM generate_series(1, 20) r, generate_series(1, 4) a WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO interventi (id, atto_id, code, title, kind, sezione, total_cost, cnipa_cofinancing)
SELECT md5('INT-' || n)::uuid, md5('ATTO-' || (1 + n % 20) || '-' || (1 + n % 4))::uuid, 'INT-' || lpad(n::text, 5, '0'),
       'Intervento ' || n, CASE WHEN n % 2 = 0 THEN 'ali' ELSE 'riuso' END, CASE WHEN n % 5 = 0 THEN 'programmatica' ELSE 'attuativa' END,
       1000000.00 + n, 300000.00
FROM generate_series(1, 10000) n WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO financing_sources (id, intervento_id, position, contributor, heading, legal_basis, amount, cnipa)
SELECT md5('FS-' || n || '-' || p)::uuid, md5('INT-' || n)::uuid, p,
       CASE p WHEN 1 THEN 'stato' ELSE 'regione_toscana' END, CASE p WHEN 1 THEN 'Cofinanziamento CNIPA' ELSE 'Bilancio regionale' END,
       CASE p WHEN 1 THEN 'L. 289/2002' ELSE 'Bilancio' END, CASE p WHEN 1 THEN 300000.00 ELSE 700000.00 + n END, p = 1
FROM generate_series(1, 10000) n, generate_series(1, 2) p WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
INSERT INTO tranches (id, intervento_id, seq, share, amount, condition, requires_plan_approved, sal_verification, sal_threshold,
                      adhesion_share_threshold, months_of_operation)
SELECT md5('TR-' || n || '-' || t)::uuid, md5('INT-' || n)::uuid, t, (ARRAY[30, 50, 20])[t], 300000.00 * (ARRAY[30, 50, 20])[t] / 100,
       'generated', t = 1, CASE WHEN t = 2 THEN 1 END, CASE WHEN t = 2 THEN 50 END, CASE WHEN t = 2 THEN 30 END, CASE WHEN t = 3 THEN 12 END
FROM generate_series(1, 10000) n, generate_series(1, 3) t WHERE :'scale' = 'national'
ON CONFLICT DO NOTHING;
ANALYZE;
