-- The triggers on classes/ tables whose functions load after the table: the
-- refresh queue (refresh/queue.sql), the credit checks' ledger and cache
-- (credit/check.sql) and the customer check (credit/rules.sql).  What each
-- does is said beside its function; the table's own triggers are in the
-- table's file.  Rule: docs/architecture.md.
--
-- profile rows come and go a million at a time (the first refresh): one
-- statement touches their ledger rows, not one trigger call per row.

-- profile
CREATE TRIGGER credit_touch_exposure_ins AFTER INSERT ON @extschema@.profile
	REFERENCING NEW TABLE AS changed_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure_rows();
CREATE TRIGGER credit_touch_exposure_del AFTER DELETE ON @extschema@.profile
	REFERENCING OLD TABLE AS changed_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure_rows();
CREATE TRIGGER credit_touch_exposure_grade AFTER UPDATE OF credit_grade ON @extschema@.profile
	FOR EACH ROW WHEN (OLD.credit_grade IS DISTINCT FROM NEW.credit_grade)
	EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_touch_exposure_truncate AFTER TRUNCATE ON @extschema@.profile
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.profile
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.profile ENABLE ALWAYS TRIGGER credit_context_changed;

-- external_score
CREATE TRIGGER external_score_dirty_ins AFTER INSERT ON @extschema@.external_score REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_score_dirty_upd AFTER UPDATE ON @extschema@.external_score REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_score_dirty_del AFTER DELETE ON @extschema@.external_score REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_score_dirty_truncate AFTER TRUNCATE ON @extschema@.external_score
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.external_score
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- credit_override
CREATE TRIGGER credit_override_dirty_ins AFTER INSERT ON @extschema@.credit_override REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER credit_override_dirty_upd AFTER UPDATE ON @extschema@.credit_override REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER credit_override_dirty_del AFTER DELETE ON @extschema@.credit_override REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER credit_override_dirty_truncate AFTER TRUNCATE ON @extschema@.credit_override
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();
