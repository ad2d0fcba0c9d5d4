-- Credit groups and limit requests on the sample data: three customers
-- become a group (集团) whose parent's limit caps them together; a member's
-- order within its own limit is blocked by the group's; an analyst asks for a
-- temporary group limit and a credit manager approves it.
\set SHOW_CONTEXT never

-- the parent and two members: customers not graded D with the least exposure
SELECT array_agg(customer_id ORDER BY n) AS ids
FROM (SELECT x.customer_id, row_number() OVER (ORDER BY x.exposure, x.customer_id) AS n
	  FROM customer_class.credit_exposure x
	  JOIN customer_class.customer_profile p USING (customer_id)
	  WHERE p.grade IS DISTINCT FROM 'D' AND x.exposure >= 0
	  ORDER BY x.exposure, x.customer_id LIMIT 3) s \gset
SELECT (:'ids'::bigint[])[1] AS parent, (:'ids'::bigint[])[2] AS member1, (:'ids'::bigint[])[3] AS member2 \gset
UPDATE customer_class.customer SET parent_id = :parent WHERE customer_id IN (:member1, :member2);
-- the members have room of their own; the parent's 20,000 caps the group
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, expires_on)
SELECT c, l, r, '2026-12-31'
FROM (VALUES (:parent, 20000, 'group limit of the holding'), (:member1, 50000, 'demo member'),
			 (:member2, 50000, 'demo member')) v(c, l, r);
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
VALUES (:member1, customer_class.as_of(), 12000), (:member2, customer_class.as_of(), 6000);

\echo '== A credit group: customer' :parent 'and its members' :member1 'and' :member2
SELECT customer_id, parent_id, group_id, level, own_exposure, subtree_exposure, credit_limit
FROM customer_class.credit_group WHERE group_id = :parent ORDER BY level, customer_id;

\echo '== An order of 5,000 for customer' :member2 'fits its own limit but not the group''s (SQLSTATE KC001):'
\set ON_ERROR_STOP 0
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (:member2, customer_class.as_of(), 5000);
\echo 'SQLSTATE' :LAST_ERROR_SQLSTATE
\set ON_ERROR_STOP 1

\echo '== The group in customer_profile and credit_report()'
SELECT customer_id, parent_id, group_id, exposure, group_exposure, group_credit_limit, group_available_credit
FROM customer_class.customer_profile WHERE customer_id IN (:parent, :member1, :member2) ORDER BY customer_id;
SELECT jsonb_pretty(customer_class.credit_report(:member2) -> 'group') AS credit_report_group;

\echo '== A credit limit request: an analyst asks for 30,000 until the end of January, a credit manager approves'
CREATE ROLE demo_analyst IN ROLE customer_class_analyst;
CREATE ROLE demo_manager IN ROLE customer_class_admin;
SET ROLE demo_analyst;
SELECT customer_class.request_credit_limit(:parent, 30000, 'year-end orders of the group',
										   valid_until => '2026-02-01') AS request_id \gset
RESET ROLE;
SET ROLE demo_manager;
SELECT customer_class.approve_credit_limit(:request_id, 'parent guarantee on file') AS override_id;
RESET ROLE;
SELECT request_id, customer_id, credit_limit, valid_from, valid_until, status, requested_by, decided_by
FROM customer_class.credit_limit_request;
\echo '== Now the order fits the group'
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
VALUES (:member2, customer_class.as_of(), 5000) RETURNING order_id, customer_id, amount;
SELECT customer_id, subtree_exposure, credit_limit FROM customer_class.credit_group WHERE customer_id = :parent;
RESET ROLE;
DROP OWNED BY demo_analyst, demo_manager;
DROP ROLE demo_analyst, demo_manager;
