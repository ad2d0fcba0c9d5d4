-- 0.2.0 -> 0.3.0, the hint of a failed credit check written once (credit_verdict_hint), used by credit_enforce and by the write side's checkpoint_enforce.

-- The hint of a failed check: what to do about it.
CREATE FUNCTION @extschema@.credit_verdict_hint(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE v.violation
		WHEN 'limit_exceeded' THEN 'Lower the amount, collect payment first, or raise the limit (credit_limit_override).'
		WHEN 'grade_d' THEN pg_catalog.format('Collect a prepayment of at least %s (a payment with no invoice) before this %s, or ask credit control: the rule can be excepted in credit_check_exception.',
			v.prepayment_missing, v.checkpoint)
		ELSE 'Ask credit control: the customer''s rule can be excepted in credit_check_exception.' END;

COMMENT ON FUNCTION @extschema@.credit_verdict_hint(@extschema@.credit_verdict) IS
	'the hint of a failed credit check: what to do about it';

CREATE OR REPLACE FUNCTION @extschema@.credit_enforce(customer_id bigint, checkpoint text, exposure_after numeric,
										   asked numeric, what text)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked);
	IF v.violation IS NULL THEN
		IF v.nearly_used THEN
			PERFORM @extschema@.raise_alert(customer_id, 'limit_nearly_used', 'yellow',
				@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
		END IF;
		RETURN;
	END IF;
	IF v.mode = 'block' THEN
		RAISE EXCEPTION USING
			ERRCODE = v.sqlstate,
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v),
			HINT = @extschema@.credit_verdict_hint(v);
	END IF;
	-- warn
	RAISE WARNING USING
		MESSAGE = @extschema@.credit_verdict_message(v, what),
		DETAIL = @extschema@.credit_verdict_detail(v);
	PERFORM @extschema@.raise_alert(customer_id, v.violation, 'red',
		@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
END
$$;
