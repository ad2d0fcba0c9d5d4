-- Credit limit requests (docs/credit.md, "Credit limit requests"): an
-- analyst asks for a new or temporary limit, a role above the requester's
-- (never the requester) approves it into a credit_limit_override with the
-- request's validity, or rejects it; every step in class_history; the bad
-- requests and decisions refused with their SQLSTATE.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE ROLE cc_req_analyst1 IN ROLE customer_class_analyst;
CREATE ROLE cc_req_analyst2 IN ROLE customer_class_analyst;
CREATE ROLE cc_req_reader IN ROLE customer_class_reader;
CREATE ROLE cc_req_admin1 IN ROLE customer_class_admin;
CREATE ROLE cc_req_admin2 IN ROLE customer_class_admin;

INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1, 'Request Ltd', 1000, '2024-01-01');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (1, 1, '2025-12-01', 1000.00);

-- == Asking ==
SET ROLE cc_req_analyst1;
-- a temporary limit for the year-end peak
SELECT customer_class.request_credit_limit(1, 3000, 'year-end peak', '2025-12-15', '2026-01-31') AS request_id;
-- bad requests
\set VERBOSITY verbose
SELECT customer_class.request_credit_limit(1, 3000, 'backwards', '2026-02-01', '2026-01-01');
SELECT customer_class.request_credit_limit(1, 3000, 'over already', '2025-01-01', '2025-06-30');
SELECT customer_class.request_credit_limit(1, -1, 'negative');
SELECT customer_class.request_credit_limit(1, 3000, '  ');
SELECT customer_class.request_credit_limit(99, 3000, 'nobody');
\set VERBOSITY default
RESET ROLE;
-- a reader may not ask
SET ROLE cc_req_reader;
SELECT customer_class.request_credit_limit(1, 3000, 'reader');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT request_id, customer_id, credit_limit, valid_from, valid_until, reason, requested_by, requester_role, status
FROM customer_class.credit_limit_request ORDER BY request_id;

-- == Deciding ==
-- an analyst cannot approve (a role above the requester's decides)
SET ROLE cc_req_analyst2;
SELECT customer_class.approve_credit_limit(1);
\echo :LAST_ERROR_SQLSTATE
-- nobody decides by hand
UPDATE customer_class.credit_limit_request SET status = 'approved';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE cc_req_admin1;
UPDATE customer_class.credit_limit_request SET status = 'approved';
\echo :LAST_ERROR_SQLSTATE
-- an admin approves: the override is written with the request's validity
SELECT customer_class.approve_credit_limit(1, 'guarantee received') IS NOT NULL AS approved;
\set VERBOSITY verbose
-- twice is refused
SELECT customer_class.approve_credit_limit(1);
SELECT customer_class.reject_credit_limit(1, 'too late');
\set VERBOSITY default
RESET ROLE;
SELECT status, decided_by, decision_note, override_id IS NOT NULL AS has_override
FROM customer_class.credit_limit_request WHERE request_id = 1;
SELECT o.customer_id, o.credit_limit, o.reason, o.set_by, o.valid_from, o.expires_on
FROM customer_class.credit_limit_override o
JOIN customer_class.credit_limit_request r ON r.override_id = o.override_id;
-- in force from valid_from until valid_until: the checks use it
SELECT d, (customer_class.credit_limit_info(1, d)).credit_limit
FROM unnest(ARRAY['2025-12-14', '2025-12-31', '2026-01-31']::date[]) d;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (2, 1, '2025-12-20', 2000.00);
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;

-- an admin's own request: not by itself, and not by another admin
SET ROLE cc_req_admin1;
SELECT customer_class.request_credit_limit(1, 5000, 'new contract') AS request_id;
\set VERBOSITY verbose
SELECT customer_class.approve_credit_limit(2);
RESET ROLE;
SET ROLE cc_req_admin2;
SELECT customer_class.approve_credit_limit(2);
\set VERBOSITY default
RESET ROLE;
-- a superuser is above an admin: a new limit with no end
SELECT customer_class.approve_credit_limit(2) IS NOT NULL AS approved;
SELECT o.credit_limit, o.valid_from, o.expires_on
FROM customer_class.credit_limit_override o
JOIN customer_class.credit_limit_request r ON r.override_id = o.override_id WHERE r.request_id = 2;

-- a rejected request
SET ROLE cc_req_analyst2;
SELECT customer_class.request_credit_limit(1, 9000, 'big order') AS request_id;
RESET ROLE;
SET ROLE cc_req_admin2;
-- a rejection says why
SELECT customer_class.reject_credit_limit(3, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.reject_credit_limit(3, 'the group is at its limit');
SELECT customer_class.approve_credit_limit(3);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.approve_credit_limit(42);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- (the superuser running the test is shown as SUPERUSER)
SELECT request_id, status, replace(decided_by, session_user, 'SUPERUSER') AS decided_by, decision_note
FROM customer_class.credit_limit_request ORDER BY request_id;

-- the audit trail: requests and decisions, and the overrides they wrote
SELECT dimension, old_value, new_value,
	   replace(regexp_replace(why, 'override #\d+', 'override #N'), session_user, 'SUPERUSER') AS why
FROM customer_class.class_history WHERE customer_id = 1 ORDER BY history_id;

-- clean up
DELETE FROM customer_class.sales_order;
DELETE FROM customer_class.alerts;
DELETE FROM customer_class.credit_limit_override;
DELETE FROM customer_class.credit_limit_request;
DELETE FROM customer_class.class_history;
DELETE FROM customer_class.customer;
DROP ROLE cc_req_analyst1, cc_req_analyst2, cc_req_reader, cc_req_admin1, cc_req_admin2;
