\echo '== Receivables aging of the sample data, per size class (aging_report_by_class)'
SELECT class AS size_class, customers, current_amount, days_1_30, days_31_60, days_61_90,
	   days_over_90, total, overdue
FROM customer_class.aging_report_by_class WHERE dimension = 'size_class' ORDER BY total DESC;

\echo '== Largest balances (aging_report)'
SELECT customer_id, customer_name, current_amount, days_1_30, days_31_60, days_61_90, days_over_90, total
FROM customer_class.aging_report ORDER BY total DESC LIMIT 5;

\echo '== Worst payers (customer_payment_behavior: lowest PAYDEX-style index, then most overdue)'
SELECT b.customer_id, b.customer_name, s.segment AS intended_behaviour, b.paid_invoices,
	   b.on_time_ratio, b.avg_days_to_pay, b.days_beyond_terms, b.payment_index,
	   b.overdue_balance, b.max_days_past_due
FROM customer_class.customer_payment_behavior b
LEFT JOIN sample.customer_segment s USING (customer_id)
WHERE b.payment_index IS NOT NULL
ORDER BY b.payment_index, b.overdue_balance DESC LIMIT 10;

\echo '== AR figures over the last 365 days, per size class (ar_kpi_by_class)'
SELECT class AS size_class, customers, credit_sales, end_ar, dso, best_possible_dso,
	   average_days_delinquent, collection_effectiveness_index, collection_rate
FROM customer_class.ar_kpi_by_class WHERE dimension = 'size_class' ORDER BY class;

\echo '== Collector''s list: the first 10 reminders (due_reminders)'
SELECT * FROM customer_class.due_reminders LIMIT 10;
