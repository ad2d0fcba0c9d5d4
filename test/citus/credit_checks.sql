-- Credit checks at every checkpoint, run by test/citus/run.sh on the single
-- node and through the Citus coordinator (shape managed), whose outputs must
-- be equal: each step prints its SQLSTATE (00000: accepted) and the error or
-- warning message.  The writes take today's date on both (as_of empty: the
-- moment of the write; on Citus the triggers run on the workers).
-- The customers: the first three with an own limit and not graded D.
\set VERBOSITY terse
\set SHOW_CONTEXT never
SELECT string_agg(customer_id::text, ',' ORDER BY customer_id) AS picks
FROM (SELECT c.customer_id FROM customer_class.customer c
	  JOIN customer_class.profile p USING (customer_id)
	  WHERE c.credit_limit IS NOT NULL AND p.credit_grade <> 'D'
	  ORDER BY c.customer_id LIMIT 3) x \gset
\echo customers :picks
-- invoices are checked in block mode here (the shipped mode is warn)
SELECT customer_class.set_credit_setting('mode.invoice', 'block') IS NOT NULL AS set;
\echo set mode.invoice :SQLSTATE
SELECT split_part(:'picks', ',', 1)::bigint AS c \gset
\ir credit_customer.sql
SELECT split_part(:'picks', ',', 2)::bigint AS c \gset
\ir credit_customer.sql
SELECT split_part(:'picks', ',', 3)::bigint AS c \gset
\ir credit_customer.sql
