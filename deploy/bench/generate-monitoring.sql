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
ANALYZE;
