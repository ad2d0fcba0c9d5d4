-- Citus: due_reminders() is no longer STRICT, so that it is inlined like the
-- other set-returning SQL functions (a STRICT function is not inlined, and
-- Citus cannot run a SQL function's queries with parameters; src/citus_inline.c).
-- A NULL horizon still gives no rows.
ALTER FUNCTION @extschema@.due_reminders(integer) CALLED ON NULL INPUT;
