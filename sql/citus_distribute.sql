-- customer_class.distribute() on a single node (docs/citus.md, "Running on
-- Citus"): it refuses clearly; make citus-test distributes for real.
\set VERBOSITY default

-- not distributed: code asks distributed() / distributed_shape()
SELECT customer_class.distributed(), customer_class.distributed_shape();

-- the shapes are checked first
SELECT * FROM customer_class.distribute('region');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.distribute(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.distribute('tenant');
\echo :LAST_ERROR_SQLSTATE

-- without the citus extension in the database (the default shape too)
SELECT * FROM customer_class.distribute();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.distribute('customer');
\echo :LAST_ERROR_SQLSTATE

-- admin only: a reader may ask, not distribute
SET ROLE customer_class_reader;
SELECT customer_class.distributed();
SELECT * FROM customer_class.distribute('customer');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- nothing changed: the managed tables keep their one-column keys
SELECT conrelid::regclass, conname, pg_catalog.pg_get_constraintdef(oid)
FROM pg_catalog.pg_constraint
WHERE conrelid IN ('customer_class.sales_order'::regclass, 'customer_class.payment'::regclass)
	AND contype = 'p'
ORDER BY 1;
