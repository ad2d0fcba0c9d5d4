-- 0.2.0 -> 0.3.0, restructure (issue 15 part A): the duplicate partial index on profile dropped; the credit rules on an exposure written once (credit_exposure_rule, src/credit_rule.c) and called by credit_evaluate, credit_watch and credit_alert_scan.

-- profile_rule_tags_idx was the same index as profile_rule_tagged_idx
DROP INDEX IF EXISTS @extschema@.profile_rule_tags_idx;

CREATE FUNCTION @extschema@.credit_exposure_rule(credit_grade @extschema@.credit_grade, grade_d text,
												 credit_limit numeric, pct numeric, exposure_after numeric)
	RETURNS text
	AS 'MODULE_PATHNAME', 'credit_exposure_rule'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.credit_exposure_rule(@extschema@.credit_grade, text, numeric, numeric, numeric) IS
	'internal: the credit rules on an exposure (grade D prepayment, limit, nearly used): grade_d, limit_exceeded, limit_nearly_used or NULL';

-- The decision of a check, from a verdict whose inputs are filled (mode,
-- exposure_after, credit_limit, credit_grade, overdue_invoice): the
-- violation and its SQLSTATE, the prepayment missing, the days overdue,
-- nearly used, allowed.  The rules on the exposure are
-- credit_exposure_rule()'s, then the overdue rule; credit_evaluate() and
-- credit_evaluate_in_company() (a company's own limit) both decide here.
CREATE FUNCTION @extschema@.credit_verdict_decide(v @extschema@.credit_verdict, grade_d text, pct numeric, as_of date)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rule text;
BEGIN
	v.violation := NULL;
	v.sqlstate := NULL;
	v.prepayment_missing := NULL;
	v.overdue_days := NULL;
	rule := @extschema@.credit_exposure_rule(v.credit_grade, grade_d, v.credit_limit, pct, v.exposure_after);
	IF rule = 'grade_d' THEN
		v.violation := 'grade_d';
		v.sqlstate := 'KC003';
		v.prepayment_missing := v.exposure_after;
	ELSIF rule = 'limit_exceeded' THEN
		v.violation := 'limit_exceeded';
		v.sqlstate := 'KC001';
	END IF;

	IF v.violation IS NULL AND v.overdue_invoice IS NOT NULL THEN
		SELECT credit_verdict_decide.as_of - i.due_on INTO v.overdue_days
		FROM @extschema@.src_invoice i WHERE i.invoice_id = v.overdue_invoice;
		v.violation := 'invoice_overdue';
		v.sqlstate := 'KC002';
	END IF;

	v.nearly_used := v.violation IS NULL AND rule IS NOT DISTINCT FROM 'limit_nearly_used';
	v.allowed := v.violation IS NULL OR v.mode <> 'block';
	RETURN v;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_evaluate(customer_id bigint, checkpoint text, exposure_after numeric,
											asked numeric, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_evaluate.as_of, @extschema@.as_of());
	v @extschema@.credit_verdict;
	grade_d text;
	pct numeric;
BEGIN
	IF checkpoint NOT IN ('order', 'delivery', 'invoice') THEN
		RAISE EXCEPTION 'unknown credit checkpoint "%"', checkpoint
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The checkpoints are order, delivery and invoice.';
	END IF;
	v.customer_id := customer_id;
	v.checkpoint := checkpoint;
	v.asked := asked;
	v.exposure_after := exposure_after;
	v.exposure_before := exposure_after - asked;
	v.allowed := true;
	v.nearly_used := false;
	SELECT c.mode, c.credit_limit, c.limit_source, c.credit_grade, c.grade_d, c.pct, c.overdue_invoice
	INTO v.mode, v.credit_limit, v.limit_source, v.credit_grade, grade_d, pct, v.overdue_invoice
	FROM @extschema@.credit_context(credit_evaluate.customer_id, credit_evaluate.checkpoint, d) c;
	IF v.mode = 'off' THEN
		RETURN v;
	END IF;

	RETURN @extschema@.credit_verdict_decide(v, grade_d, pct, d);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_watch(customer_id bigint, exposure_after numeric, increase numeric, what text)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l @extschema@.credit_limit_info;
	rule text;
	det jsonb;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	l := @extschema@.credit_limit_info(customer_id);
	IF l.credit_limit IS NULL THEN
		RETURN;
	END IF;
	-- no grade: the prepayment rule is a checkpoint's, not the watch's
	rule := @extschema@.credit_exposure_rule(NULL, NULL, l.credit_limit,
											 @extschema@.credit_setting('alert.nearly_used_pct')::numeric,
											 exposure_after);
	det := jsonb_build_object('customer_id', customer_id, 'exposure_before', exposure_after - increase,
							  'increase', increase, 'exposure_after', exposure_after,
							  'credit_limit', l.credit_limit, 'limit_source', l.limit_source, 'what', what);
	IF rule = 'limit_exceeded' THEN
		RAISE WARNING USING
			MESSAGE = format('exposure of customer %s rose above its credit limit (%s): %s > %s',
							 customer_id, what, exposure_after, l.credit_limit),
			DETAIL = format('Exposure %s, increase %s, exposure after %s, credit limit %s (%s).',
							exposure_after - increase, increase, exposure_after, l.credit_limit, l.limit_source);
		PERFORM @extschema@.raise_alert(customer_id, 'limit_exceeded', 'red', det);
	ELSIF rule = 'limit_nearly_used' THEN
		PERFORM @extschema@.raise_alert(customer_id, 'limit_nearly_used', 'yellow', det);
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_alert_scan(as_of date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- alerts are raised as of this date: no mistyped year
	d date := @extschema@.check_as_of(coalesce(credit_alert_scan.as_of, @extschema@.as_of()), 'credit_alert_scan');
	pct numeric := @extschema@.credit_setting('alert.nearly_used_pct')::numeric;
	n bigint := 0;
	r record;
BEGIN
	CREATE TEMP TABLE cc_alert_found (customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
		ON COMMIT DROP;

	-- the oldest open invoice past due, per customer
	INSERT INTO cc_alert_found
	SELECT DISTINCT ON (i.customer_id) i.customer_id, 'invoice_overdue',
		   CASE WHEN d - i.due_on > 30 THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('invoice_id', i.invoice_id, 'due_on', i.due_on, 'days_overdue', d - i.due_on,
							  'open_amount', i.amount - coalesce(p.paid, 0), 'as_of', d)
	FROM @extschema@.src_invoice i
	LEFT JOIN (SELECT sp.invoice_id, sum(sp.amount) AS paid FROM @extschema@.src_payment sp
			   WHERE sp.invoice_id IS NOT NULL AND sp.paid_on <= d GROUP BY sp.invoice_id) p ON p.invoice_id = i.invoice_id
	WHERE i.due_on < d AND i.amount > coalesce(p.paid, 0)
	ORDER BY i.customer_id, i.due_on, i.invoice_id;

	-- exposure against a positive limit (a limit of 0, grade D's, is the
	-- prepayment rule of the checkpoints, not an alert of the scan)
	INSERT INTO cc_alert_found
	SELECT w.customer_id, w.kind,
		   CASE w.kind WHEN 'limit_exceeded' THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('exposure', w.exposure, 'credit_limit', w.credit_limit,
							  'limit_source', w.limit_source, 'as_of', d, 'what', 'credit_alert_scan')
	FROM (SELECT x.customer_id, x.exposure, l.credit_limit, l.limit_source,
				 @extschema@.credit_exposure_rule(NULL, NULL, l.credit_limit, pct, x.exposure) AS kind
		  FROM @extschema@.credit_exposure x
		  CROSS JOIN LATERAL @extschema@.credit_limit_info(x.customer_id, d) l
		  WHERE l.credit_limit > 0) w
	WHERE w.kind IS NOT NULL;

	-- resolve what no longer holds
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = CURRENT_USER
	WHERE a.resolved_at IS NULL AND a.kind IN ('invoice_overdue', 'limit_nearly_used', 'limit_exceeded')
	  AND NOT EXISTS (SELECT FROM cc_alert_found f WHERE f.customer_id = a.customer_id AND f.kind = a.kind);

	FOR r IN SELECT * FROM cc_alert_found ORDER BY customer_id, kind LOOP
		IF @extschema@.raise_alert(r.customer_id, r.kind, r.level, r.detail) IS NOT NULL THEN
			n := n + 1;
		END IF;
	END LOOP;
	DROP TABLE cc_alert_found;
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_verdict_decide(@extschema@.credit_verdict, text, numeric, date) IS
	'internal: the decision of a credit check (violation, SQLSTATE, prepayment missing, days overdue, nearly used, allowed) from its inputs';
