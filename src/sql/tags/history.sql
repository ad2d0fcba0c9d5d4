-- Manual tags are classes too: every tag added to or removed from a
-- customer of the managed customer table lands in class_history (dimension
-- 'tag'), with who did it.  A new customer's first tags are its starting
-- point, not a change, so an INSERT records nothing (bulk loads stay cheap).
-- Tags set by rules are recorded by apply_tag_rules() (dimension 'rule_tag').
--
-- SECURITY DEFINER, like mark_dirty(): whoever may edit customers records
-- the change without write access to class_history; it only copies from the
-- transition tables.
CREATE FUNCTION @extschema@.record_tag_changes() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.as_of();
	-- the role that made the change: CURRENT_USER is this function's owner
	-- here, but SET ROLE shows in the setting "role"
	who text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER::text
					 ELSE pg_catalog.current_setting('role') END;
	h @extschema@.class_history[];
BEGIN
	-- the rows first, from the transition tables alone (on Citus a statement
	-- naming one and a distributed table fails on the shard: docs/citus.md)
	h := ARRAY(
	SELECT ROW(NULL, n.customer_id, 'tag',
		   CASE WHEN x.added THEN NULL ELSE x.tag END,
		   CASE WHEN x.added THEN x.tag END,
		   -- refused when the as_of setting is a mistyped year (checked
		   -- only when a tag changed: other customer writes go through)
		   @extschema@.check_as_of(d, 'manual tag change'), NULL,
		   pg_catalog.format('tag %s by %s', CASE WHEN x.added THEN 'added' ELSE 'removed' END, who))::@extschema@.class_history
	FROM new_rows n
	JOIN old_rows o USING (customer_id)
	CROSS JOIN LATERAL (
		SELECT t AS tag, true AS added
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(n.tags, '{}'), coalesce(o.tags, '{}'))) t
		UNION ALL
		SELECT t, false
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(o.tags, '{}'), coalesce(n.tags, '{}'))) t
	) x
	ORDER BY n.customer_id, x.added, x.tag);
	IF pg_catalog.cardinality(h) > 0 THEN
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT r.customer_id, r.dimension, r.old_value, r.new_value, r.as_of, r.why
		FROM pg_catalog.unnest(h) WITH ORDINALITY r
		ORDER BY r.ordinality;
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.record_tag_changes() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.record_tag_changes() IS
	'statement trigger on customer: records every manual tag added or removed in class_history (dimension tag)';
-- its trigger on customer: sources/triggers.sql
