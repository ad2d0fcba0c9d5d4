-- The one date every shipped view reports as of (docs/reporting.md).  The
-- classes in profile are as of the last refresh(); the receivables figures
-- can be computed as of any date.  So that a BI tool's session, which sets
-- nothing, sees classes and figures of the same day, the views use the
-- refresh's date when customer_class.as_of is not set.  A session that sets
-- customer_class.as_of asks for that date and gets it.  The credit checks
-- do not read this: they decide as of as_of() (today at write time).
-- Every refresh at a new date is a full one and records its bounds in
-- rfm_boundary (rewind() takes back those of the dates it undoes), so the
-- latest row there is the date of the profile, found without reading the
-- profile (which row-level security filters, and which is large).  The
-- fallback is as_of(), never current_date, and as_of() is asked before
-- rfm_boundary is read (a one-time filter of that scan): where as_of()
-- refuses to guess the date (a Citus worker that did not get the session's
-- setting), report_date() refuses too, rather than read the node's own copy.
CREATE FUNCTION @extschema@.report_date() RETURNS date
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(CASE WHEN coalesce(pg_catalog.current_setting('customer_class.as_of', true), '') <> ''
						 THEN @extschema@.as_of() END,
					(SELECT b.as_of FROM @extschema@.rfm_boundary b
					 WHERE @extschema@.as_of() IS NOT NULL ORDER BY b.boundary_id DESC LIMIT 1),
					@extschema@.as_of());
END;

COMMENT ON FUNCTION @extschema@.report_date() IS
	'the date the views report as of: the setting customer_class.as_of when set, else the as-of date of the last refresh() (the classes'' date), else current_date';
