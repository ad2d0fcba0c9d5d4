-- The triggers on the managed tables customer, sales_order, invoice and
-- payment (sources/tables.sql), all in one place, per table.  Every later
-- concern hooks into these tables, so their triggers load here, once every
-- trigger function exists (after credit/), not in tables.sql: a trigger
-- needs its function, and the functions need the tables.  What each one does
-- is said beside its function:
--   *_explain_check          checks/explain.sql   a failed CHECK explained
--   customer_tags_exclusive  tags/catalog.sql     one tag per exclusive dimension
--   customer_tag_history     tags/history.sql     manual tags in class_history
--   *_dirty_*                refresh/queue.sql    queue the customers for refresh()
--   credit_*                 credit/check.sql     the credit checks and the exposure ledger
--   credit_*_truncate        credit/exposure.sql  a TRUNCATE rebuilds the ledger
--   credit_context_changed   credit/check.sql     drop the credit checks' caches
--   credit_touch_exposure    credit/check.sql     a changed limit waits for the checks in progress
--   customer_parent_check    credit/groups.sql    no cycle in a credit group
--   credit_group_*           credit/groups.sql    a changed parent rewrites the ledger's group paths
--   credit_*_held            credit/hold.sql      an order on credit hold is not shipped or invoiced
--   invoice_fill_due_on      credit/rules.sql     the due date from the payment terms
-- pg_dump writes them after the rows of these tables (sources/user_data.sql).
-- Triggers fire in name order, whatever the order here.

-- customer
CREATE TRIGGER customer_explain_check BEFORE INSERT OR UPDATE ON @extschema@.customer
	FOR EACH ROW WHEN ((btrim(NEW.name) <> '') IS FALSE
		OR (NEW.customer_type IN ('enterprise', 'individual')) IS FALSE
		OR (NEW.size_class IN ('micro', 'small', 'medium', 'large')) IS FALSE
		OR (NEW.region ~ '^[a-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+(\.[a-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+)*$') IS FALSE
		OR (NEW.credit_limit >= 0) IS FALSE
		OR (NEW.payment_terms_days BETWEEN 0 AND 365) IS FALSE
		OR (NEW.payment_terms_basis IN ('invoice', 'month_end')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER customer_tags_exclusive
	BEFORE INSERT OR UPDATE OF tags ON @extschema@.customer
	FOR EACH ROW WHEN (@extschema@.cardinality(NEW.tags) > 1)
	EXECUTE FUNCTION @extschema@.customer_tags_check();
CREATE TRIGGER customer_tag_history AFTER UPDATE ON @extschema@.customer
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_tag_changes();
CREATE TRIGGER customer_dirty_ins AFTER INSERT ON @extschema@.customer REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER customer_dirty_upd AFTER UPDATE ON @extschema@.customer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER customer_dirty_del AFTER DELETE ON @extschema@.customer REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER customer_dirty_truncate AFTER TRUNCATE ON @extschema@.customer
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_customer AFTER INSERT OR UPDATE OF customer_id OR DELETE ON @extschema@.customer
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_customer_trigger();
CREATE TRIGGER credit_customer_truncate AFTER TRUNCATE ON @extschema@.customer
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.customer
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.customer ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER credit_touch_exposure AFTER UPDATE OF credit_limit ON @extschema@.customer
	FOR EACH ROW WHEN (OLD.credit_limit IS DISTINCT FROM NEW.credit_limit)
	EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER customer_parent_check BEFORE INSERT OR UPDATE OF parent_id ON @extschema@.customer
	FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.customer_parent_check();
CREATE TRIGGER credit_group_ins AFTER INSERT ON @extschema@.customer
	FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.credit_group_trigger();
CREATE TRIGGER credit_group_upd AFTER UPDATE OF parent_id ON @extschema@.customer
	FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id)
	EXECUTE FUNCTION @extschema@.credit_group_trigger();
CREATE TRIGGER credit_group_del AFTER DELETE ON @extschema@.customer
	FOR EACH ROW WHEN (OLD.parent_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.credit_group_trigger();

-- sales_order
CREATE TRIGGER sales_order_explain_check BEFORE INSERT OR UPDATE ON @extschema@.sales_order
	FOR EACH ROW WHEN ((NEW.amount >= 0) IS FALSE
		OR (NEW.status IN ('open', 'shipped', 'invoiced', 'cancelled')) IS FALSE
		OR (NEW.shipped_on >= NEW.ordered_on) IS FALSE
		OR (NEW.cost >= 0) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER sales_order_dirty_ins AFTER INSERT ON @extschema@.sales_order REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER sales_order_dirty_upd AFTER UPDATE ON @extschema@.sales_order REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER sales_order_dirty_del AFTER DELETE ON @extschema@.sales_order REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER sales_order_dirty_truncate AFTER TRUNCATE ON @extschema@.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_order AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sales_order
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_order_trigger();
CREATE TRIGGER credit_order_truncate AFTER TRUNCATE ON @extschema@.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
-- after credit_order (name order), which may just have held the order
CREATE TRIGGER credit_order_held_ins AFTER INSERT ON @extschema@.sales_order
	FOR EACH ROW WHEN (NEW.status IN ('shipped', 'invoiced'))
	EXECUTE FUNCTION @extschema@.credit_hold_guard();
-- before the checks: the hold is the reason, whatever they would say
CREATE TRIGGER credit_order_held_upd BEFORE UPDATE OF status ON @extschema@.sales_order
	FOR EACH ROW WHEN (NEW.status IN ('shipped', 'invoiced') AND OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION @extschema@.credit_hold_guard();

-- invoice
CREATE TRIGGER invoice_explain_check BEFORE INSERT OR UPDATE ON @extschema@.invoice
	FOR EACH ROW WHEN ((NEW.amount > 0) IS FALSE OR (NEW.due_on >= NEW.issued_on) IS FALSE
		OR (NEW.cost >= 0) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER invoice_fill_due_on BEFORE INSERT OR UPDATE ON @extschema@.invoice
	FOR EACH ROW WHEN (NEW.due_on IS NULL)
	EXECUTE FUNCTION @extschema@.invoice_fill_due_on();
CREATE TRIGGER invoice_dirty_ins AFTER INSERT ON @extschema@.invoice REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER invoice_dirty_upd AFTER UPDATE ON @extschema@.invoice REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER invoice_dirty_del AFTER DELETE ON @extschema@.invoice REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER invoice_dirty_truncate AFTER TRUNCATE ON @extschema@.invoice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_invoice AFTER INSERT OR UPDATE OR DELETE ON @extschema@.invoice
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_invoice_trigger();
CREATE TRIGGER credit_invoice_truncate AFTER TRUNCATE ON @extschema@.invoice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
CREATE TRIGGER credit_invoice_held BEFORE INSERT OR UPDATE OF order_id ON @extschema@.invoice
	FOR EACH ROW WHEN (NEW.order_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.credit_hold_guard();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.invoice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('receivables');
ALTER TABLE @extschema@.invoice ENABLE ALWAYS TRIGGER credit_context_changed;

-- payment
CREATE TRIGGER payment_explain_check BEFORE INSERT OR UPDATE ON @extschema@.payment
	FOR EACH ROW WHEN ((NEW.amount > 0) IS FALSE OR (NEW.kind IN ('payment', 'credit_note')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER payment_dirty_ins AFTER INSERT ON @extschema@.payment REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER payment_dirty_upd AFTER UPDATE ON @extschema@.payment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER payment_dirty_del AFTER DELETE ON @extschema@.payment REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER payment_dirty_truncate AFTER TRUNCATE ON @extschema@.payment
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_payment AFTER INSERT OR UPDATE OR DELETE ON @extschema@.payment
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_payment_trigger();
CREATE TRIGGER credit_payment_truncate AFTER TRUNCATE ON @extschema@.payment
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.payment
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('receivables');
ALTER TABLE @extschema@.payment ENABLE ALWAYS TRIGGER credit_context_changed;
