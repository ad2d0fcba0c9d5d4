-- Keeping profiles current.  Writes to the sources mark their customers
-- dirty (a cheap statement-level trigger); refresh() recomputes the dirty
-- customers, or everyone when the as-of date or the policy changed, and
-- records every change of class in class_history.

-- An append-only queue, no unique key: marking never waits on a refresh
-- that is consuming the queue, and duplicates cost nothing.
CREATE TABLE @extschema@.dirty (
	customer_id		bigint NOT NULL,
	marked_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- Registered, but no row is dumped: a restore writes every source row
-- again, which queues every restored customer by itself.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dirty', 'WHERE false');
GRANT SELECT ON @extschema@.dirty TO customer_class_reader;
GRANT DELETE ON @extschema@.dirty TO customer_class_analyst;
COMMENT ON TABLE @extschema@.dirty IS
	'customers whose source rows changed since the last refresh (a queue refresh() consumes)';
COMMENT ON COLUMN @extschema@.dirty.customer_id IS 'customer to recompute';
COMMENT ON COLUMN @extschema@.dirty.marked_at IS 'when the change was seen';

-- SECURITY DEFINER so that any role allowed to write invoices, payments or
-- orders marks the customer without write access to the queue itself; it
-- only copies customer ids out of the transition tables.
CREATE FUNCTION @extschema@.mark_dirty() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- each branch names only the transition tables its event has
	IF TG_OP = 'INSERT' THEN
		INSERT INTO @extschema@.dirty (customer_id) SELECT DISTINCT customer_id FROM new_rows;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO @extschema@.dirty (customer_id)
		SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows;
	ELSE
		INSERT INTO @extschema@.dirty (customer_id) SELECT DISTINCT customer_id FROM old_rows;
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.mark_dirty() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.mark_dirty() IS
	'statement trigger: queues the customers of the changed rows for the next refresh()';

DO $triggers$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['customer', 'sales_order', 'invoice', 'payment', 'external_score', 'credit_override']
	LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON @extschema@.%I REFERENCING NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty()', t || '_dirty_ins', t);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON @extschema@.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty()', t || '_dirty_upd', t);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON @extschema@.%I REFERENCING OLD TABLE AS old_rows
						FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty()', t || '_dirty_del', t);
	END LOOP;
END
$triggers$;

-- refresh(as_of, full_refresh): recompute profiles as of a date (default: as_of()).
-- full_refresh NULL decides by itself: everyone when there are no profiles yet, or
-- they were computed as of another date or under another policy version;
-- otherwise only the customers queued in dirty.  Returns the number of
-- customers whose classes changed (new customers included).
CREATE FUNCTION @extschema@.refresh(as_of date DEFAULT NULL, full_refresh boolean DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(refresh.as_of, @extschema@.as_of());
	card @extschema@.scorecard := @extschema@.active_scorecard();
	version bigint;
	targets bigint[];
	changed bigint;
BEGIN
	-- one refresh at a time; sources stay writable meanwhile
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));
	SELECT last_value INTO version FROM @extschema@.policy_version;

	IF full_refresh IS NULL THEN
		full_refresh := NOT EXISTS (SELECT FROM @extschema@.profile)
			OR EXISTS (SELECT FROM @extschema@.profile p
					   WHERE p.as_of <> d OR p.policy_version <> version
							 OR p.scorecard_id <> card.scorecard_id);
	END IF;

	IF full_refresh THEN
		DELETE FROM @extschema@.dirty;
	ELSE
		WITH queued AS (DELETE FROM @extschema@.dirty RETURNING customer_id)
		SELECT array_agg(DISTINCT customer_id) INTO targets FROM queued;
		IF targets IS NULL THEN
			RETURN 0;
		END IF;
	END IF;

	-- CREATE TABLE AS, not INSERT ... SELECT: only the former may run the
	-- scan and the per-customer aggregation in parallel workers
	IF pg_catalog.to_regclass('pg_temp.cc_refresh_new') IS NOT NULL THEN
		DROP TABLE pg_temp.cc_refresh_new;
	END IF;
	CREATE TEMP TABLE cc_refresh_new ON COMMIT DROP AS
	SELECT f.customer_id, d AS as_of, card.scorecard_id, version AS policy_version,
		   s.scale_points, s.payment_points, s.stability_points, s.risk_points,
		   s.internal_score, (f.facts).external_score, s.score AS credit_score, s.grade AS computed_grade,
		   o.override_id, coalesce(o.grade, s.grade) AS credit_grade, pg_catalog.now() AS refreshed_at
	FROM @extschema@.credit_facts(d, card.scorecard_id, targets) f
	CROSS JOIN LATERAL @extschema@.credit_score(f.facts, card) s
	LEFT JOIN LATERAL (
		SELECT co.override_id, co.grade FROM @extschema@.credit_override co
		WHERE co.customer_id = f.customer_id AND co.valid_from <= d AND d < co.expires_on
		ORDER BY co.set_at DESC, co.override_id DESC LIMIT 1) o ON true;
	ANALYZE cc_refresh_new;

	-- history: every grade that changed, with the reason
	WITH hist AS (
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT coalesce(n.customer_id, p.customer_id), 'credit_grade', p.credit_grade::text, n.credit_grade::text, d,
			   CASE
				   WHEN n.customer_id IS NULL THEN 'customer no longer in the sources'
				   WHEN n.override_id IS NOT NULL THEN
					   (SELECT format('override #%s by %s: %s', co.override_id, co.set_by, co.reason)
						FROM @extschema@.credit_override co WHERE co.override_id = n.override_id)
				   ELSE format('score %s (scale %s, payment %s, stability %s, risk %s%s) under scorecard %s%s',
							   n.credit_score, n.scale_points, n.payment_points, n.stability_points, n.risk_points,
							   CASE WHEN n.external_score IS NOT NULL THEN ', external ' || n.external_score ELSE '' END,
							   n.scorecard_id,
							   CASE WHEN p.override_id IS NOT NULL THEN format('; override #%s ended', p.override_id) ELSE '' END)
			   END
		FROM cc_refresh_new n
		FULL JOIN (SELECT * FROM @extschema@.profile
				   WHERE targets IS NULL OR customer_id = ANY (targets)) p USING (customer_id)
		WHERE n.credit_grade IS DISTINCT FROM p.credit_grade
		RETURNING customer_id
	)
	SELECT count(DISTINCT customer_id) INTO changed FROM hist;

	-- customers gone from the sources lose their profile
	DELETE FROM @extschema@.profile p
	WHERE (targets IS NULL OR p.customer_id = ANY (targets))
	  AND NOT EXISTS (SELECT FROM cc_refresh_new n WHERE n.customer_id = p.customer_id);

	-- a join-driven UPDATE plus an INSERT of the new customers: cheaper than
	-- ON CONFLICT's row-by-row speculative inserts when most rows exist
	UPDATE @extschema@.profile p SET
		as_of = n.as_of, scorecard_id = n.scorecard_id, policy_version = n.policy_version,
		scale_points = n.scale_points, payment_points = n.payment_points,
		stability_points = n.stability_points, risk_points = n.risk_points,
		internal_score = n.internal_score, external_score = n.external_score,
		credit_score = n.credit_score, computed_grade = n.computed_grade,
		override_id = n.override_id, credit_grade = n.credit_grade,
		refreshed_at = n.refreshed_at
	FROM cc_refresh_new n
	WHERE n.customer_id = p.customer_id;

	INSERT INTO @extschema@.profile
	SELECT n.* FROM cc_refresh_new n
	WHERE NOT EXISTS (SELECT FROM @extschema@.profile p WHERE p.customer_id = n.customer_id);

	DROP TABLE cc_refresh_new;
	RETURN changed;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh(date, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.refresh(date, boolean) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.refresh(date, boolean) IS
	'recompute customer profiles as of a date (default as_of()): everyone when full or when date/policy changed, else the queued dirty customers; records class changes in class_history; returns customers whose classes changed';
