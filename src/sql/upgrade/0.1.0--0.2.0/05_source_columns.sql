-- 05_source_columns: new columns of the managed source tables, first: 10_dump_restore
-- rebuilds the src_* views over them (issue 14 part 5: the customer's payment
-- terms basis, month-end terms 月结).

ALTER TABLE @extschema@.customer ADD COLUMN payment_terms_basis text NOT NULL DEFAULT 'invoice';
ALTER TABLE @extschema@.customer ADD CONSTRAINT customer_payment_terms_basis_valid
	CHECK (payment_terms_basis IN ('invoice', 'month_end'));
COMMENT ON COLUMN @extschema@.customer.payment_terms_basis IS
	'what payment_terms_days count from: invoice (the issue date) or month_end (the end of the month of issue, 月结)';
