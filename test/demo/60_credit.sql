-- Credit control on the sample data: who is near or over its limit, an
-- order that is blocked, the alerts, and one customer's whole credit picture.
\set SHOW_CONTEXT never
\echo '== Credit exposure against the limit: the 8 most used (limit in force: override, own limit or grade policy)'
SELECT x.customer_id, c.name, p.grade, l.credit_limit, x.open_orders, x.shipped_not_invoiced,
	   x.invoice_balance, x.unapplied_credits, x.exposure,
	   round(x.exposure * 100 / l.credit_limit, 1) AS used_pct
FROM customer_class.credit_exposure x
JOIN customer_class.customer c USING (customer_id)
LEFT JOIN customer_class.customer_profile p USING (customer_id)
CROSS JOIN LATERAL customer_class.credit_limit_info(x.customer_id) l
WHERE l.credit_limit > 0
ORDER BY x.exposure / l.credit_limit DESC, x.customer_id
LIMIT 8;

\echo '== Check modes and rules in force'
SELECT name, value, default_value FROM customer_class.credit_settings ORDER BY name;

-- the near-limit customer of the sample with the least room left (not
-- over yet, not grade D: the grade D rule would block any order)
SELECT x.customer_id, c.name, l.credit_limit, x.exposure, l.credit_limit - x.exposure AS available
FROM customer_class.credit_exposure x
JOIN customer_class.customer c USING (customer_id)
JOIN sample.customer_segment s USING (customer_id)
CROSS JOIN LATERAL customer_class.credit_limit_info(x.customer_id) l
WHERE s.segment = 'near_limit' AND x.exposure <= l.credit_limit AND l.credit_grade IS DISTINCT FROM 'D'
ORDER BY l.credit_limit - x.exposure, x.customer_id LIMIT 1 \gset
SELECT format('== An order of %s + 5000.00 for %s (customer %s) is blocked (SQLSTATE KC001):', :'available', :'name', :customer_id) AS header \gset
\echo :header
\set ON_ERROR_STOP 0
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
VALUES (:customer_id, customer_class.as_of(), :available + 5000);
\echo 'SQLSTATE' :LAST_ERROR_SQLSTATE
\set ON_ERROR_STOP 1

\echo '== The application asks credit_check() (which records the block as an alert), then orders what fits'
SELECT customer_class.credit_check(:customer_id, :available + 5000) - 'limit_source' AS verdict;
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
VALUES (:customer_id, customer_class.as_of(), round(:available * 0.95, 2)) RETURNING order_id, amount;

\echo '== The daily scan raises overdue-invoice and limit alerts (NOTIFY customer_class_alerts on each new one)'
SELECT customer_class.credit_alert_scan() AS new_alerts;
SELECT kind, level, count(*) AS open_alerts FROM customer_class.alerts WHERE resolved_at IS NULL
GROUP BY kind, level ORDER BY level DESC, kind;

\echo '== Alerts of customer' :customer_id
SELECT alert_id, kind, level, occurrences,
	   coalesce(detail->>'message', detail->>'what') AS what,
	   coalesce(detail->>'exposure_after', detail->>'exposure') AS exposure, detail->>'credit_limit' AS credit_limit
FROM customer_class.alerts WHERE customer_id = :customer_id ORDER BY alert_id;

\echo '== credit_report(' :customer_id '): the whole picture for an application (parts)'
SELECT key, value FROM customer_class.credit_report(:customer_id) r,
	jsonb_each(r - 'explanation' - 'history' - 'open_alerts' - 'customer')
ORDER BY key;
