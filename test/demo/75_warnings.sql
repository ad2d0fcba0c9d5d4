-- Early warnings on the sample data (refresh() already ran in 50_grades.sql):
-- payment rhythm drifting (yellow; red with falling orders), customers
-- turning dormant, and a negative event recorded from outside, announced
-- with NOTIFY.
\echo '== Payment-rhythm warnings per behaviour of the sample data'
SELECT cs.segment AS behaviour, p.payment_warning, count(*) AS customers
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE p.payment_warning IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2;

\echo '== Why: three of the red warnings'
SELECT h.customer_id, c.name, h.old_value, h.new_value, h.why
FROM customer_class.class_history h JOIN customer_class.customer c USING (customer_id)
WHERE h.dimension = 'payment_warning' AND h.new_value = 'red'
ORDER BY h.customer_id LIMIT 3;

\echo '== Open alerts by kind and level'
SELECT kind, level, count(*) AS open_alerts
FROM customer_class.alerts WHERE resolved_at IS NULL
GROUP BY kind, level ORDER BY kind, level;

\echo '== A court record arrives for customer 3 (LISTEN customer_class_alerts shows the NOTIFY)'
LISTEN customer_class_alerts;
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, reference, detail)
VALUES (3, '2025-12-30', 'litigation', 'court records', '(2025) 沪0115民初12345号', 'sued by a supplier');
UNLISTEN customer_class_alerts;
SELECT customer_id, kind, level, detail ->> 'kind' AS event, detail ->> 'reference' AS reference
FROM customer_class.alerts WHERE kind = 'external_event';

\echo '== Until credit control reviews it (resolve_alert), the credit checks treat customer 3 as grade D: prepayment required'
SELECT credit_limit, limit_source, credit_grade FROM customer_class.credit_limit_info(3);
