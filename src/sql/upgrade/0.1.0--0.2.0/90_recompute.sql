-- 90_recompute: 0.2.0 computes some classes differently (activity from invoices
-- for customers without orders, grades capped by open external events, grade D
-- checked as prepayment): the next refresh() recomputes every customer.
SELECT pg_catalog.nextval('@extschema@.policy_version');
