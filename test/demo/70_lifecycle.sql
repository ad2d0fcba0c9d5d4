-- Lifecycle stages, phases, behaviour segments and RFM of the sample data
-- (refresh() already ran in 50_grades.sql).
\echo '== Lifecycle stages (lifecycle policy' `echo "'default'"` 'unless another is active)'
SELECT lifecycle_stage, stage_label_en, stage_label_zh, count(*) AS customers,
	   round(avg(days_since_last_order)) AS avg_days_since_last_order
FROM customer_class.customer_profile
GROUP BY lifecycle_stage, stage_label_en, stage_label_zh ORDER BY lifecycle_stage;

\echo '== Stage per behaviour of the sample data'
SELECT cs.segment AS behaviour,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'potential') AS potential,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'new') AS new,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'active') AS active,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'reactivated') AS reactivated,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'dormant') AS dormant,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'churned') AS churned
FROM sample.customer_segment cs JOIN customer_class.customer_profile p USING (customer_id)
GROUP BY cs.segment ORDER BY cs.segment;

\echo '== Revenue phases (last 180 days against the 180 before)'
SELECT lifecycle_phase, phase_label_en, phase_label_zh, count(*) AS customers
FROM customer_class.customer_profile
GROUP BY lifecycle_phase, phase_label_en, phase_label_zh ORDER BY lifecycle_phase NULLS LAST;

\echo '== Behaviour segments'
SELECT behaviour_segment, behaviour_label_en, behaviour_label_zh, count(*) AS customers,
	   round(avg(orders_12m), 1) AS avg_orders_12m, round(avg(revenue_12m)) AS avg_revenue_12m,
	   round(avg(credit_score), 1) AS avg_score
FROM customer_class.customer_profile
GROUP BY behaviour_segment, behaviour_label_en, behaviour_label_zh ORDER BY behaviour_segment;

\echo '== RFM quintile bounds of the last full refresh'
SELECT as_of, customers, r_bounds AS days_since_last_order, f_bounds AS orders_12m, m_bounds AS revenue_12m
FROM customer_class.rfm_boundary ORDER BY boundary_id DESC LIMIT 1;

\echo '== RFM segments'
SELECT rfm_segment, rfm_label_en, rfm_label_zh, count(*) AS customers,
	   round(avg(rfm_r), 1) AS avg_r, round(avg(rfm_f), 1) AS avg_f, round(avg(rfm_m), 1) AS avg_m,
	   round(sum(revenue_12m)) AS revenue_12m
FROM customer_class.customer_profile
WHERE rfm_segment IS NOT NULL
GROUP BY rfm_segment, rfm_label_en, rfm_label_zh ORDER BY rfm_segment;

\echo '== Champions to call first: the five biggest'
SELECT customer_id, name, rfm_score, rfm_label_zh, orders_12m, revenue_12m, grade
FROM customer_class.customer_profile
WHERE rfm_segment = 'champions' ORDER BY revenue_12m DESC LIMIT 5;

\echo '== Can''t lose them / at risk: good customers going quiet'
SELECT customer_id, name, rfm_score, rfm_label_en, stage, days_since_last_order, revenue_12m
FROM customer_class.customer_profile
WHERE rfm_segment IN ('cant_lose_them', 'at_risk') ORDER BY revenue_12m DESC LIMIT 5;

SELECT customer_id FROM customer_class.customer_profile
WHERE lifecycle_stage = 'dormant' ORDER BY revenue_12m DESC LIMIT 1 \gset
\echo '== Why is customer' :customer_id 'dormant? its class history'
SELECT dimension, old_value, new_value, why FROM customer_class.class_history
WHERE customer_id = :customer_id AND dimension <> 'credit_grade' ORDER BY history_id;
