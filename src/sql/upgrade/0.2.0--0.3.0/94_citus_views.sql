-- 0.2.0 -> 0.3.0, Citus: the views on the distributed tables (issue 19, 19P).
-- No view calls per row a function that reads a table (Citus cannot run it
-- from a query on a shard) where a join does the same, nor reads other
-- customers through a correlated sub-select: disputed_invoices() and
-- customer_dunning_levels() (the rules of invoice_disputed() and
-- customer_dunning_level() for every customer at once),
-- credit_group_subtrees() (the group members' subtree exposures and limits
-- in one grouped pass) with its index, and the views due_reminders,
-- collection_worklist, credit_group and customer_profile over them, with
-- the same columns and rows.
-- The same for every invoice at once: the invoices under an open dispute on
-- the date, one row each (keep the rule in step with invoice_disputed()).
-- The views join it on (customer_id, invoice_id) instead of calling
-- invoice_disputed() per row: on Citus a per-row function that reads a
-- distributed table cannot run in a query on a shard (docs/citus.md), while
-- this one is inlined into the query and pushed down per customer.
CREATE FUNCTION @extschema@.disputed_invoices(as_of date)
	RETURNS TABLE (customer_id bigint, invoice_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT DISTINCT x.customer_id, x.invoice_id
	FROM @extschema@.invoice_dispute x
	WHERE x.opened_on <= disputed_invoices.as_of
	  AND (x.resolved_on IS NULL OR x.resolved_on > disputed_invoices.as_of);
END;
GRANT EXECUTE ON FUNCTION @extschema@.disputed_invoices(date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.disputed_invoices(date) IS
	'the invoices under a dispute opened by the date and not resolved by then, one row each (invoice_disputed() for every invoice at once)';

-- The same for every customer at once (keep the rule in step with
-- customer_dunning_level()): the customers whose invoices have a level on
-- the date, with the highest; a customer without a row has level 0.  For
-- the views, as disputed_invoices() above.
CREATE FUNCTION @extschema@.customer_dunning_levels(as_of date)
	RETURNS TABLE (customer_id bigint, dunning_level integer)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT n.customer_id, max(n.level)
	FROM @extschema@.dunning_notice n
	JOIN @extschema@.src_invoice i ON i.invoice_id = n.invoice_id AND i.customer_id = n.customer_id
	WHERE n.run_on <= customer_dunning_levels.as_of
	  AND i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id AND p.customer_id = i.customer_id
								 AND p.paid_on <= customer_dunning_levels.as_of), 0)
	  AND NOT EXISTS (SELECT FROM @extschema@.invoice_dispute x
					  WHERE x.invoice_id = n.invoice_id AND x.customer_id = n.customer_id
						AND x.opened_on <= customer_dunning_levels.as_of
						AND (x.resolved_on IS NULL OR x.resolved_on > customer_dunning_levels.as_of))
	GROUP BY n.customer_id;
END;
GRANT EXECUTE ON FUNCTION @extschema@.customer_dunning_levels(date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.customer_dunning_levels(date) IS
	'the customers with a dunning level on the date and that level (customer_dunning_level() for every customer at once; no row: level 0)';

-- the members of groups, for credit_group_subtrees() (credit_exposure_group_idx,
-- a GIN index, cannot list them all)
CREATE INDEX credit_exposure_grouped_idx ON @extschema@.credit_exposure (customer_id)
	WHERE group_path IS NOT NULL;
COMMENT ON INDEX @extschema@.credit_exposure_grouped_idx IS
	'the ledger rows of the customers in a credit group (credit_group_subtrees())';

-- Every customer in a credit group with the exposure of its subtree (itself
-- and all its descendants, from the ledger), their number, and its credit
-- limit in force on the date (credit_limit_rows()): one grouped pass over
-- the group members' ledger rows, each member's exposure counted for itself
-- and for each of its ancestors.  For credit_group and customer_profile,
-- which join it: on Citus a group's members are on different shards, and
-- Citus runs such a pass and joins its result, but not a sub-select per
-- member that reads other customers (docs/citus.md).
CREATE FUNCTION @extschema@.credit_group_subtrees(as_of date)
	RETURNS TABLE (customer_id bigint, subtree_exposure numeric, subtree_members bigint, credit_limit numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT m.customer_id, t.exposure, t.members, l.credit_limit
	FROM @extschema@.credit_exposure m
	JOIN (SELECT a.customer_id, sum(s.exposure) AS exposure, count(*) AS members
		  FROM @extschema@.credit_exposure s
		  CROSS JOIN LATERAL unnest(s.group_path || s.customer_id) a(customer_id)
		  WHERE s.group_path IS NOT NULL
		  GROUP BY a.customer_id) t ON t.customer_id = m.customer_id
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(m.customer_id, credit_group_subtrees.as_of) l
	WHERE m.group_path IS NOT NULL;
END;
COMMENT ON FUNCTION @extschema@.credit_group_subtrees(date) IS
	'every customer in a credit group: the exposure of its subtree (itself and its descendants), their number, and its credit limit in force on the date';

-- The groups as a table: every customer in a group, with its parent, its
-- root, its level (1: the root) and, for each customer, the exposure of its
-- subtree with the limit that caps it (credit_group_subtrees()).
CREATE OR REPLACE VIEW @extschema@.credit_group WITH (security_invoker = true) AS
	SELECT x.customer_id,
		   c.parent_id,
		   coalesce(x.group_path[1], x.customer_id) AS group_id,
		   pg_catalog.cardinality(x.group_path) + 1 AS level,
		   x.exposure AS own_exposure,
		   g.subtree_exposure,
		   g.credit_limit
	FROM @extschema@.credit_exposure x
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = x.customer_id
	LEFT JOIN (SELECT g.customer_id, g.subtree_exposure, g.credit_limit
			   FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
			   CROSS JOIN LATERAL @extschema@.credit_group_subtrees(k.d) g) g ON g.customer_id = x.customer_id
	WHERE x.group_path IS NOT NULL;
-- == Reminders: due soon and overdue ==
-- The open invoices overdue or falling due within 14 days, as
-- due_reminders(14) (receivables/views.sql: keep the two in step; the
-- regression test citus_views compares them), with the dunning level each
-- has reached and whether it is under an open dispute.  Written out rather
-- than over due_reminders(14) so that Citus runs it per customer on the
-- shards (docs/citus.md): it calls no function per row, and joins the
-- dunning level and the disputes to the open items first (Citus refuses
-- those outer joins once the open items are joined with the invoices, and
-- any join with a subquery that has an ORDER BY such as due_reminders()).
CREATE OR REPLACE VIEW @extschema@.due_reminders WITH (security_invoker = true) AS
SELECT o.customer_id, c.name AS customer_name, o.invoice_id, i.issued_on, o.due_on,
	   (SELECT @extschema@.report_date()) - o.due_on AS days_past_due,
	   o.open_amount,
	   @extschema@.aging_bucket((SELECT @extschema@.report_date()) - o.due_on) AS bucket,
	   CASE WHEN o.due_on < (SELECT @extschema@.report_date()) THEN 'overdue'
			WHEN o.due_on = (SELECT @extschema@.report_date()) THEN 'due today'
			ELSE 'due soon' END AS status,
	   o.dunning_level,
	   o.disputed
FROM (SELECT o.customer_id, o.invoice_id, o.due_on, o.open_amount, n.dunning_level,
			 x.invoice_id IS NOT NULL AS disputed
	  FROM @extschema@.open_item o
	  LEFT JOIN (SELECT n.customer_id, n.invoice_id, max(n.level) AS dunning_level
				 FROM @extschema@.dunning_notice n
				 WHERE n.run_on <= (SELECT @extschema@.as_of())
				 GROUP BY n.customer_id, n.invoice_id) n
		ON n.customer_id = o.customer_id AND n.invoice_id = o.invoice_id
	  LEFT JOIN (SELECT x.customer_id, x.invoice_id
				 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
				 CROSS JOIN LATERAL @extschema@.disputed_invoices(k.d) x) x
		ON x.customer_id = o.customer_id AND x.invoice_id = o.invoice_id
	  WHERE o.kind = 'invoice'
		AND o.due_on <= (SELECT @extschema@.report_date()) + 14) o
JOIN @extschema@.src_invoice i ON i.invoice_id = o.invoice_id AND i.customer_id = o.customer_id
JOIN @extschema@.src_customer c ON c.customer_id = o.customer_id
ORDER BY (o.due_on < (SELECT @extschema@.report_date())) DESC,
		 CASE WHEN o.due_on < (SELECT @extschema@.report_date()) THEN (SELECT @extschema@.report_date()) - o.due_on END DESC,
		 o.due_on, o.open_amount DESC, o.invoice_id;

-- == The collector's worklist ==
-- One row per customer with something to chase as of the as-of date:
-- undisputed overdue invoices, a promise to pay falling due today, or a
-- broken promise whose alert is still open.  Ordered by priority: promises
-- due today first (did the money come?), then the overdue amount x days
-- past due, then the dunning level; reasons says why, in words.
CREATE OR REPLACE VIEW @extschema@.collection_worklist WITH (security_invoker = true) AS
SELECT row_number() OVER (ORDER BY w.promised_today > 0 DESC, w.amount_days DESC, w.dunning_level DESC, w.customer_id) AS priority,
	   w.customer_id, w.customer_name, w.overdue_amount, w.overdue_invoices, w.oldest_days_past_due, w.amount_days,
	   w.dunning_level, l.name_en AS dunning_level_label_en, l.name_zh AS dunning_level_label_zh, w.promised_today, w.broken_promises, w.disputed_amount,
	   array_remove(ARRAY[
		   CASE WHEN w.promised_today > 0 THEN pg_catalog.format('promised to pay %s today', w.promised_today) END,
		   CASE WHEN w.broken_promises > 0 THEN pg_catalog.format('%s broken promise(s) to pay', w.broken_promises) END,
		   CASE WHEN w.overdue_invoices > 0 THEN pg_catalog.format('%s overdue on %s invoice(s), the oldest %s days', w.overdue_amount,
																 w.overdue_invoices, w.oldest_days_past_due) END,
		   CASE WHEN w.dunning_level > 0 THEN pg_catalog.format('dunning level %s (%s)', w.dunning_level, l.name_en) END,
		   CASE WHEN w.disputed_amount > 0 THEN pg_catalog.format('%s disputed, held out of dunning', w.disputed_amount) END],
		   NULL) AS reasons
FROM (SELECT c.customer_id, c.name AS customer_name,
			 coalesce(o.overdue_amount, 0) AS overdue_amount, coalesce(o.overdue_invoices, 0) AS overdue_invoices,
			 o.oldest_days_past_due, coalesce(o.amount_days, 0) AS amount_days,
			 coalesce(dl.dunning_level, 0) AS dunning_level,
			 coalesce(p.promised_today, 0) AS promised_today, coalesce(p.broken_promises, 0) AS broken_promises,
			 coalesce(o.disputed_amount, 0) AS disputed_amount
	  FROM @extschema@.src_customer c
	  LEFT JOIN (SELECT l.customer_id, l.dunning_level
				 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
				 CROSS JOIN LATERAL @extschema@.customer_dunning_levels(k.d) l) dl ON dl.customer_id = c.customer_id
	  LEFT JOIN (SELECT i.customer_id,
						pg_catalog.sum(i.open_amount) FILTER (WHERE NOT i.disputed) AS overdue_amount,
						pg_catalog.count(*) FILTER (WHERE NOT i.disputed) AS overdue_invoices,
						pg_catalog.max(i.days) FILTER (WHERE NOT i.disputed) AS oldest_days_past_due,
						pg_catalog.sum(i.open_amount * i.days) FILTER (WHERE NOT i.disputed) AS amount_days,
						pg_catalog.sum(i.open_amount) FILTER (WHERE i.disputed) AS disputed_amount
				 FROM (SELECT o.customer_id, o.open_amount, k.d - o.due_on AS days,
							  x.invoice_id IS NOT NULL AS disputed
					   FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
					   CROSS JOIN @extschema@.open_item o
					   LEFT JOIN @extschema@.disputed_invoices(k.d) x
						 ON x.customer_id = o.customer_id AND x.invoice_id = o.invoice_id
					   WHERE o.kind = 'invoice' AND o.due_on < k.d) i
				 GROUP BY i.customer_id) o ON o.customer_id = c.customer_id
	  LEFT JOIN (SELECT q.customer_id,
						pg_catalog.sum(q.amount) FILTER (WHERE q.status = 'open' AND q.promised_on = k.d) AS promised_today,
						pg_catalog.count(*) FILTER (WHERE q.status = 'broken' AND a.resolved_at IS NULL AND a.alert_id IS NOT NULL) AS broken_promises
				 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
				 CROSS JOIN @extschema@.payment_promise q
				 -- the alert is the promise's customer's: joined on both, which Citus needs
				 LEFT JOIN @extschema@.alerts a ON a.alert_id = q.alert_id AND a.customer_id = q.customer_id
				 GROUP BY q.customer_id) p ON p.customer_id = c.customer_id) w
LEFT JOIN @extschema@.dunning_levels l ON l.level = w.dunning_level AND w.dunning_level > 0
WHERE w.overdue_invoices > 0 OR w.promised_today > 0 OR w.broken_promises > 0
ORDER BY priority;

-- customer_profile (views/customer_profile.sql)
CREATE OR REPLACE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class, c.payment_terms_days,
		   p.as_of,
		   p.credit_score,
		   p.credit_grade,
		   p.credit_grade::text AS grade,
		   gl.label_en AS grade_label_en,
		   gl.label_zh AS grade_label_zh,
		   p.computed_grade,
		   cl.label_en AS computed_grade_label_en,
		   cl.label_zh AS computed_grade_label_zh,
		   p.override_id IS NOT NULL AS grade_overridden,
		   p.scale_points, p.payment_points, p.stability_points, p.risk_points,
		   p.external_score,
		   format('%s: scale %s, payment %s, stability %s, risk %s%s',
				  p.credit_score, p.scale_points, p.payment_points, p.stability_points, p.risk_points,
				  CASE WHEN p.external_score IS NOT NULL THEN ', external ' || p.external_score ELSE '' END)
			   || CASE WHEN p.override_id IS NOT NULL THEN format('; overridden to %s', p.credit_grade) ELSE '' END
			   AS score_explanation,
		   c.credit_limit AS own_credit_limit,
		   p.lifecycle_stage,
		   p.lifecycle_stage::text AS stage,
		   sl.label_en AS stage_label_en,
		   sl.label_zh AS stage_label_zh,
		   p.lifecycle_phase,
		   p.lifecycle_phase::text AS phase,
		   pl.label_en AS phase_label_en,
		   pl.label_zh AS phase_label_zh,
		   p.behaviour_segment,
		   p.behaviour_segment::text AS behaviour,
		   bl.label_en AS behaviour_label_en,
		   bl.label_zh AS behaviour_label_zh,
		   p.rfm_r, p.rfm_f, p.rfm_m,
		   p.rfm_r::text || p.rfm_f::text || p.rfm_m::text AS rfm_score,
		   p.rfm_segment,
		   p.rfm_segment::text AS rfm,
		   rl.label_en AS rfm_label_en,
		   rl.label_zh AS rfm_label_zh,
		   p.first_order_on,
		   p.last_order_on,
		   p.as_of - p.last_order_on AS days_since_last_order,
		   p.orders_12m,
		   p.revenue_12m,
		   p.open_balance,
		   p.overdue_balance,
		   p.overdue_invoices,
		   p.payment_index,
		   p.days_beyond_terms,
		   p.payment_warning,
		   p.payment_warning::text AS warning,
		   wl.label_en AS warning_label_en,
		   wl.label_zh AS warning_label_zh,
		   lim.credit_limit,
		   lim.limit_source,
		   coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS exposure,
		   lim.credit_limit
			   - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS available_credit,
		   ag.a OPERATOR(@extschema@.->) 'current' AS aging_current,
		   ag.a OPERATOR(@extschema@.->) '1-30' AS aging_1_30,
		   ag.a OPERATOR(@extschema@.->) '31-60' AS aging_31_60,
		   ag.a OPERATOR(@extschema@.->) '61-90' AS aging_61_90,
		   ag.a OPERATOR(@extschema@.->) '91+' AS aging_over_90,
		   @extschema@.aging_total(ag.a) AS aging_total,
		   @extschema@.aging_total(ag.a) - (ag.a OPERATOR(@extschema@.->) 'current') AS aging_overdue,
		   al.alert_level,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_zh,
		   al.open_alerts,
		   p.refreshed_at,
		   CAST(c.tags AS pg_catalog.text[]) AS tags,
		   CAST(p.rule_tags AS pg_catalog.text[]) AS rule_tags,
		   CAST(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS pg_catalog.text[]) AS all_tags,
		   pf.revenue, pf.cost, pf.costed_revenue, pf.gross_profit, pf.gross_margin,
		   -- credit groups (credit/groups.sql)
		   c.parent_id,
		   (SELECT coalesce(e.group_path[1], e.customer_id) FROM @extschema@.credit_exposure e
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_id,
		   gx.exposure AS group_exposure,
		   -- the limits of the group read other customers per row: Citus
		   -- refuses them (docs/citus.md); computed in one pass for every
		   -- member, as group_exposure, they would cost a single node's
		   -- lookup of one customer a limit per member of every group
		   (SELECT @extschema@.credit_limit(coalesce(e.group_path[1], e.customer_id)) FROM @extschema@.credit_exposure e
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_credit_limit,
		   (SELECT least(lim.credit_limit
						 - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0),
						 min(l.credit_limit - l.group_exposure))
			FROM @extschema@.credit_group_limits(c.customer_id) l HAVING count(*) > 0) AS group_available_credit
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN (SELECT o.customer_id, @extschema@.aging_agg(o.open_amount, o.due_on, (SELECT @extschema@.report_date())) AS a
			   FROM @extschema@.open_item o GROUP BY o.customer_id) ag ON ag.customer_id = c.customer_id
	LEFT JOIN LATERAL (SELECT coalesce(max(a.level), 'green') AS alert_level, count(*) AS open_alerts
					   FROM @extschema@.alerts a
					   WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) al ON true
	-- gross profit of the 365 days up to the report date (facts/profit.sql);
	-- the date comes in as a column so that customer_profit() is inlined
	-- and reads this customer's invoices only
	LEFT JOIN LATERAL (SELECT pr.revenue, pr.cost, pr.costed_revenue, pr.gross_profit, pr.gross_margin
					   FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
					   CROSS JOIN LATERAL @extschema@.customer_profit(rd.d - 364, rd.d) pr
					   WHERE pr.customer_id = c.customer_id) pf ON true
	-- the limit in force as of as_of(), as the credit checks see it
	LEFT JOIN LATERAL (SELECT l.credit_limit, l.limit_source
					   FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
					   CROSS JOIN LATERAL @extschema@.credit_limit_rows(c.customer_id, k.d) l) lim ON true
	-- credit groups (credit/groups.sql): the customer's ledger row (ge), and
	-- its group's exposure as the subtree of its root (gx): one grouped pass
	-- over the group members' ledger rows (as credit_group_subtrees(),
	-- without the limits), joined on the root, not a sub-select per customer
	-- reading the other members (on Citus on other shards)
	LEFT JOIN @extschema@.credit_exposure ge ON ge.customer_id = c.customer_id AND ge.group_path IS NOT NULL
	LEFT JOIN (SELECT a.customer_id, sum(s.exposure) AS exposure
			   FROM @extschema@.credit_exposure s
			   CROSS JOIN LATERAL unnest(s.group_path || s.customer_id) a(customer_id)
			   WHERE s.group_path IS NOT NULL
			   GROUP BY a.customer_id) gx ON gx.customer_id = coalesce(ge.group_path[1], ge.customer_id)
	LEFT JOIN @extschema@.class_label cl ON cl.dimension = 'credit_grade' AND cl.value = p.computed_grade::text
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;

