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
BEGIN
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	SELECT n.customer_id, 'tag',
		   CASE WHEN x.added THEN NULL ELSE x.tag END,
		   CASE WHEN x.added THEN x.tag END,
		   -- refused when the as_of setting is a mistyped year (checked
		   -- only when a tag changed: other customer writes go through)
		   @extschema@.check_as_of(d, 'manual tag change'), pg_catalog.format('tag %s by %s', CASE WHEN x.added THEN 'added' ELSE 'removed' END, who)
	FROM new_rows n
	JOIN old_rows o USING (customer_id)
	CROSS JOIN LATERAL (
		SELECT t AS tag, true AS added
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(n.tags, '{}'), coalesce(o.tags, '{}'))) t
		UNION ALL
		SELECT t, false
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(o.tags, '{}'), coalesce(n.tags, '{}'))) t
	) x
	ORDER BY n.customer_id, x.added, x.tag;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.record_tag_changes() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.record_tag_changes() IS
	'statement trigger on customer: records every manual tag added or removed in class_history (dimension tag)';
-- its trigger on customer: sources/triggers.sql
