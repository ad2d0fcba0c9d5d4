-- refresh(): recomputes the customers queued in dirty (queue.sql), or
-- everyone when the as-of date or the policy changed, writes profile and
-- records every change of class in class_history.

-- One row of cc_refresh_new, the work table of refresh(): a customer's new
-- classes and the figures profile keeps, beside its previous classes from
-- profile (existed: it had one), and its facts whole (the explanations in
-- class_history and the alerts read a few rows' other figures from them).
-- gone marks a profile whose customer is no longer in the sources (then
-- only the old_* columns are set).  override_why is the reason of the
-- override in force, for class_history.  The columns every row is compared on
-- come first, so a scan that filters on them need not take the rest of the
-- row apart.
CREATE TYPE @extschema@.refresh_row AS (
	customer_id				bigint,
	gone					boolean,
	existed					boolean,
	credit_grade			@extschema@.credit_grade,
	lifecycle_stage			@extschema@.lifecycle_stage,
	lifecycle_phase			@extschema@.lifecycle_phase,
	segment					@extschema@.behaviour_segment,
	payment_warning			@extschema@.alert_level,
	last_order_on			date,
	orders_12m				integer,
	revenue_12m				numeric,
	old_grade				@extschema@.credit_grade,
	old_stage				@extschema@.lifecycle_stage,
	old_phase				@extschema@.lifecycle_phase,
	old_segment				@extschema@.behaviour_segment,
	old_rfm					@extschema@.rfm_segment,
	old_warning				@extschema@.alert_level,
	old_override			bigint,
	old_last_order_on		date,
	old_as_of				date,
	as_of					date,
	scorecard_id			text,
	policy_version			bigint,
	scale_points			numeric(5,2),
	payment_points			numeric(5,2),
	stability_points		numeric(5,2),
	risk_points				numeric(5,2),
	internal_score			numeric(5,2),
	external_score			numeric,
	credit_score			numeric(5,2),
	computed_grade			@extschema@.credit_grade,
	override_id				bigint,
	refreshed_at			timestamptz,
	lifecycle_policy_id		text,
	first_order_on			date,
	payment_index			numeric,
	days_beyond_terms		numeric,
	open_balance			numeric,
	overdue_balance			numeric,
	overdue_invoices		integer,
	facts					@extschema@.credit_facts,
	override_why			text
);
COMMENT ON TYPE @extschema@.refresh_row IS
	'part of refresh(): one customer''s new classes and figures beside its previous classes (the rows of the temp table cc_refresh_new)';

-- refresh_rows_sql(from_customer, to_customer, facts): the query of
-- refresh_rows() (below), with $1 as_of, $2 the scorecard, $3 the lifecycle
-- policy, $4 the policy version and $5 the customers asked for; the bounds
-- are SQL text ('NULL': unbounded).  facts NULL: the facts read through
-- credit_facts(), computed in an OFFSET 0 subquery so that each score
-- function runs once per customer; else the SQL text of the facts, a query
-- of (customer_id, facts), read without the fence: Citus pushes a subquery
-- with OFFSET down to the shards only by pulling its rows to the
-- coordinator, and the shards' planners then call the score functions once
-- per field used, a small price beside the transfer (refresh_compute).
CREATE FUNCTION @extschema@.refresh_rows_sql(from_customer text, to_customer text, facts text DEFAULT NULL)
	RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.format($q$
	SELECT x.customer_id, false AS gone, p.customer_id IS NOT NULL AS existed,
		   coalesce(o.grade, greatest((x.s).grade, ev.cap)) AS credit_grade, (x.l).stage AS lifecycle_stage,
		   (x.l).phase AS lifecycle_phase, (x.l).segment, x.payment_warning, (x.facts).last_order_on,
		   (x.facts).orders_12m, (x.facts).revenue_12m, p.credit_grade AS old_grade,
		   p.lifecycle_stage AS old_stage, p.lifecycle_phase AS old_phase,
		   p.behaviour_segment AS old_segment, p.rfm_segment AS old_rfm,
		   p.payment_warning AS old_warning, p.override_id AS old_override,
		   p.last_order_on AS old_last_order_on, p.as_of AS old_as_of, $1 AS as_of, ($2).scorecard_id,
		   $4 AS policy_version, (x.s).scale_points::numeric(5,2) AS scale_points,
		   (x.s).payment_points::numeric(5,2) AS payment_points,
		   (x.s).stability_points::numeric(5,2) AS stability_points,
		   (x.s).risk_points::numeric(5,2) AS risk_points,
		   (x.s).internal_score::numeric(5,2) AS internal_score,
		   (x.facts).external_score,
		   (x.s).score::numeric(5,2) AS credit_score, (x.s).grade AS computed_grade, o.override_id,
		   pg_catalog.now() AS refreshed_at, ($3).policy_id AS lifecycle_policy_id,
		   (x.facts).first_order_on, (x.facts).payment_index, (x.facts).days_beyond_terms,
		   (x.facts).open_balance, (x.facts).overdue_balance, (x.facts).overdue_invoices, x.facts,
		   o.why AS override_why
	FROM (SELECT f.customer_id, f.facts, @extschema@.credit_score(f.facts, $2) AS s,
				 @extschema@.lifecycle_classify(f.facts, $3, $1) AS l,
				 @extschema@.payment_warning(f.facts, $3, $1) AS payment_warning
		  FROM %3$s) x
	-- the override in force: the latest set
	LEFT JOIN (SELECT DISTINCT ON (co.customer_id) co.customer_id, co.override_id, co.grade,
					  pg_catalog.format('override #%%s by %%s: %%s', co.override_id, co.set_by, co.reason) AS why
			   FROM @extschema@.credit_override co
			   WHERE co.valid_from <= $1 AND $1 < co.expires_on
				 AND ($5 IS NULL OR co.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR co.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR co.customer_id < %2$s)
			   ORDER BY co.customer_id, co.set_at DESC, co.override_id DESC) o ON o.customer_id = x.customer_id
	-- an external negative event not yet reviewed (its alert open) caps the
	-- grade at rule.external_event, as credit_event_cap() does for the checks
	LEFT JOIN (SELECT DISTINCT e.customer_id,
					  (SELECT nullif(cs.value, 'off') FROM @extschema@.credit_setting cs
					   WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1)::@extschema@.credit_grade AS cap
			   FROM @extschema@.external_event e
			   -- (the alert is the event's customer's: saying so lets Citus
			   -- join the two on their shards)
			   LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id AND a.customer_id = e.customer_id
			   WHERE e.event_on <= $1 AND a.resolved_at IS NULL
				 AND ($5 IS NULL OR e.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR e.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR e.customer_id < %2$s)) ev
		ON ev.customer_id = x.customer_id
	LEFT JOIN (SELECT p.* FROM @extschema@.profile p
			   WHERE ($5 IS NULL OR p.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR p.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR p.customer_id < %2$s)) p
		ON p.customer_id = x.customer_id
	$q$, from_customer, to_customer,
		coalesce('(' || facts || ') f (customer_id, facts)',
				 pg_catalog.format('@extschema@.credit_facts($1, ($2).scorecard_id, $5, %s, %s) f OFFSET 0',
								   from_customer, to_customer)));
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_rows_sql(text, text, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_rows_sql(text, text, text) IS
	'part of refresh(): the SQL of refresh_rows() for a customer_id range, over credit_facts() or over the SQL text of the facts given (Citus)';

-- refresh_rows(as_of, scorecard, lifecycle policy, policy version, customers,
-- from_customer, to_customer): the refresh_row of every customer, of those
-- listed, or of those with from_customer <= customer_id < to_customer (NULL:
-- unbounded).  Planned for its bounds on each call.  Not inlined, on
-- purpose: a parallel append runs each call whole in one worker (see
-- refresh_rows_query), which then does all the work of its customers --
-- facts, scores, and the lookups of the override in force and of the
-- previous profile -- and hands the leader finished rows.  The cost tells
-- the planner that a call is worth a worker of its own.
--
-- The scores are computed in a subquery's target list (OFFSET 0 keeps them
-- there, one call per customer) rather than by lateral function scans, which
-- build a tuplestore per call.
CREATE FUNCTION @extschema@.refresh_rows(as_of date, card @extschema@.scorecard,
										 pol @extschema@.lifecycle_policy, version bigint,
										 customers bigint[] DEFAULT NULL,
										 from_customer bigint DEFAULT NULL, to_customer bigint DEFAULT NULL)
	RETURNS SETOF @extschema@.refresh_row
	LANGUAGE plpgsql STABLE PARALLEL SAFE COST 1000000000 ROWS 100000
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lo text := coalesce(from_customer::text, 'NULL');
	hi text := coalesce(to_customer::text, 'NULL');
BEGIN
	RETURN QUERY EXECUTE @extschema@.refresh_rows_sql(lo, hi)
	USING as_of, card, pol, version, customers;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_rows(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[], bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_rows(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[], bigint, bigint) IS
	'part of refresh(): new classes beside the previous ones of everyone, of the customers listed, or of one customer_id range (one parallel worker takes a whole range)';

-- refresh_rows_query(everyone, min_customers): the query refresh() fills
-- cc_refresh_new from, with $1 as_of, $2 the scorecard, $3 the lifecycle
-- policy, $4 the policy version and $5 the customers asked for.  For
-- everyone, when parallel workers may be used and there are at least
-- min_customers customers, a UNION ALL of refresh_rows() over customer_id
-- ranges of about equal size, a few per worker: a parallel append hands each
-- range to one worker, which aggregates it in customer order.  (Partial
-- aggregation would not help: every worker would see nearly every customer,
-- and ship each one's invoices to the leader.)
CREATE FUNCTION @extschema@.refresh_rows_query(everyone boolean, min_customers bigint DEFAULT 20000) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	workers int := pg_catalog.current_setting('max_parallel_workers_per_gather')::int;
	parts int := 3 * greatest(workers, 1);
	customers bigint;
	cuts bigint[];
	q text := '';
	lo bigint;
	hi bigint;
BEGIN
	IF NOT everyone THEN
		RETURN 'SELECT * FROM @extschema@.refresh_rows($1, $2, $3, $4, $5)';
	END IF;
	IF workers > 0 THEN
		SELECT count(*), percentile_disc((SELECT array_agg(k::float8 / parts) FROM generate_series(1, parts - 1) k))
						 WITHIN GROUP (ORDER BY c.customer_id)
		INTO customers, cuts
		FROM @extschema@.src_customer c;
	END IF;
	IF workers = 0 OR customers < min_customers THEN
		RETURN 'SELECT * FROM @extschema@.refresh_rows($1, $2, $3, $4)';
	END IF;
	FOR i IN 1 .. pg_catalog.array_length(cuts, 1) + 1 LOOP
		hi := cuts[i];			-- NULL past the last cut: unbounded
		CONTINUE WHEN hi IS NOT NULL AND hi IS NOT DISTINCT FROM lo;
		q := q || CASE WHEN q = '' THEN '' ELSE ' UNION ALL ' END
			 || pg_catalog.format('SELECT * FROM @extschema@.refresh_rows($1, $2, $3, $4, NULL, %s, %s)',
								  coalesce(lo::text, 'NULL'), coalesce(hi::text, 'NULL'));
		lo := hi;
	END LOOP;
	RETURN q;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_rows_query(boolean, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_rows_query(boolean, bigint) IS
	'part of refresh(): the query of the rows to recompute (everyone: customer_id ranges of refresh_rows() for parallel workers; else the queued customers)';

-- refresh_sql_bind(sql, args): sql with each parameter $n replaced by the
-- SQL text args[n], in parentheses, in one pass (a $ in an argument is left
-- as it is).  For SQL made of the extension's own queries, which have no $
-- but their parameters.  refresh_compute uses it to give Citus the body of
-- credit_facts() with its arguments, and its constants rather than
-- parameters: Citus plans a query in a function call only as the function
-- (it reads the coordinator's empty shell of a distributed table when the
-- call is inlined inside a subquery, which is how refresh() computed no
-- profile on Citus, issue 19), and cannot always push down a query with
-- parameters.
CREATE FUNCTION @extschema@.refresh_sql_bind(sql text, args text[]) RETURNS text
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	parts text[] := pg_catalog.regexp_split_to_array(sql, '\$[0-9]+');
	nums text[];
	res text := parts[1];
BEGIN
	SELECT pg_catalog.array_agg(m.m[1] ORDER BY m.n) INTO nums
	FROM pg_catalog.regexp_matches(sql, '\$([0-9]+)', 'g') WITH ORDINALITY m(m, n);
	FOR i IN 1 .. coalesce(pg_catalog.array_length(nums, 1), 0) LOOP
		IF nums[i]::int > coalesce(pg_catalog.array_length(args, 1), 0) THEN
			RAISE EXCEPTION 'parameter $% has no argument', nums[i]
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		res := res || '(' || args[nums[i]::int] || ')' || parts[i + 1];
	END LOOP;
	RETURN res;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_sql_bind(text, text[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_sql_bind(text, text[]) IS
	'part of refresh(): SQL text with each parameter $n replaced by the SQL text of its argument (for Citus)';

-- refresh_on_citus(): whether refresh() runs the Citus way, that is whether
-- profile is a Citus distributed table.  Otherwise, in a database where
-- Citus distributes other tables (the ERP's sources, say), the single-node
-- way is right only while the planner hook inlines the extension's SQL
-- functions before Citus plans (src/citus_inline.c: customer_class loaded
-- after citus in shared_preload_libraries, customer_class.inline_before_citus
-- on).  Without it Citus would let PostgreSQL inline credit_facts() inside a
-- subquery of the work query and read the coordinator's empty shells of the
-- distributed tables: every customer would silently lose his profile, as
-- before issue 19.  refresh() refuses then.
CREATE FUNCTION @extschema@.refresh_on_citus() RETURNS boolean
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	profile_distributed boolean;
	any_distributed boolean;
	preload text := pg_catalog.current_setting('shared_preload_libraries');
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT coalesce(bool_or(p.logicalrelid = $1), false), count(*) > 0 FROM pg_catalog.pg_dist_partition p'
	INTO profile_distributed, any_distributed
	USING '@extschema@.profile'::pg_catalog.regclass;
	IF any_distributed AND NOT profile_distributed
	   AND NOT (coalesce(pg_catalog.current_setting('customer_class.inline_before_citus', true), 'off') = 'on'
				AND pg_catalog.strpos(preload, 'citus') > 0
				AND pg_catalog.strpos(preload, 'customer_class') > pg_catalog.strpos(preload, 'citus')) THEN
		RAISE EXCEPTION 'refresh() cannot run on Citus here: the tables of customer_class are not distributed and the extension''s functions are not inlined before Citus plans'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Tables of this database are distributed by Citus, but not customer_class.profile, and without the inlining the refresh would read the coordinator''s empty copies of the distributed tables.',
				  HINT = 'Distribute the tables of customer_class (SELECT customer_class.distribute(''customer'')), or load customer_class after citus in shared_preload_libraries with customer_class.inline_before_citus on; see docs/citus.md.';
	END IF;
	RETURN profile_distributed;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_on_citus() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_on_citus() IS
	'part of refresh(): true when profile is a Citus distributed table; refuses (55000) when Citus distributes other tables but neither the extension''s nor the planner hook inlines its functions';

-- refresh_citus_sql(as_of, scorecard, lifecycle policy, policy version,
-- customers): the statements refresh_compute() runs on Citus, where the
-- sources, profile, overrides and events are distributed by customer_id and
-- colocated, to fill the work tables cc_refresh_txn and cc_refresh_work
-- (colocated too): each statement runs on the shards, every shard group in
-- parallel.  Two statements: each customer's transactions first
-- (credit_facts_txn(), whose UNION ALL Citus pushes down only in a query
-- whose every join is on customer_id), then refresh_rows_sql() over
-- credit_facts() reading them from cc_refresh_txn.  The SQL is the
-- functions' own bodies with their arguments, and constants for the
-- parameters (refresh_sql_bind).
CREATE FUNCTION @extschema@.refresh_citus_sql(as_of date, card @extschema@.scorecard,
											  pol @extschema@.lifecycle_policy, version bigint, customers bigint[])
	RETURNS text[]
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	txn_call text := 'CROSS JOIN LATERAL @extschema@.credit_facts_txn(c.customer_id, $1) t';
	txn text;
	facts text;
	args text[] := ARRAY[pg_catalog.format('%L::date', as_of), pg_catalog.format('%L::@extschema@.scorecard', card),
						 pg_catalog.format('%L::@extschema@.lifecycle_policy', pol),
						 pg_catalog.format('%L::bigint', version), pg_catalog.format('%L::bigint[]', customers)];
BEGIN
	SELECT pg_catalog.rtrim(p.prosrc, E' \t\n;') INTO STRICT txn FROM pg_catalog.pg_proc p
	WHERE p.oid = '@extschema@.credit_facts_txn(bigint, date)'::pg_catalog.regprocedure;
	SELECT pg_catalog.rtrim(p.prosrc, E' \t\n;') INTO STRICT facts FROM pg_catalog.pg_proc p
	WHERE p.oid = '@extschema@.credit_facts(date, text, bigint[], bigint, bigint)'::pg_catalog.regprocedure;
	IF pg_catalog.strpos(facts, txn_call) = 0 THEN
		RAISE EXCEPTION 'credit_facts() no longer calls credit_facts_txn() as refresh_citus_sql() expects'
			USING ERRCODE = 'internal_error',
				  DETAIL = pg_catalog.format('It looks for: %s', txn_call),
				  HINT = 'refresh_citus_sql() reads the body of credit_facts(): change both together.';
	END IF;
	facts := pg_catalog.replace(facts, txn_call,
								'LEFT JOIN @extschema@.cc_refresh_txn t ON t.customer_id = c.customer_id');
	facts := @extschema@.refresh_sql_bind(facts, ARRAY['$1', '($2).scorecard_id', '$5', 'NULL::bigint', 'NULL::bigint']);
	RETURN ARRAY[
		'INSERT INTO @extschema@.cc_refresh_txn SELECT c.customer_id, t.f FROM @extschema@.src_customer c '
		|| 'CROSS JOIN LATERAL (' || @extschema@.refresh_sql_bind(txn, ARRAY['c.customer_id', args[1]]) || ') t '
		|| 'WHERE ' || @extschema@.refresh_sql_bind('$1 IS NULL OR c.customer_id = ANY ($1)', ARRAY[args[5]]),
		'INSERT INTO @extschema@.cc_refresh_work '
		|| @extschema@.refresh_sql_bind(@extschema@.refresh_rows_sql('NULL', 'NULL', facts), args)];
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_citus_sql(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_citus_sql(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[]) IS
	'part of refresh(): on Citus, the two statements that fill the work tables cc_refresh_txn (each customer''s transactions) and cc_refresh_work (refresh_rows) on the shards';

-- refresh_compute(as_of, scorecard, lifecycle policy, policy version,
-- customers): part of refresh().  Fills the temp table cc_refresh_new with
-- the refresh_row of everyone, or of the customers listed.
--
-- CREATE TABLE AS, not INSERT ... SELECT: only the former may run its query
-- in parallel workers.  Facts are aggregated one customer at a time
-- (credit_facts_txn()): constant memory, where a hash aggregate would hold
-- every customer's invoices at once and spill.  The leader takes no range
-- itself: while it computed one (seconds) the workers' result queues would
-- fill and stop them; it writes the rows they send.
CREATE FUNCTION @extschema@.refresh_compute(as_of date, card @extschema@.scorecard,
											pol @extschema@.lifecycle_policy, version bigint, customers bigint[])
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	SET enable_hashagg = off
	SET parallel_leader_participation = off
AS $$
DECLARE
	q text;
BEGIN
	IF pg_catalog.to_regclass('pg_temp.cc_refresh_new') IS NOT NULL THEN
		DROP TABLE pg_temp.cc_refresh_new;
	END IF;
	IF NOT @extschema@.refresh_on_citus() THEN
		EXECUTE 'CREATE TEMP TABLE cc_refresh_new ON COMMIT DROP AS '
				|| @extschema@.refresh_rows_query(customers IS NULL)
		USING as_of, card, pol, version, customers;
		RETURN;
	END IF;
	-- Citus: the facts and classes are computed on the shards, in parallel,
	-- into work tables colocated with profile, made for this refresh and
	-- dropped with it, by the statements of refresh_citus_sql().  Only the
	-- finished rows, one per customer, come to the coordinator, into
	-- cc_refresh_new, for the statements that follow.
	CREATE UNLOGGED TABLE @extschema@.cc_refresh_txn (customer_id bigint, f @extschema@.txn_facts);
	PERFORM pg_catalog.create_distributed_table('@extschema@.cc_refresh_txn', 'customer_id',
												colocate_with => '@extschema@.profile');
	CREATE UNLOGGED TABLE @extschema@.cc_refresh_work OF @extschema@.refresh_row;
	PERFORM pg_catalog.create_distributed_table('@extschema@.cc_refresh_work', 'customer_id',
												colocate_with => '@extschema@.profile');
	FOREACH q IN ARRAY @extschema@.refresh_citus_sql(as_of, card, pol, version, customers) LOOP
		EXECUTE q;
	END LOOP;
	CREATE TEMP TABLE cc_refresh_new ON COMMIT DROP AS SELECT * FROM @extschema@.cc_refresh_work;
	DROP TABLE @extschema@.cc_refresh_work;
	DROP TABLE @extschema@.cc_refresh_txn;
	-- no ANALYZE: the statements after this one scan the table whole, and
	-- its size, which the planner reads off the file, is all they need
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_compute(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_compute(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[]) IS
	'part of refresh(): the new classes of everyone or of the customers listed, beside their previous ones, into the temp table cc_refresh_new';

-- refresh_history(as_of, lifecycle policy, RFM bounds): part of refresh().
-- Appends to class_history every class in cc_refresh_new that differs from
-- the previous one, with the reason; returns the customers with a change.
CREATE FUNCTION @extschema@.refresh_history(d date, pol @extschema@.lifecycle_policy,
											bounds @extschema@.rfm_boundary)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	changed bigint;
BEGIN
	WITH hist AS (
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT j.customer_id, x.dimension, x.old_value, x.new_value, d, x.why
		FROM (
			SELECT n.customer_id, n.gone,
				   n.old_grade, n.credit_grade AS new_grade,
				   n.old_stage, n.lifecycle_stage AS new_stage,
				   n.old_phase, n.lifecycle_phase AS new_phase,
				   n.old_segment, n.segment AS new_segment,
				   n.old_rfm, (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												 bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).segment AS new_rfm,
				   n.old_warning, n.payment_warning AS new_warning,
				   (n.facts).invoices_paid, (n.facts).pay_days_median, (n.facts).pay_days_spread,
				   (n.facts).last_pay_days, (n.facts).prev_pay_days, (n.facts).orders_90d,
				   (n.facts).orders_prior_90d, (n.facts).last_settled_on, (n.facts).oldest_open_issued_on,
				   n.old_override, n.override_id, n.override_why, n.computed_grade, n.credit_score, n.scale_points, n.payment_points,
				   n.stability_points, n.risk_points, n.external_score, n.scorecard_id,
				   n.first_order_on, n.last_order_on, (n.facts).previous_order_on, n.orders_12m,
				   n.revenue_12m, (n.facts).order_months, (n.facts).invoices_12m, (n.facts).revenue_180d,
				   (n.facts).revenue_prior_180d, (n.facts).overdue_30d_balance, (n.facts).defaults,
				   n.payment_index, n.days_beyond_terms,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).r,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).f,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).m
			-- RFM by plain calls: one per row to compare, a few more per changed
			-- row.  (A lateral call costs twice as much per row; computing it
			-- once in an OFFSET 0 subquery, as the UPDATE does, projects every
			-- row before the filter: 15-20% slower here, measured.)
			FROM pg_temp.cc_refresh_new n
			WHERE n.credit_grade IS DISTINCT FROM n.old_grade
			   OR n.lifecycle_stage IS DISTINCT FROM n.old_stage
			   OR n.lifecycle_phase IS DISTINCT FROM n.old_phase
			   OR n.segment IS DISTINCT FROM n.old_segment
			   OR (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).segment
				  IS DISTINCT FROM n.old_rfm
			   OR n.payment_warning IS DISTINCT FROM n.old_warning
		) j
		-- unnest() of arrays, not VALUES: a lateral VALUES list compiles its
		-- expressions anew for every row it is joined to
		CROSS JOIN LATERAL unnest(
			ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment', 'payment_warning'],
			ARRAY[j.old_grade::text, j.old_stage::text, j.old_phase::text, j.old_segment::text, j.old_rfm::text, j.old_warning::text],
			ARRAY[j.new_grade::text, j.new_stage::text, j.new_phase::text, j.new_segment::text, j.new_rfm::text, j.new_warning::text],
			ARRAY[
				CASE
					 WHEN j.old_grade IS NOT DISTINCT FROM j.new_grade THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.override_id IS NOT NULL THEN j.override_why
					 WHEN j.new_grade IS DISTINCT FROM j.computed_grade THEN
						 format('computed grade %s (score %s) capped at %s: external negative event not yet reviewed (rule.external_event)',
								j.computed_grade, j.credit_score, j.new_grade)
					 ELSE format('score %s (scale %s, payment %s, stability %s, risk %s%s) under scorecard %s%s',
								 j.credit_score, j.scale_points, j.payment_points, j.stability_points, j.risk_points,
								 CASE WHEN j.external_score IS NOT NULL THEN ', external ' || j.external_score ELSE '' END,
								 j.scorecard_id,
								 CASE WHEN j.old_override IS NOT NULL THEN format('; override #%s ended', j.old_override) ELSE '' END)
				 END,
				CASE
					 WHEN j.old_stage IS NOT DISTINCT FROM j.new_stage THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('last order %s (%s days before %s), first order %s, order before the last %s; new < %s days, dormant >= %s, churned >= %s, reactivated: gap >= %s (lifecycle policy %s)',
								 j.last_order_on, d - j.last_order_on, d, j.first_order_on,
								 coalesce(j.previous_order_on::text, 'none'),
								 pol.new_days, pol.dormant_days, pol.churned_days, pol.dormant_days, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_phase IS NOT DISTINCT FROM j.new_phase THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('revenue last 180 days %s, the 180 days before %s; first order %s; introduction < %s days, growth >= x%s, decline <= x%s (lifecycle policy %s)',
								 j.revenue_180d, j.revenue_prior_180d, j.first_order_on,
								 pol.introduction_days, pol.growth_ratio, pol.decline_ratio, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_segment IS NOT DISTINCT FROM j.new_segment THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('%s orders in %s of the last 12 months, revenue 12m %s over %s invoices, overdue > 30 days %s, defaults %s, payment index %s, days beyond terms %s, last order %s days ago (lifecycle policy %s)',
								 j.orders_12m, length(replace((j.order_months & 4095)::bit(12)::text, '0', '')),
								 j.revenue_12m, j.invoices_12m, j.overdue_30d_balance, j.defaults,
								 coalesce(j.payment_index::text, 'n/a'), coalesce(j.days_beyond_terms::text, 'n/a'),
								 d - j.last_order_on, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_rfm IS NOT DISTINCT FROM j.new_rfm THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('R%s F%s M%s: last order %s days ago, %s orders and revenue %s in 12 months; quintile bounds of the full refresh as of %s: days %s, orders %s, revenue %s',
								 j.r, j.f, j.m, d - j.last_order_on, j.orders_12m, j.revenue_12m,
								 bounds.as_of, bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)
				 END,
				CASE
					 WHEN j.old_warning IS NOT DISTINCT FROM j.new_warning THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 ELSE format('last settlement %s days after issue, the one before %s; usual %s days (spread %s) over %s earlier settlements; orders last 90 days %s, the 90 days before %s; late means more than usual + max(%s, %s x spread) days (lifecycle policy %s)',
								 coalesce(j.last_pay_days::text, 'n/a'), coalesce(j.prev_pay_days::text, 'n/a'),
								 coalesce(j.pay_days_median::text, 'n/a'), coalesce(j.pay_days_spread::text, 'n/a'),
								 greatest(j.invoices_paid - 2, 0), j.orders_90d, j.orders_prior_90d,
								 pol.drift_min_days, pol.drift_spread_factor, pol.policy_id)
						  || CASE WHEN j.last_settled_on IS NULL OR d - j.last_settled_on <= pol.drift_recent_days THEN ''
								  WHEN j.new_warning IS NULL THEN format('; last settlement %s days ago (more than %s)',
																		  d - j.last_settled_on, pol.drift_recent_days)
								  ELSE format('; last settlement %s days ago, but an invoice issued %s is still open after %s days',
											  d - j.last_settled_on, j.oldest_open_issued_on, d - j.oldest_open_issued_on)
							 END
				 END
			]) AS x (dimension, old_value, new_value, why)
		WHERE x.old_value IS DISTINCT FROM x.new_value
		RETURNING customer_id
	)
	SELECT count(DISTINCT customer_id) INTO changed FROM hist;
	RETURN changed;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_history(date, @extschema@.lifecycle_policy, @extschema@.rfm_boundary) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_history(date, @extschema@.lifecycle_policy, @extschema@.rfm_boundary) IS
	'part of refresh(): appends to class_history every class in cc_refresh_new that changed, with the reason; returns the customers with a change';

-- refresh(as_of, full_refresh): recompute profiles as of a date (default: as_of()).
-- full_refresh NULL decides by itself: everyone when there are no profiles yet, or
-- they were computed as of another date or under another policy version, or no
-- RFM bounds were stored yet; otherwise only the customers queued in dirty.
-- A full refresh stores new RFM quintile bounds; an incremental one scores its
-- customers with the latest stored bounds.  Returns the number of customers
-- whose classes changed (new customers included).
--
-- SECURITY DEFINER: analysts run it, but may not write profiles, history or
-- the queue themselves (they could forge grades).  So it reads the sources
-- as the extension owner: profiles are computed over all rows, whatever
-- row-level security the caller would see through the src_* views.
CREATE FUNCTION @extschema@.refresh(as_of date DEFAULT NULL, full_refresh boolean DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.check_as_of(coalesce(refresh.as_of, @extschema@.as_of()), 'refresh');	-- no mistyped year
	card @extschema@.scorecard := @extschema@.active_scorecard();
	pol @extschema@.lifecycle_policy := @extschema@.active_lifecycle_policy();
	bounds @extschema@.rfm_boundary;
	version bigint;
	targets bigint[];
	changed bigint;
	profiles bigint;
	latest date;
	stale boolean;
	kept bigint;
	gone bigint := 0;
BEGIN
	-- one refresh at a time; sources stay writable meanwhile
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));
	SELECT last_value INTO version FROM @extschema@.policy_version;
	-- one pass over the profiles: how many, as of when, and whether any was
	-- computed under another date or policy
	SELECT count(*), max(p.as_of),
		   coalesce(bool_or(p.as_of <> d OR p.policy_version <> version
							OR p.scorecard_id <> card.scorecard_id
							OR p.lifecycle_policy_id IS DISTINCT FROM pol.policy_id), false)
	INTO profiles, latest, stale
	FROM @extschema@.profile p;
	-- class_history is a timeline in as-of order: never write into its past
	IF d < latest THEN
		RAISE EXCEPTION 'cannot refresh as of %: the profiles are as of % already', d, latest
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'class_history records changes in as-of order; a refresh as of an earlier date would make grade_migration() and the history wrong.',
				  HINT = format('Refresh as of %s or later.  If that date is a mistake, an administrator undoes what was refreshed as of any date after %s with customer_class.rewind(''%s'', ''the reason''), and the refresh works again.  To look at an earlier date without writing anything, call credit_facts() and credit_score().', latest, d, pg_catalog.to_char(d, 'YYYY-MM-DD'));
	END IF;

	IF full_refresh IS NULL THEN
		full_refresh := profiles = 0 OR stale OR NOT EXISTS (SELECT FROM @extschema@.rfm_boundary);
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

	PERFORM @extschema@.refresh_compute(d, card, pol, version, targets);

	-- RFM quintile bounds: computed over every customer with an order at a
	-- full refresh, else those of the last full refresh
	IF full_refresh THEN
		INSERT INTO @extschema@.rfm_boundary (as_of, policy_version, customers, r_bounds, f_bounds, m_bounds)
		SELECT d, version, count(*),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY d - n.last_order_on),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY n.orders_12m),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY n.revenue_12m)
		FROM cc_refresh_new n
		WHERE n.last_order_on IS NOT NULL
		RETURNING * INTO bounds;
	ELSE
		SELECT * INTO bounds FROM @extschema@.rfm_boundary ORDER BY boundary_id DESC LIMIT 1;
	END IF;

	-- Customers gone from the sources: their profiles are added to
	-- cc_refresh_new as rows marked gone, with the old classes only.  A full
	-- refresh looks for them only when fewer profiles were matched than
	-- exist (usually none are gone, and the anti-join would read every
	-- profile and every new row once more).
	IF targets IS NULL THEN
		SELECT count(*) INTO kept FROM cc_refresh_new n WHERE n.existed;
	END IF;
	-- (An anti-join with a CTE rather than NOT EXISTS, and IN below: the
	-- same plans here, and Citus can join its distributed profile with the
	-- coordinator's cc_refresh_new only when that is read in a subquery of
	-- its own.)
	IF targets IS NOT NULL OR kept < profiles THEN
		WITH matched AS (SELECT n.customer_id FROM cc_refresh_new n)
		INSERT INTO cc_refresh_new (customer_id, gone, existed, old_grade, old_stage, old_phase, old_segment,
									old_rfm, old_warning, old_override, old_last_order_on, old_as_of)
		SELECT p.customer_id, true, true, p.credit_grade, p.lifecycle_stage, p.lifecycle_phase,
			   p.behaviour_segment, p.rfm_segment, p.payment_warning, p.override_id, p.last_order_on, p.as_of
		FROM @extschema@.profile p
		LEFT JOIN matched m ON m.customer_id = p.customer_id
		WHERE (targets IS NULL OR p.customer_id = ANY (targets)) AND m.customer_id IS NULL;
		GET DIAGNOSTICS gone = ROW_COUNT;
	END IF;

	changed := @extschema@.refresh_history(d, pol, bounds);

	-- early warnings, from the old and the new classes side by side
	PERFORM @extschema@.refresh_alerts(d);

	IF gone > 0 THEN
		DELETE FROM @extschema@.profile p
		WHERE p.customer_id IN (SELECT n.customer_id FROM cc_refresh_new n WHERE n.gone);
	END IF;

	-- A join-driven UPDATE of the customers that had a profile, plus an
	-- INSERT of the new ones: cheaper than ON CONFLICT's row-by-row
	-- speculative inserts when most rows exist.  RFM is computed in a
	-- subquery's target list (OFFSET 0 keeps it there, one call per row), not
	-- by a lateral function scan, which builds a tuplestore per call.
	IF profiles > 0 THEN
		UPDATE @extschema@.profile p SET
			as_of = n.as_of, scorecard_id = n.scorecard_id, policy_version = n.policy_version,
			scale_points = n.scale_points, payment_points = n.payment_points,
			stability_points = n.stability_points, risk_points = n.risk_points,
			internal_score = n.internal_score, external_score = n.external_score,
			credit_score = n.credit_score, computed_grade = n.computed_grade,
			override_id = n.override_id, credit_grade = n.credit_grade,
			refreshed_at = n.refreshed_at,
			lifecycle_policy_id = n.lifecycle_policy_id, lifecycle_stage = n.lifecycle_stage,
			lifecycle_phase = n.lifecycle_phase, behaviour_segment = n.segment,
			first_order_on = n.first_order_on, last_order_on = n.last_order_on,
			orders_12m = n.orders_12m, revenue_12m = n.revenue_12m,
			rfm_r = (n.rfm).r, rfm_f = (n.rfm).f, rfm_m = (n.rfm).m, rfm_segment = (n.rfm).segment,
			open_balance = n.open_balance, overdue_balance = n.overdue_balance,
			overdue_invoices = n.overdue_invoices, payment_index = n.payment_index,
			days_beyond_terms = n.days_beyond_terms, payment_warning = n.payment_warning
		FROM (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
			  FROM cc_refresh_new n WHERE n.existed AND NOT n.gone OFFSET 0) n
		WHERE n.customer_id = p.customer_id;
	END IF;

	INSERT INTO @extschema@.profile
		(customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
		 stability_points, risk_points, internal_score, external_score, credit_score,
		 computed_grade, override_id, credit_grade, refreshed_at,
		 lifecycle_policy_id, lifecycle_stage, lifecycle_phase, behaviour_segment, first_order_on,
		 last_order_on, orders_12m, revenue_12m, rfm_r, rfm_f, rfm_m, rfm_segment,
		 open_balance, overdue_balance, overdue_invoices, payment_index, days_beyond_terms,
		 payment_warning)
	SELECT n.customer_id, n.as_of, n.scorecard_id, n.policy_version, n.scale_points, n.payment_points,
		   n.stability_points, n.risk_points, n.internal_score, n.external_score, n.credit_score,
		   n.computed_grade, n.override_id, n.credit_grade, n.refreshed_at,
		   n.lifecycle_policy_id, n.lifecycle_stage, n.lifecycle_phase, n.segment, n.first_order_on,
		   n.last_order_on, n.orders_12m, n.revenue_12m, (n.rfm).r, (n.rfm).f, (n.rfm).m, (n.rfm).segment,
		   n.open_balance, n.overdue_balance, n.overdue_invoices, n.payment_index, n.days_beyond_terms,
		   n.payment_warning
	FROM (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
											bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
		  FROM cc_refresh_new n WHERE NOT n.existed OFFSET 0) n;

	DROP TABLE cc_refresh_new;
	-- rule tags last: conditions read the profiles just written
	RETURN changed + @extschema@.apply_tag_rules(d, targets);
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh(date, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.refresh(date, boolean) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.refresh(date, boolean) IS
	'recompute customer profiles (credit grade, lifecycle stage and phase, behaviour segment, RFM) as of a date (default as_of()): everyone when full or when date/policy changed, else the queued dirty customers; records class changes in class_history; then applies the tag rules (apply_tag_rules); returns customers whose classes changed plus customers whose rule tags changed (a customer with both counts twice)';
