-- Triggers of the collections tables whose functions load after them
-- (collections/dunning.sql loads before credit/check.sql, which defines
-- credit_context_changed()).
--
-- The credit checks' cache (src/credit_context.c) forgets what it knew
-- when a dispute is opened or resolved (the overdue rule may leave disputed
-- invoices out, rule.disputed_invoices) or a dunning run writes notices (a
-- check may read customer_dunning_level()).  ENABLE ALWAYS, like the
-- others: replica-mode loads fire them too.
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.invoice_dispute
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.invoice_dispute ENABLE ALWAYS TRIGGER credit_context_changed;

CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.dunning_notice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.dunning_notice ENABLE ALWAYS TRIGGER credit_context_changed;
