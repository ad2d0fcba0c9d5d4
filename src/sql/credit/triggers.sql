-- The triggers on credit/ tables whose functions load after the table: the
-- checks' ledger and cache (credit_touch_exposure, credit_context_changed:
-- credit/check.sql), the refresh queue (refresh/queue.sql), the customer
-- check and the review of external events (credit/rules.sql).  What each
-- does is said beside its function; the table's own triggers are in the
-- table's file.  Rule: docs/architecture.md.

-- credit_setting
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_setting
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_setting
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_setting ENABLE ALWAYS TRIGGER credit_context_changed;

-- credit_limit_policy
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_limit_policy
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_limit_policy
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_limit_policy ENABLE ALWAYS TRIGGER credit_context_changed;

-- credit_limit_override
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.credit_limit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_touch_exposure_truncate AFTER TRUNCATE ON @extschema@.credit_limit_override
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_limit_override
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_limit_override ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_limit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- credit_check_exception
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.credit_check_exception
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_touch_exposure_truncate AFTER TRUNCATE ON @extschema@.credit_check_exception
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_check_exception
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_check_exception ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_check_exception
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- credit_check_rule: a row for everyone or a grade concerns every customer,
-- so every ledger row is touched, as for credit_setting
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_check_rule
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_check_rule
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_check_rule ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_check_rule
	FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION @extschema@.customer_reference_check();

-- alerts
CREATE TRIGGER external_event_reviewed AFTER UPDATE OF resolved_at ON @extschema@.alerts
	FOR EACH ROW WHEN (NEW.kind = 'external_event' AND OLD.resolved_at IS DISTINCT FROM NEW.resolved_at)
	EXECUTE FUNCTION @extschema@.external_event_reviewed();

-- external_event
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.external_event
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.external_event ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.external_event
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER external_event_dirty_ins AFTER INSERT ON @extschema@.external_event
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_upd AFTER UPDATE ON @extschema@.external_event
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_del AFTER DELETE ON @extschema@.external_event
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_truncate AFTER TRUNCATE ON @extschema@.external_event
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.external_event
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();
