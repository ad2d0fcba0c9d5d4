-- Rule-based tags: an admin writes a tag and a condition over the columns of
-- rule_subject; refresh() gives the tag to every customer the condition holds
-- for, in profile.rule_tags (apart from the manual customer.tags), and records
-- each tag gained or lost in class_history.  Conditions are validated and
-- normalised in C (src/tag_rule.c): they may compute over the rule_subject
-- row and nothing else, because refresh() runs them with the privileges of
-- whoever runs refresh().  See docs/rules.md.

-- What a condition can see: one row per profiled customer.
CREATE VIEW @extschema@.rule_subject WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class,
		   c.payment_terms_days, c.credit_limit, c.created_on, c.tags,
		   p.as_of, p.credit_score, p.credit_grade, p.lifecycle_stage, p.lifecycle_phase,
		   p.behaviour_segment, p.rfm_r, p.rfm_f, p.rfm_m, p.rfm_segment,
		   p.first_order_on, p.last_order_on, p.orders_12m, p.revenue_12m,
		   p.open_balance, p.overdue_balance, p.overdue_invoices, p.payment_index,
		   p.days_beyond_terms, p.payment_warning,
		   (SELECT pr.gross_profit FROM @extschema@.customer_profit(p.as_of - 364, p.as_of) pr
			WHERE pr.customer_id = c.customer_id) AS gross_profit_12m,
		   (SELECT pr.gross_margin FROM @extschema@.customer_profit(p.as_of - 364, p.as_of) pr
			WHERE pr.customer_id = c.customer_id) AS gross_margin_12m
	FROM @extschema@.src_customer c
	JOIN @extschema@.profile p ON p.customer_id = c.customer_id;

GRANT SELECT ON @extschema@.rule_subject TO customer_class_reader;
COMMENT ON VIEW @extschema@.rule_subject IS
	'what a tag rule condition can see: one row per profiled customer, its source attributes and its classes as of the last refresh';
COMMENT ON COLUMN @extschema@.rule_subject.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.rule_subject.name IS 'customer name';
COMMENT ON COLUMN @extschema@.rule_subject.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.rule_subject.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.rule_subject.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.rule_subject.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.rule_subject.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.rule_subject.credit_limit IS 'own credit limit; NULL = grade default';
COMMENT ON COLUMN @extschema@.rule_subject.created_on IS 'date the customer was opened';
COMMENT ON COLUMN @extschema@.rule_subject.tags IS 'the manual tags (tagset); rule tags are not visible to rules';
COMMENT ON COLUMN @extschema@.rule_subject.as_of IS 'the as-of date of the refresh: compare dates with it';
COMMENT ON COLUMN @extschema@.rule_subject.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.rule_subject.credit_grade IS 'credit grade in force (enum A < B < C < D, A best)';
COMMENT ON COLUMN @extschema@.rule_subject.lifecycle_stage IS 'lifecycle stage (enum): potential, new, active, reactivated, dormant, churned';
COMMENT ON COLUMN @extschema@.rule_subject.lifecycle_phase IS 'revenue phase (enum): introduction, growth, maturity, decline; NULL: no order yet';
COMMENT ON COLUMN @extschema@.rule_subject.behaviour_segment IS 'behaviour segment (enum)';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_r IS 'RFM recency score 1-5 (5 = most recent)';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_f IS 'RFM frequency score 1-5';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_m IS 'RFM monetary score 1-5';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_segment IS 'named RFM segment (enum); NULL: no order yet';
COMMENT ON COLUMN @extschema@.rule_subject.first_order_on IS 'first (non-cancelled) order by as_of';
COMMENT ON COLUMN @extschema@.rule_subject.last_order_on IS 'last (non-cancelled) order by as_of';
COMMENT ON COLUMN @extschema@.rule_subject.orders_12m IS 'orders in the 365 days up to as_of';
COMMENT ON COLUMN @extschema@.rule_subject.revenue_12m IS 'invoiced in the 365 days up to as_of';
COMMENT ON COLUMN @extschema@.rule_subject.open_balance IS 'open receivables as of as_of';
COMMENT ON COLUMN @extschema@.rule_subject.overdue_balance IS 'open amount of invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.rule_subject.overdue_invoices IS 'open invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.rule_subject.payment_index IS 'PAYDEX-style payment index 20-100 (NULL below 3 paid invoices)';
COMMENT ON COLUMN @extschema@.rule_subject.days_beyond_terms IS 'amount-weighted days beyond terms of paid invoices (negative: early)';
COMMENT ON COLUMN @extschema@.rule_subject.payment_warning IS 'payment-rhythm warning (alert_level yellow or red; NULL: none), see docs/warnings.md';
COMMENT ON COLUMN @extschema@.rule_subject.gross_profit_12m IS 'gross profit of the invoices with a cost issued in the 365 days up to as_of (NULL: none), see docs/reporting.md';
COMMENT ON COLUMN @extschema@.rule_subject.gross_margin_12m IS 'gross_profit_12m / revenue of those invoices, fraction with 4 decimals (0.3000 = 30 %)';

-- Validation and normalisation of a condition (src/tag_rule.c).  STABLE: the
-- result depends on the catalogs.  PARALLEL UNSAFE: it sets search_path for
-- the duration of the call, which is refused in parallel mode.
CREATE FUNCTION @extschema@.tag_rule_normalize(condition text) RETURNS text
	AS 'MODULE_PATHNAME', 'tag_rule_normalize'
	LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.tag_rule_normalize(text) IS
	'validates a tag rule condition over rule_subject (a boolean expression of its columns, constants, immutable built-in functions and operators, the extension''s functions and current_date) and returns it normalised and schema-qualified; errors otherwise';

CREATE TABLE @extschema@.tag_rule (
	rule_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	tag				text NOT NULL,
	condition		text NOT NULL,
	condition_sql	text NOT NULL,
	description		text,
	enabled			boolean NOT NULL DEFAULT true,
	created_by		name NOT NULL DEFAULT CURRENT_USER,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- written by refresh() (apply_tag_rules), not by the author
	last_error		text,
	last_error_sqlstate text,
	last_error_at	timestamptz
);

-- A rule may not give a tag of an exclusive dimension (industry, region,
-- size, ...).  Such a tag is a fact kept on the customer (customer.tags),
-- one per customer; a rule tag comes on top of the customer's own tags in
-- all_tags, so it could only ever be a second one, or stand in for a fact
-- nobody recorded.  Rules give their own tags (watch.*, review.*) instead.
-- tag_dimension_rule_check keeps it so when a dimension becomes exclusive.
CREATE FUNCTION @extschema@.check_rule_tag(tag text) RETURNS void
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dim text := @extschema@.exclusive_dimension_of(tag);
BEGIN
	IF dim IS NOT NULL THEN
		RAISE EXCEPTION 'a tag rule cannot give tag "%" of exclusive dimension "%"', tag, dim
			USING ERRCODE = 'check_violation',
				  DETAIL = format('A customer holds at most one tag of "%s", set on the customer (customer.tags); a rule tag would be a second one.', dim),
				  HINT = 'Give the rule a tag of its own dimension (such as watch.collection), or make the dimension not exclusive first.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.check_rule_tag(text) IS
	'raises check_violation (23514) when a tag rule''s tag lies in an exclusive dimension: those tags are kept on the customer only';

-- BEFORE trigger: the tag must be one valid tag, the condition a valid one;
-- condition_sql is always derived here, whatever the writer put there.
-- Attribution cannot be forged: on INSERT created_by is the inserting role
-- and the timestamps are now(), on UPDATE created_by and created_at stay.
-- Superusers are exempt, because a restore (pg_restore of a dump, which
-- needs a superuser for this extension) writes the rows back with COPY and
-- must keep their authors; a superuser can change any row anyway.
-- The trigger fires for every column but the last_error ones, which
-- refresh() writes (and the author does not).
CREATE FUNCTION @extschema@.tag_rule_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	trusted boolean := coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
								 WHERE r.rolname = current_user), false);
BEGIN
	IF NEW.tag IS NOT NULL THEN
		-- the tag grammar's own errors (22P02 and friends)
		PERFORM @extschema@.tagset(ARRAY[NEW.tag]);
		PERFORM @extschema@.check_rule_tag(NEW.tag);
	END IF;
	IF NEW.condition IS NOT NULL THEN
		NEW.condition_sql := @extschema@.tag_rule_normalize(NEW.condition);
	END IF;
	IF TG_OP = 'INSERT' THEN
		-- a restore (superuser) keeps the dumped values
		IF NOT trusted THEN
			NEW.created_by := current_user;
			NEW.created_at := pg_catalog.now();
			NEW.updated_at := pg_catalog.now();
			NEW.last_error := NULL;
			NEW.last_error_sqlstate := NULL;
			NEW.last_error_at := NULL;
		END IF;
	ELSE
		IF NOT trusted THEN
			NEW.created_by := OLD.created_by;
			NEW.created_at := OLD.created_at;
		END IF;
		NEW.updated_at := pg_catalog.now();
		-- a changed rule has not failed yet
		IF (NEW.tag, NEW.condition) IS DISTINCT FROM (OLD.tag, OLD.condition) THEN
			NEW.last_error := NULL;
			NEW.last_error_sqlstate := NULL;
			NEW.last_error_at := NULL;
		END IF;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.tag_rule_check() IS
	'trigger: validates a tag rule''s tag and condition, stores the normalised condition in condition_sql and keeps created_by/created_at truthful';

CREATE TRIGGER tag_rule_check
	BEFORE INSERT OR UPDATE OF rule_id, tag, condition, condition_sql, description, enabled,
		created_by, created_at, updated_at
	ON @extschema@.tag_rule
	FOR EACH ROW EXECUTE FUNCTION @extschema@.tag_rule_check();
-- any change of rules: the next refresh() recomputes everyone (refresh()
-- recording an error in the last_error columns is no change of rules)
CREATE TRIGGER tag_rule_policy_version
	AFTER INSERT OR UPDATE OF rule_id, tag, condition, condition_sql, description, enabled,
		created_by, created_at, updated_at OR DELETE OR TRUNCATE
	ON @extschema@.tag_rule
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();

-- trigger on tag_dimension: a dimension cannot become exclusive while a
-- rule gives one of its tags, or a customer still holds one as a rule tag
-- (of a rule deleted since the last refresh).  Rule writes in flight are
-- waited for and new ones held off until this transaction ends, as
-- tag_dimension_check does for customer writes.
CREATE FUNCTION @extschema@.tag_dimension_rule_check() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
BEGIN
	LOCK TABLE @extschema@.tag_rule IN SHARE ROW EXCLUSIVE MODE;
	SELECT t.rule_id, t.tag INTO r
	FROM @extschema@.tag_rule t
	WHERE t.tag = NEW.dimension OR starts_with(t.tag, NEW.dimension || '.')
	ORDER BY t.rule_id
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dimension "%" cannot be exclusive: tag rule #% gives its tag "%"',
			NEW.dimension, r.rule_id, r.tag
			USING ERRCODE = 'check_violation',
				  DETAIL = 'Tags of an exclusive dimension are kept on the customer only; a rule tag would be a second one.',
				  HINT = 'Give the rule another tag, or delete it, first.';
	END IF;
	SELECT p.customer_id, t.tag INTO r
	FROM @extschema@.profile p
	CROSS JOIN LATERAL @extschema@.tags(p.rule_tags) AS t (tag)
	WHERE p.rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset
	  AND (t.tag = NEW.dimension OR starts_with(t.tag, NEW.dimension || '.'))
	ORDER BY p.customer_id
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dimension "%" cannot be exclusive: customer % still holds rule tag "%"',
			NEW.dimension, r.customer_id, r.tag
			USING ERRCODE = 'check_violation',
				  DETAIL = 'The rule that gave it is gone or changed, but no refresh has removed the tag yet.',
				  HINT = 'Run customer_class.refresh() first.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.tag_dimension_rule_check() IS
	'trigger: a dimension can become exclusive only when no tag rule gives, and no customer holds as a rule tag, one of its tags (locks tag_rule against concurrent writes)';
-- its trigger on tag_dimension: tags/triggers.sql

SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_rule', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_rule_rule_id_seq', '');

GRANT SELECT ON @extschema@.tag_rule TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.tag_rule TO customer_class_admin;
GRANT USAGE ON SEQUENCE @extschema@.tag_rule_rule_id_seq TO customer_class_admin;
-- refresh() runs as an analyst and records a failing rule's error
GRANT UPDATE (last_error, last_error_sqlstate, last_error_at) ON @extschema@.tag_rule
	TO customer_class_analyst;

COMMENT ON TABLE @extschema@.tag_rule IS
	'rules that give tags: refresh() gives tag to every customer whose rule_subject row satisfies condition (rule tags, kept apart from manual tags)';
COMMENT ON COLUMN @extschema@.tag_rule.rule_id IS 'rule key';
COMMENT ON COLUMN @extschema@.tag_rule.tag IS 'the tag the rule gives (one valid tag, e.g. watch.collection)';
COMMENT ON COLUMN @extschema@.tag_rule.condition IS 'the condition as written: a boolean expression over the columns of rule_subject';
COMMENT ON COLUMN @extschema@.tag_rule.condition_sql IS 'the condition validated, normalised and schema-qualified (set by the trigger); what refresh() evaluates';
COMMENT ON COLUMN @extschema@.tag_rule.description IS 'what the rule is for (shown in class_history)';
COMMENT ON COLUMN @extschema@.tag_rule.enabled IS 'false: the rule gives no tag';
COMMENT ON COLUMN @extschema@.tag_rule.created_by IS 'role that created the rule (set by the trigger; kept on update)';
COMMENT ON COLUMN @extschema@.tag_rule.created_at IS 'when the rule was created (set by the trigger; kept on update)';
COMMENT ON COLUMN @extschema@.tag_rule.updated_at IS 'when the rule was last changed';
COMMENT ON COLUMN @extschema@.tag_rule.last_error IS 'the error of the rule''s last evaluation by refresh() (the rule was skipped); NULL: it succeeded';
COMMENT ON COLUMN @extschema@.tag_rule.last_error_sqlstate IS 'SQLSTATE of last_error';
COMMENT ON COLUMN @extschema@.tag_rule.last_error_at IS 'when last_error happened';

-- (apply_tag_rules finds the customers that have rule tags at once, through
-- profile_rule_tagged_idx, classes/profile.sql.)

-- apply_tag_rules(as_of, customers): evaluate every enabled rule for the
-- given customers (NULL: everyone), store the tags in profile.rule_tags and
-- record each tag gained or lost in class_history.  Returns the number of
-- customers whose rule tags changed.
-- A rule that is invalid or fails at run time (division by zero ...) is
-- skipped with a WARNING and its error recorded in tag_rule.last_error; the
-- other rules are applied, and the tags the skipped rules give stay as they
-- were.  Cost: one subtransaction for the whole evaluation, and only when it
-- fails one more per rule to find the failing ones (never one per customer).
-- jit = off: the planner's estimate is inflated by the history subqueries,
-- which run only for the few changed customers, and JIT compilation of the
-- one query cost ten times its run time (2,000 customers: 32 ms against 3 ms).
-- SECURITY DEFINER like refresh(), which calls it: analysts may apply the
-- rules but not write profile or class_history themselves.  That is why
-- conditions are restricted: they are parsed and checked as
-- customer_class_rule_checker before they run.
CREATE FUNCTION @extschema@.apply_tag_rules(as_of date, customers bigint[] DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET jit = off
AS $$
DECLARE
	r record;
	cond text;
	tag_ok boolean;
	-- the rules that will be evaluated, by position
	ids bigint[] := '{}';
	conds text[] := '{}';
	rule_tags text[] := '{}';
	added_why text[] := '{}';
	gone_why text[] := '{}';
	-- tags of the skipped rules: customers keep them as they were
	kept text[] := '{}';
	-- tags of rules skipped because the tag itself is refused, and why:
	-- customers lose them, and the history says which rule and why
	refused text[] := '{}';
	refused_why text[] := '{}';
	cases text[];
	bad integer[];
	changed bigint;
	err_state text;
	err_message text;
	err_detail text;
BEGIN
	-- the history is written as of this date: no mistyped year
	PERFORM @extschema@.check_as_of(apply_tag_rules.as_of, 'apply_tag_rules');
	-- serialised with refresh() (which holds this lock already when it calls
	-- here), so that a tag change is never recorded twice
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));

	-- nothing to do, at the cost of two index probes (SELECT 1: on Citus
	-- each EXISTS is planned apart, and its result cannot have no column)
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tag_rule t WHERE t.enabled)
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.profile p
					   WHERE p.rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset) THEN
		RETURN 0;
	END IF;

	FOR r IN SELECT t.rule_id, t.tag, t.condition, t.description
			 FROM @extschema@.tag_rule t WHERE t.enabled ORDER BY t.rule_id
	LOOP
		-- Checked again, not read from condition_sql: a rule restored or
		-- written with triggers disabled must not run unchecked.  The check
		-- runs no code of the rule's author (src/tag_rule.c).
		tag_ok := false;
		BEGIN
			PERFORM @extschema@.tagset(ARRAY[r.tag]);
			-- a tag of an exclusive dimension is not kept either
			PERFORM @extschema@.check_rule_tag(r.tag);
			tag_ok := true;
			cond := @extschema@.tag_rule_normalize(r.condition);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
									err_detail = PG_EXCEPTION_DETAIL;
			UPDATE @extschema@.tag_rule t
			SET last_error = err_message, last_error_sqlstate = err_state, last_error_at = pg_catalog.now()
			WHERE t.rule_id = r.rule_id;
			RAISE WARNING 'tag rule #% skipped: %', r.rule_id, err_message
				USING DETAIL = concat_ws(' ', nullif(err_detail, ''), format('The rule''s condition: %s', r.condition)),
					  HINT = CASE WHEN tag_ok
							 THEN 'Its customers keep the tag as they had it; the error is in customer_class.tag_rule.last_error.'
							 ELSE 'Its customers lose the tag; the error is in customer_class.tag_rule.last_error.' END;
			IF tag_ok THEN
				kept := kept || r.tag;
			ELSE
				refused := refused || r.tag;
				refused_why := refused_why || format('rule #%s skipped: %s', r.rule_id, err_message);
			END IF;
			CONTINUE;
		END;
		ids := ids || r.rule_id;
		conds := conds || cond;
		rule_tags := rule_tags || r.tag;
		added_why := added_why || format('rule #%s%s: %s', r.rule_id,
			CASE WHEN coalesce(r.description, '') <> '' THEN format(' (%s)', r.description) ELSE '' END,
			r.condition);
		gone_why := gone_why || format('rule #%s no longer matches: %s', r.rule_id, r.condition);
	END LOOP;

	-- At most two attempts: all rules at once; if that fails, each rule on
	-- its own finds the failing ones, which are skipped in the second.
	FOR attempt IN 1..2 LOOP
		cases := ARRAY(SELECT format('CASE WHEN (%s) THEN %s END', conds[k], k)
					   FROM generate_subscripts(conds, 1) AS k ORDER BY k);
		BEGIN
			-- One query: every condition evaluated in one pass over
			-- rule_subject (hits: the positions of the matching rules; a
			-- NULL condition result does not match), then history and
			-- profile for the changed customers.
			EXECUTE format($q$
				WITH hit AS (
					SELECT customer_id, pg_catalog.array_remove(ARRAY[%s]::integer[], NULL) AS hits
					FROM @extschema@.rule_subject
					WHERE $1 IS NULL OR customer_id = ANY ($1)
				), diff AS (
					SELECT p.customer_id, p.rule_tags AS old_tags, n.new_tags, h.hits
					FROM hit h
					JOIN @extschema@.profile p ON p.customer_id = h.customer_id
					CROSS JOIN LATERAL (SELECT (CASE WHEN h.hits = '{}' THEN '{}'::@extschema@.tagset
												ELSE @extschema@.tagset(ARRAY(SELECT $2[i] FROM unnest(h.hits) AS i)) END)
											   OPERATOR(@extschema@.|)
											   (p.rule_tags OPERATOR(@extschema@.&) @extschema@.tagset($6))) AS n (new_tags)
					WHERE n.new_tags OPERATOR(@extschema@.<>) p.rule_tags
				), hist AS (
					INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
					SELECT d.customer_id, 'rule_tag', NULL, t.tag, $5,
						   (SELECT $3[u.i] FROM unnest(d.hits) WITH ORDINALITY AS u (i, o)
							WHERE $2[u.i] = t.tag ORDER BY u.o LIMIT 1)
					FROM diff d
					CROSS JOIN LATERAL @extschema@.tags(d.new_tags OPERATOR(@extschema@.-) d.old_tags) AS t (tag)
					UNION ALL
					SELECT d.customer_id, 'rule_tag', t.tag, NULL, $5,
						   coalesce((SELECT string_agg($4[i], '; ' ORDER BY i)
									 FROM generate_subscripts($2, 1) AS i WHERE $2[i] = t.tag),
									(SELECT string_agg($8[i], '; ' ORDER BY i)
									 FROM generate_subscripts($7, 1) AS i WHERE $7[i] = t.tag),
									'no enabled rule gives this tag any more')
					FROM diff d
					CROSS JOIN LATERAL @extschema@.tags(d.old_tags OPERATOR(@extschema@.-) d.new_tags) AS t (tag)
				), upd AS (
					UPDATE @extschema@.profile p SET rule_tags = d.new_tags
					FROM diff d WHERE p.customer_id = d.customer_id
				)
				SELECT count(*) FROM diff
				$q$, array_to_string(cases, ', '))
			INTO changed
			USING customers, rule_tags, added_why, gone_why, apply_tag_rules.as_of, kept,
				  refused, refused_why;
			EXIT;
		EXCEPTION WHEN OTHERS THEN
			-- (a cancel or statement_timeout is not OTHERS: it still aborts)
			IF attempt = 2 THEN
				RAISE;
			END IF;
			bad := '{}';
			FOR k IN 1 .. cardinality(conds) LOOP
				BEGIN
					EXECUTE format('SELECT count(CASE WHEN (%s) THEN 1 END) FROM @extschema@.rule_subject '
								   'WHERE $1 IS NULL OR customer_id = ANY ($1)', conds[k])
					USING customers;
				EXCEPTION WHEN OTHERS THEN
					GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
					bad := bad || k;
					UPDATE @extschema@.tag_rule t
					SET last_error = err_message, last_error_sqlstate = err_state, last_error_at = pg_catalog.now()
					WHERE t.rule_id = ids[k];
					RAISE WARNING 'tag rule #% skipped: %', ids[k], err_message
						USING DETAIL = format('The rule''s condition: %s', (SELECT t.condition FROM @extschema@.tag_rule t WHERE t.rule_id = ids[k])),
							  HINT = 'Its customers keep the tag as they had it; the error is in customer_class.tag_rule.last_error.';
				END;
			END LOOP;
			-- no single rule fails: the error is not a rule's, let it through
			IF cardinality(bad) = 0 THEN
				RAISE;
			END IF;
			kept := kept || ARRAY(SELECT rule_tags[k] FROM unnest(bad) AS k);
			SELECT coalesce(array_agg(ids[k] ORDER BY k), '{}'), coalesce(array_agg(conds[k] ORDER BY k), '{}'),
				   coalesce(array_agg(rule_tags[k] ORDER BY k), '{}'), coalesce(array_agg(added_why[k] ORDER BY k), '{}'),
				   coalesce(array_agg(gone_why[k] ORDER BY k), '{}')
			INTO ids, conds, rule_tags, added_why, gone_why
			FROM generate_subscripts(conds, 1) AS k WHERE k <> ALL (bad);
		END;
	END LOOP;

	-- the rules that ran have no error any more
	UPDATE @extschema@.tag_rule t
	SET last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL
	WHERE t.rule_id = ANY (ids) AND t.last_error IS NOT NULL;

	RETURN changed;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.apply_tag_rules(date, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.apply_tag_rules(date, bigint[]) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.apply_tag_rules(date, bigint[]) IS
	'evaluates the enabled tag rules for the given customers (NULL: all) into profile.rule_tags, recording every rule tag gained or lost in class_history; returns the number of customers whose rule tags changed (refresh() calls it)';
