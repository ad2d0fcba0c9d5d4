SELECT customer_class.refresh() AS customers_graded \gset
\echo '== Credit grades (refresh() as of' `echo $DEMO_AS_OF`': the classes of' :customers_graded 'customers changed)'
SELECT grade, label_en, label_zh, count(*) AS customers, round(avg(credit_score), 1) AS avg_score,
	   min(credit_score) AS min_score, max(credit_score) AS max_score
FROM customer_class.customer_profile
JOIN customer_class.class_label l ON l.dimension = 'credit_grade' AND l.value = grade
GROUP BY grade, label_en, label_zh ORDER BY grade;

\echo '== Grades per behaviour of the sample data'
SELECT cs.segment AS behaviour,
	   count(*) FILTER (WHERE p.credit_grade = 'A') AS "A",
	   count(*) FILTER (WHERE p.credit_grade = 'B') AS "B",
	   count(*) FILTER (WHERE p.credit_grade = 'C') AS "C",
	   count(*) FILTER (WHERE p.credit_grade = 'D') AS "D",
	   round(avg(p.credit_score), 1) AS avg_score
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
GROUP BY cs.segment ORDER BY avg(p.credit_score) DESC;

SELECT customer_id, name FROM customer_class.customer_profile
JOIN sample.customer_segment USING (customer_id)
WHERE segment = 'chronic_late' ORDER BY credit_score LIMIT 1 \gset
SELECT format('== Why does the worst chronic late payer, %s, get its grade? explain_score(%s)', :'name', :customer_id) AS header \gset
\echo :header
SELECT dimension, label_zh, inputs, points, weight, contribution
FROM customer_class.explain_score(:customer_id) ORDER BY step;
