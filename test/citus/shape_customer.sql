-- The "one large company" shape by binding: the ERP's own tables, distributed
-- by customer_id and colocated, bound as the sources (docs/citus.md).  Here
-- the ERP tables are copies of the sample data of the managed tables.
SET client_min_messages = warning;
CREATE SCHEMA erp;
CREATE TABLE erp.customer (LIKE customer_class.customer);
ALTER TABLE erp.customer ADD PRIMARY KEY (customer_id);
CREATE TABLE erp.sales_order (LIKE customer_class.sales_order);
ALTER TABLE erp.sales_order ADD PRIMARY KEY (customer_id, order_id);
CREATE TABLE erp.invoice (LIKE customer_class.invoice);
ALTER TABLE erp.invoice ADD PRIMARY KEY (customer_id, invoice_id);
CREATE TABLE erp.payment (LIKE customer_class.payment);
ALTER TABLE erp.payment ADD PRIMARY KEY (customer_id, payment_id);
SELECT pg_catalog.create_distributed_table('erp.customer', 'customer_id');
SELECT pg_catalog.create_distributed_table('erp.sales_order', 'customer_id', colocate_with => 'erp.customer');
SELECT pg_catalog.create_distributed_table('erp.invoice', 'customer_id', colocate_with => 'erp.customer');
SELECT pg_catalog.create_distributed_table('erp.payment', 'customer_id', colocate_with => 'erp.customer');
GRANT USAGE ON SCHEMA erp TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA erp TO customer_class_reader;
INSERT INTO erp.customer SELECT * FROM customer_class.customer;
INSERT INTO erp.sales_order SELECT * FROM customer_class.sales_order;
INSERT INTO erp.invoice SELECT * FROM customer_class.invoice;
INSERT INTO erp.payment SELECT * FROM customer_class.payment;
SELECT customer_class.bind_source(v.role, v.relation,
		(SELECT pg_catalog.jsonb_object_agg(s.column_name, s.column_name)
		 FROM customer_class.source_shape() s
		 JOIN pg_catalog.pg_attribute a ON a.attrelid = v.relation AND a.attname = s.column_name
			AND a.attnum > 0 AND NOT a.attisdropped
		 WHERE s.role = v.role))
FROM (VALUES ('customer', 'erp.customer'::regclass), ('order', 'erp.sales_order'),
			 ('invoice', 'erp.invoice'), ('payment', 'erp.payment')) v(role, relation);
