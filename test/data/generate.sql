-- Deterministic sample ERP data for customer_class.
--
--   psql -v customers=2000 -v as_of=2025-12-31 -f test/data/generate.sql
--
-- Loads the managed tables customer, sales_order, invoice and payment with
-- customers whose behaviours later classifications must tell apart, and
-- records each customer's intended behaviour in sample.customer_segment.
-- Every "random" choice is a hash of a key and a salt, so the same size and
-- date always give the same rows, whatever the plan or the number of workers.
-- Set -v fast=1 for bulk loads: foreign keys are then not checked row by row
-- (the data is consistent by construction; sample.check() verifies it).

\set ON_ERROR_STOP 1
\if :{?customers}
\else
\set customers 2000
\endif
\if :{?as_of}
\else
\set as_of 2025-12-31
\endif
\if :{?fast}
\else
\set fast 0
\endif

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS sample CASCADE;
CREATE SCHEMA sample;
COMMENT ON SCHEMA sample IS 'sample data generator: intended behaviour of each generated customer';

-- uniform in [0, 1) from a key and a salt
CREATE FUNCTION sample.rnd(k bigint, salt integer) RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN ((pg_catalog.hashint8extended(k, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992.0;

-- integer in [lo, hi]
CREATE FUNCTION sample.irnd(k bigint, salt integer, lo integer, hi integer) RETURNS integer
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN lo + floor(sample.rnd(k, salt) * (hi - lo + 1))::integer;

-- The behaviours, their share of customers and how they buy and pay:
--   n_inv      invoices per customer      spacing   days between invoices
--   last_lo/hi days from the last invoice to the as-of date
--   amt_lo/hi  invoice amount range       delay_lo/hi  days paid after due
CREATE TABLE sample.segment (
	segment		text PRIMARY KEY,
	share		numeric NOT NULL,
	n_inv		integer NOT NULL,
	spacing		integer NOT NULL,
	last_lo		integer NOT NULL,
	last_hi		integer NOT NULL,
	amt_lo		numeric NOT NULL,
	amt_hi		numeric NOT NULL,
	delay_lo	integer NOT NULL,
	delay_hi	integer NOT NULL,
	description	text NOT NULL
);
INSERT INTO sample.segment VALUES
	('punctual',         0.28, 12,  30,   5,  25,   2000,  30000, -10,   0, 'pays on or before the due date'),
	('chronic_late',     0.10, 12,  30,  10,  40,   1000,  20000,  20,  60, 'pays 20-60 days late, always'),
	('slipping',         0.05, 14,  21,  60,  75,   2000,  25000,  -5,   0, 'punctual until the last five months, then 15-45 days late; no order in the last two months'),
	('occasional_large', 0.08,  3, 120,  20, 200,  50000, 300000,  -5,   7, 'a few large orders a year'),
	('frequent_small',   0.12, 30,  12,   0,  10,    100,   2000,  -5,   0, 'many small orders, pays on time'),
	('new',              0.07,  2,  15,   0,  20,   1000,  10000,  -3,   0, 'opened in the last two months'),
	('dormant',          0.07,  6,  30,  95, 170,   1000,  15000,  -5,   5, 'no order for 3-6 months'),
	('churned',          0.07,  6,  45, 200, 500,   1000,  15000,  -5,   5, 'no order for more than 6 months'),
	('prospect',         0.06,  0,   0,   0,   0,      0,      0,   0,   0, 'no order yet'),
	('near_limit',       0.05,  8,  20,   0,  15,   5000,  40000,   0,  20, 'exposure close to or over its credit limit'),
	('partial_payer',    0.05, 10,  30,   5,  30,   2000,  20000,   0,  40, 'pays in parts, gets credit notes, pays on account');

CREATE TABLE sample.customer_segment (
	customer_id	bigint PRIMARY KEY,
	segment		text NOT NULL REFERENCES sample.segment
);
COMMENT ON TABLE sample.customer_segment IS 'the behaviour each generated customer was given';

-- segment by cumulative share: [lo, hi) ranges of a uniform draw
INSERT INTO sample.customer_segment
SELECT c, b.segment
FROM generate_series(1, :customers) AS c
JOIN (SELECT segment, coalesce(sum(share) OVER w - share, 0) AS lo, sum(share) OVER w AS hi
	  FROM sample.segment WINDOW w AS (ORDER BY segment)) b
  ON sample.rnd(c, 1) >= b.lo AND sample.rnd(c, 1) < b.hi;

SET customer_class.as_of = :'as_of';

\if :fast
SET session_replication_role = replica;
\endif

-- customers
INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on)
SELECT cs.customer_id,
	   CASE WHEN individual THEN (ARRAY['王','李','张','刘','陈','杨','赵','黄'])[sample.irnd(cs.customer_id, 2, 1, 8)]
								 || (ARRAY['伟','芳','娜','敏','静','强','磊','洋'])[sample.irnd(cs.customer_id, 3, 1, 8)]
								 || ' #' || cs.customer_id
			ELSE initcap(replace(ind, '_', ' ')) || ' '
				 || (ARRAY['Trading','Industries','Group','Holdings','Works','Partners'])[sample.irnd(cs.customer_id, 3, 1, 6)]
				 || ' #' || cs.customer_id END,
	   CASE WHEN individual THEN 'individual' ELSE 'enterprise' END,
	   ind,
	   (ARRAY['east.shanghai','east.hangzhou','east.nanjing','north.beijing','north.tianjin',
			  'south.guangzhou','south.shenzhen','west.chengdu','west.chongqing','central.wuhan'])
		   [sample.irnd(cs.customer_id, 5, 1, 10)],
	   CASE WHEN cs.segment = 'occasional_large' THEN 'large'
			WHEN individual THEN 'micro'
			ELSE (ARRAY['small','small','medium','medium','large'])[sample.irnd(cs.customer_id, 6, 1, 5)] END,
	   CASE WHEN individual THEN 0 ELSE (ARRAY[30,30,30,45,60])[sample.irnd(cs.customer_id, 7, 1, 5)] END,
	   date :'as_of' - CASE cs.segment
			WHEN 'new' THEN sample.irnd(cs.customer_id, 8, 20, 60)
			WHEN 'prospect' THEN sample.irnd(cs.customer_id, 8, 1, 300)
			ELSE s.last_hi + s.n_inv * s.spacing + sample.irnd(cs.customer_id, 8, 10, 120) END
FROM sample.customer_segment cs
JOIN sample.segment s USING (segment)
CROSS JOIN LATERAL (SELECT cs.segment IN ('frequent_small', 'new') AND sample.rnd(cs.customer_id, 4) < 0.3
						   OR sample.rnd(cs.customer_id, 4) < 0.05 AS individual,
						   (ARRAY['manufacturing','retail','construction','services','real_estate',
								  'wholesale','logistics','technology'])[sample.irnd(cs.customer_id, 9, 1, 8)] AS ind) x;

-- invoiced orders: the k-th of n orders of a customer, billed on its
-- shipping day; the last one comes last_lo..last_hi days before the as-of
-- date.  Order and invoice ids: customer * 64 + k.
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
SELECT o_id, customer_id, issued - sample.irnd(o_id, 13, 0, 5), amount, 'invoiced', issued
FROM (
	SELECT cs.customer_id * 64 + k AS o_id, cs.customer_id,
		   date :'as_of' - sample.irnd(cs.customer_id, 10, s.last_lo, s.last_hi)
			   - (s.n_inv - k) * s.spacing - sample.irnd(cs.customer_id * 64 + k, 11, 0, 4) AS issued,
		   round(s.amt_lo + (s.amt_hi - s.amt_lo) * sample.rnd(cs.customer_id * 64 + k, 12)::numeric, 2) AS amount
	FROM sample.customer_segment cs
	JOIN sample.segment s USING (segment)
	CROSS JOIN LATERAL generate_series(1, s.n_inv) AS k
	WHERE s.n_inv > 0
) o;

INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT o.order_id, o.customer_id, o.order_id, o.shipped_on, o.shipped_on + c.payment_terms_days, o.amount
FROM customer_class.sales_order o
JOIN customer_class.customer c USING (customer_id)
WHERE o.status = 'invoiced';

-- open, shipped and cancelled orders of the last weeks (ids customer * 64 + 50..53)
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
SELECT o_id, customer_id, ordered, amount, status,
	   CASE WHEN status = 'shipped' THEN ordered + 1 END
FROM (
	SELECT cs.customer_id * 64 + 50 + j AS o_id, cs.customer_id,
		   date :'as_of' - sample.irnd(cs.customer_id * 64 + 50 + j, 14, 0, 20) AS ordered,
		   round(s.amt_lo + (s.amt_hi - s.amt_lo) * sample.rnd(cs.customer_id * 64 + 50 + j, 15)::numeric, 2) AS amount,
		   CASE WHEN sample.rnd(cs.customer_id * 64 + 50 + j, 16) < 0.15 THEN 'cancelled'
				WHEN sample.rnd(cs.customer_id * 64 + 50 + j, 16) < 0.45 THEN 'shipped'
				ELSE 'open' END AS status
	FROM sample.customer_segment cs
	JOIN sample.segment s USING (segment)
	CROSS JOIN LATERAL generate_series(0, CASE WHEN cs.segment = 'near_limit' THEN 3
											   ELSE sample.irnd(cs.customer_id, 17, -1, 1) END) AS j
	WHERE cs.segment IN ('punctual', 'chronic_late', 'frequent_small', 'new', 'near_limit', 'partial_payer')
) o;

-- payments: each invoice is paid delay days after its due date, with delay
-- drawn from its segment's range; the slipping payers turn late on the
-- invoices of the last five months.  A payment after the as-of date has not happened yet: that
-- invoice is still open.  Partial payers pay 60% and later the rest, and a
-- third of their invoices get a 10% credit note.  Ids: invoice * 4 + 0..3.
CREATE TEMP TABLE pay_plan AS
SELECT i.invoice_id, i.customer_id, i.amount, i.due_on, cs.segment,
	   i.due_on + CASE
		   WHEN cs.segment = 'slipping' AND i.issued_on > date :'as_of' - 150
			   THEN sample.irnd(i.invoice_id, 20, 15, 45)
		   WHEN cs.segment = 'frequent_small' AND sample.rnd(i.invoice_id, 21) < 0.1
			   THEN sample.irnd(i.invoice_id, 20, 5, 15)
		   ELSE sample.irnd(i.invoice_id, 20, s.delay_lo, s.delay_hi) END AS paid_on
FROM customer_class.invoice i
JOIN sample.customer_segment cs USING (customer_id)
JOIN sample.segment s USING (segment);

INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind)
SELECT invoice_id * 4, customer_id, invoice_id, paid_on, amount, 'payment'
FROM pay_plan
WHERE segment <> 'partial_payer' AND paid_on <= date :'as_of'
UNION ALL
-- partial payers: 10% credit note at the due date on a third of the invoices
SELECT invoice_id * 4 + 1, customer_id, invoice_id, due_on, round(amount * 0.10, 2), 'credit_note'
FROM pay_plan
WHERE segment = 'partial_payer' AND sample.rnd(invoice_id, 22) < 0.33 AND due_on <= date :'as_of'
UNION ALL
-- ... 60% on time ...
SELECT invoice_id * 4 + 2, customer_id, invoice_id, due_on - sample.irnd(invoice_id, 23, 0, 5), round(amount * 0.60, 2), 'payment'
FROM pay_plan
WHERE segment = 'partial_payer' AND due_on - 5 <= date :'as_of'
UNION ALL
-- ... and the rest late, when it has come
SELECT invoice_id * 4 + 3, customer_id, invoice_id, paid_on,
	   amount - round(amount * 0.60, 2) - CASE WHEN sample.rnd(invoice_id, 22) < 0.33 THEN round(amount * 0.10, 2) ELSE 0 END,
	   'payment'
FROM pay_plan
WHERE segment = 'partial_payer' AND paid_on <= date :'as_of' AND sample.rnd(invoice_id, 24) < 0.8;

-- partial payers also pay on account (unapplied) now and then: ids from a
-- range of their own, above every invoice-derived id
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind)
SELECT 4 * 64 * (:customers + 1)::bigint + cs.customer_id, cs.customer_id, NULL,
	   date :'as_of' - sample.irnd(cs.customer_id, 25, 1, 60), round(200 + 1800 * sample.rnd(cs.customer_id, 26)::numeric, 2), 'payment'
FROM sample.customer_segment cs
WHERE cs.segment = 'partial_payer' AND sample.rnd(cs.customer_id, 27) < 0.5;

DROP TABLE pay_plan;
RESET session_replication_role;

-- credit limits: near-limit customers get a limit at 85-110% of what they
-- owe and have on order; a fifth of the others get a generous own limit;
-- the rest use their grade's default (NULL)
WITH exposure AS (
	SELECT cs.customer_id,
		   coalesce((SELECT sum(amount) FROM customer_class.sales_order o
					 WHERE o.customer_id = cs.customer_id AND o.status IN ('open', 'shipped')), 0)
		   + coalesce((SELECT sum(amount) FROM customer_class.invoice i WHERE i.customer_id = cs.customer_id), 0)
		   - coalesce((SELECT sum(amount) FROM customer_class.payment p WHERE p.customer_id = cs.customer_id), 0) AS owed
	FROM sample.customer_segment cs WHERE cs.segment = 'near_limit'
)
UPDATE customer_class.customer c
SET credit_limit = round(e.owed / (0.85 + 0.25 * sample.rnd(c.customer_id, 30)::numeric), -3)
FROM exposure e WHERE e.customer_id = c.customer_id;

UPDATE customer_class.customer c
SET credit_limit = 100000 * sample.irnd(c.customer_id, 31, 1, 10)
FROM sample.customer_segment cs
WHERE cs.customer_id = c.customer_id AND cs.segment NOT IN ('near_limit', 'prospect')
  AND sample.rnd(c.customer_id, 32) < 0.2;

-- identity counters continue after the generated keys
\o /dev/null
SELECT setval(pg_get_serial_sequence('customer_class.customer', 'customer_id'), max(customer_id)) FROM customer_class.customer;
SELECT setval(pg_get_serial_sequence('customer_class.sales_order', 'order_id'), max(order_id)) FROM customer_class.sales_order;
SELECT setval(pg_get_serial_sequence('customer_class.invoice', 'invoice_id'), max(invoice_id)) FROM customer_class.invoice;
SELECT setval(pg_get_serial_sequence('customer_class.payment', 'payment_id'), max(payment_id)) FROM customer_class.payment;
\o

-- referential integrity of a fast load, checked in one pass per table
CREATE FUNCTION sample.check() RETURNS TABLE (problem text, rows bigint)
	LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT 'invoice without customer', count(*) FROM customer_class.invoice i
		WHERE NOT EXISTS (SELECT 1 FROM customer_class.customer c WHERE c.customer_id = i.customer_id)
	UNION ALL
	SELECT 'invoice of another customer''s order', count(*) FROM customer_class.invoice i
		WHERE NOT EXISTS (SELECT 1 FROM customer_class.sales_order o
						  WHERE o.order_id = i.order_id AND o.customer_id = i.customer_id)
	UNION ALL
	SELECT 'payment of another customer''s invoice', count(*) FROM customer_class.payment p
		WHERE p.invoice_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_class.invoice i
			WHERE i.invoice_id = p.invoice_id AND i.customer_id = p.customer_id)
	UNION ALL
	SELECT 'overpaid invoice', count(*) FROM (
		SELECT 1 FROM customer_class.invoice i JOIN customer_class.payment p USING (invoice_id)
		GROUP BY i.invoice_id, i.amount HAVING sum(p.amount) > i.amount) x;
END;

ANALYZE customer_class.customer, customer_class.sales_order, customer_class.invoice,
	customer_class.payment, sample.customer_segment;
