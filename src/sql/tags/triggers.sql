-- The triggers on tags/ tables whose functions load after the table
-- (tags/catalog.sql creates tag_dimension; the rule check is in
-- tags/rules.sql, which needs the classes).  Rule: docs/architecture.md.

-- tag_dimension
CREATE TRIGGER tag_dimension_rule_exclusive
	AFTER INSERT OR UPDATE OF exclusive, dimension ON @extschema@.tag_dimension
	FOR EACH ROW WHEN (NEW.exclusive)
	EXECUTE FUNCTION @extschema@.tag_dimension_rule_check();
