-- Collections, part 1: dunning levels, disputes, the notices and the
-- customer's dunning level (docs/collections.md).  Loaded after the credit
-- policy (credit_setting) and before the credit checks: the overdue rule
-- (credit_overdue_invoice, credit/check.sql) leaves out disputed invoices
-- by policy, and a check may ask customer_dunning_level(), both SQL bodies
-- bound when they are created.  The run, promises, letters, worklist and
-- statements are in collections/collections.sql and collections/statement.sql.
--
-- The rows are checked by BEFORE triggers that say what is accepted (no
-- CHECK constraints: those would need an entry in check_rule() each).

-- == Dunning levels ==
-- Level 0 is the reminder before the due date (days_past_due <= 0: that
-- many days before it); levels 1-9 are the steps after it.  Shipped rows
-- come back with CREATE EXTENSION, are read-only and not dumped; a row of
-- the admin's own for the same level wins (enabled = false switches the
-- level off), and pg_dump keeps it.
CREATE TABLE @extschema@.dunning_level (
	level			integer NOT NULL,
	days_past_due	integer NOT NULL,
	name_en			text NOT NULL,
	name_zh			text NOT NULL,
	fee				numeric(18,2) NOT NULL DEFAULT 0,
	interest_rate	numeric(7,4) NOT NULL DEFAULT 0,
	letter_en		text NOT NULL,
	letter_zh		text NOT NULL,
	enabled			boolean NOT NULL DEFAULT true,
	shipped			boolean NOT NULL DEFAULT false,
	PRIMARY KEY (level, shipped)
);

-- The placeholders a letter may use, filled by dunning_run() for each notice.
CREATE FUNCTION @extschema@.dunning_placeholders() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY['customer_id', 'customer_name', 'invoice_id', 'issued_on', 'due_on', 'days_past_due',
				 'days_until_due', 'open_amount', 'fee', 'fees_total', 'interest', 'total_due',
				 'level', 'level_name', 'run_on'];
COMMENT ON FUNCTION @extschema@.dunning_placeholders() IS
	'the placeholders a dunning letter may use, written {name}: customer_id, customer_name, invoice_id, issued_on, due_on, days_past_due, days_until_due, open_amount, fee, fees_total, interest, total_due, level, level_name, run_on';

-- A letter with its placeholders filled: every {name} of vals replaced by
-- its value (NULL: empty).
CREATE FUNCTION @extschema@.dunning_letter_render(template text, vals jsonb) RETURNS text
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	v text;
	letter text := template;
BEGIN
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each_text(vals) e LOOP
		letter := replace(letter, '{' || k || '}', coalesce(v, ''));
	END LOOP;
	RETURN letter;
END
$$;
COMMENT ON FUNCTION @extschema@.dunning_letter_render(text, jsonb) IS
	'a letter template with each {name} replaced by the value of name in the jsonb object (NULL values as empty text)';

CREATE FUNCTION @extschema@.dunning_level_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col text;
	bad text;
BEGIN
	IF NEW.level IS NULL OR NEW.level NOT BETWEEN 0 AND 9 THEN
		RAISE EXCEPTION 'invalid dunning level %', NEW.level
			USING ERRCODE = 'check_violation',
				  HINT = 'Level 0 is the reminder before the due date; the steps after it are levels 1 to 9.';
	END IF;
	IF NEW.level = 0 AND NEW.days_past_due NOT BETWEEN -365 AND 0 THEN
		RAISE EXCEPTION 'invalid days_past_due % for dunning level 0', NEW.days_past_due
			USING ERRCODE = 'check_violation',
				  DETAIL = 'Level 0 is the reminder sent before the due date.',
				  HINT = 'Give how many days before the due date it is sent as a negative number (-365 to 0; -7: a week before).';
	ELSIF NEW.level > 0 AND NEW.days_past_due NOT BETWEEN 1 AND 3650 THEN
		RAISE EXCEPTION 'invalid days_past_due % for dunning level %', NEW.days_past_due, NEW.level
			USING ERRCODE = 'check_violation',
				  HINT = 'A level after the due date applies from 1 to 3650 days past due.';
	END IF;
	IF btrim(NEW.name_en) = '' OR btrim(NEW.name_zh) = '' THEN
		RAISE EXCEPTION 'dunning level % needs a name in English and in Chinese', NEW.level
			USING ERRCODE = 'check_violation', HINT = 'Fill name_en and name_zh.';
	END IF;
	IF NEW.fee < 0 THEN
		RAISE EXCEPTION 'invalid fee % for dunning level %', NEW.fee, NEW.level
			USING ERRCODE = 'check_violation', HINT = 'A fee is 0 or more.';
	END IF;
	IF NEW.interest_rate NOT BETWEEN 0 AND 1 THEN
		RAISE EXCEPTION 'invalid interest_rate % for dunning level %', NEW.interest_rate, NEW.level
			USING ERRCODE = 'check_violation',
				  HINT = 'Give the yearly rate as a fraction between 0 and 1 (0.08 is 8 % a year).';
	END IF;
	FOREACH col IN ARRAY ARRAY['letter_en', 'letter_zh'] LOOP
		IF btrim(to_jsonb(NEW) ->> col) = '' THEN
			RAISE EXCEPTION 'dunning level % has an empty %', NEW.level, col
				USING ERRCODE = 'check_violation', HINT = 'Write the letter text; it may use placeholders such as {invoice_id}.';
		END IF;
		SELECT m[1] INTO bad
		FROM regexp_matches(to_jsonb(NEW) ->> col, '\{([^{}]*)\}', 'g') AS m
		WHERE m[1] <> ALL (@extschema@.dunning_placeholders())
		LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'unknown placeholder "{%}" in % of dunning level %', bad, col, NEW.level
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'The placeholders are: {' || array_to_string(@extschema@.dunning_placeholders(), '}, {') || '}.';
		END IF;
	END LOOP;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.dunning_level_validate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.dunning_level_validate() IS
	'trigger: a dunning level must have a level 0-9, days in its range, names, a fee and rate not negative (rate at most 1) and letters that use only the known placeholders';

CREATE TRIGGER dunning_level_validate BEFORE INSERT OR UPDATE ON @extschema@.dunning_level
	FOR EACH ROW EXECUTE FUNCTION @extschema@.dunning_level_validate();
CREATE TRIGGER dunning_level_protect_shipped BEFORE UPDATE OR DELETE ON @extschema@.dunning_level
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();

INSERT INTO @extschema@.dunning_level (level, days_past_due, name_en, name_zh, fee, interest_rate, letter_en, letter_zh, shipped) VALUES
	(0, -7, 'payment reminder', '到期提醒', 0, 0,
	 'Dear {customer_name}, this is a reminder that invoice {invoice_id} of {open_amount} falls due on {due_on}. If you have paid it already, please disregard this letter.',
	 '尊敬的{customer_name}:贵司发票 {invoice_id} 金额 {open_amount} 将于 {due_on} 到期,请按时付款。如已付款,请忽略本函。', true),
	(1, 1, 'friendly reminder', '友好提醒', 0, 0,
	 'Dear {customer_name}, invoice {invoice_id} was due on {due_on} and is {days_past_due} days overdue; {open_amount} is still open. Please arrange the payment soon.',
	 '尊敬的{customer_name}:发票 {invoice_id} 已于 {due_on} 到期,现逾期 {days_past_due} 天,尚欠 {open_amount}。请尽快安排付款。', true),
	(2, 15, 'second reminder', '第二次催款', 10, 0,
	 'Dear {customer_name}, invoice {invoice_id} (due {due_on}) is {days_past_due} days overdue: {open_amount} open and a reminder fee of {fee}. Please pay {total_due} within 7 days.',
	 '尊敬的{customer_name}:发票 {invoice_id}(到期日 {due_on})已逾期 {days_past_due} 天:尚欠 {open_amount},催款费 {fee}。请于 7 日内支付 {total_due}。', true),
	(3, 30, 'final notice', '最后通知', 25, 0.08,
	 'Dear {customer_name}, final notice: invoice {invoice_id} (due {due_on}) is {days_past_due} days overdue. Open {open_amount}, fees {fees_total}, interest {interest}. Unless {total_due} reaches us within 7 days, we will hand the claim to collection and stop deliveries.',
	 '尊敬的{customer_name}:最后通知:发票 {invoice_id}(到期日 {due_on})已逾期 {days_past_due} 天。尚欠 {open_amount},费用 {fees_total},利息 {interest}。如 7 日内未收到 {total_due},我们将移交催收并停止发货。', true),
	(4, 60, 'handed to collection', '移交催收', 50, 0.08,
	 'Dear {customer_name}, invoice {invoice_id} (due {due_on}), {days_past_due} days overdue, has been handed to collection. We claim {total_due}: {open_amount} open, fees {fees_total}, interest {interest}.',
	 '尊敬的{customer_name}:发票 {invoice_id}(到期日 {due_on})已逾期 {days_past_due} 天,已移交催收。应付总额 {total_due}:尚欠 {open_amount},费用 {fees_total},利息 {interest}。', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_level', 'WHERE NOT shipped');

-- The levels in force: the admin's row of a level, else the shipped one;
-- a level switched off (enabled = false) is left out.
CREATE VIEW @extschema@.dunning_levels WITH (security_invoker = true) AS
SELECT l.level, l.days_past_due, l.name_en, l.name_zh, l.fee, l.interest_rate, l.letter_en, l.letter_zh,
	   NOT l.shipped AS changed
FROM (SELECT DISTINCT ON (d.level) d.*
	  FROM @extschema@.dunning_level d
	  ORDER BY d.level, d.shipped) l
WHERE l.enabled;

GRANT SELECT ON @extschema@.dunning_level, @extschema@.dunning_levels TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.dunning_level TO customer_class_admin;

COMMENT ON TABLE @extschema@.dunning_level IS
	'dunning levels: shipped defaults (read-only) and the admin''s own rows, which win for the same level; level 0 is the reminder before the due date';
COMMENT ON COLUMN @extschema@.dunning_level.level IS '0: reminder before the due date; 1-9: the steps after it, raised one per dunning run';
COMMENT ON COLUMN @extschema@.dunning_level.days_past_due IS 'days past due from which the level applies (level 0: days before the due date, as a negative number)';
COMMENT ON COLUMN @extschema@.dunning_level.name_en IS 'name of the level in English';
COMMENT ON COLUMN @extschema@.dunning_level.name_zh IS 'name of the level in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_level.fee IS 'fee charged with a notice of this level';
COMMENT ON COLUMN @extschema@.dunning_level.interest_rate IS 'yearly interest rate on the open amount from the due date, as a fraction (0.08 = 8 %); 0: none';
COMMENT ON COLUMN @extschema@.dunning_level.letter_en IS 'letter text in English, with {placeholders} (dunning_placeholders())';
COMMENT ON COLUMN @extschema@.dunning_level.letter_zh IS 'letter text in Simplified Chinese, with {placeholders}';
COMMENT ON COLUMN @extschema@.dunning_level.enabled IS 'false on an admin''s row: the level is not used';
COMMENT ON COLUMN @extschema@.dunning_level.shipped IS 'shipped with the extension (read-only, not dumped)';
COMMENT ON VIEW @extschema@.dunning_levels IS
	'the dunning levels in force: the admin''s row of a level, else the shipped one; levels switched off left out';
COMMENT ON COLUMN @extschema@.dunning_levels.level IS '0: reminder before the due date; 1-9: steps after it';
COMMENT ON COLUMN @extschema@.dunning_levels.days_past_due IS 'days past due from which the level applies (level 0: negative, before the due date)';
COMMENT ON COLUMN @extschema@.dunning_levels.name_en IS 'name in English';
COMMENT ON COLUMN @extschema@.dunning_levels.name_zh IS 'name in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_levels.fee IS 'fee per notice';
COMMENT ON COLUMN @extschema@.dunning_levels.interest_rate IS 'yearly interest rate as a fraction';
COMMENT ON COLUMN @extschema@.dunning_levels.letter_en IS 'letter text in English';
COMMENT ON COLUMN @extschema@.dunning_levels.letter_zh IS 'letter text in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_levels.changed IS 'true when the admin''s own row is in force';

-- == Disputes ==
-- A customer contests an invoice: while the dispute is open the invoice is
-- held out of dunning, and, when rule.disputed_invoices is 'ignore', out of
-- the overdue rules (rule.overdue_days and the invoice_overdue alert).  At
-- most one open dispute per invoice.  No foreign key: invoices may live in
-- a bound ERP relation (src_invoice).
CREATE TABLE @extschema@.invoice_dispute (
	dispute_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	invoice_id		bigint NOT NULL,
	reason			text NOT NULL,
	opened_on		date NOT NULL DEFAULT @extschema@.as_of(),
	opened_by		name NOT NULL DEFAULT CURRENT_USER,
	resolved_on		date,
	resolved_by		name,
	resolution		text
);
CREATE UNIQUE INDEX invoice_dispute_one_open ON @extschema@.invoice_dispute (invoice_id, customer_id)
	WHERE resolved_on IS NULL;
CREATE INDEX invoice_dispute_customer_idx ON @extschema@.invoice_dispute (customer_id, invoice_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.invoice_dispute', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.invoice_dispute_dispute_id_seq', '');

-- A dispute names an invoice of its customer (not checked during a restore,
-- like customer_reference_check), gives a reason, and is resolved with a
-- resolution on a date not before it was opened.
CREATE FUNCTION @extschema@.invoice_dispute_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.reason IS NULL OR btrim(NEW.reason) = '' THEN
		RAISE EXCEPTION 'a dispute needs a reason'
			USING ERRCODE = 'check_violation', HINT = 'Say what the customer contests (quantity, price, quality, ...).';
	END IF;
	IF (NEW.resolved_on IS NULL) <> (NEW.resolution IS NULL OR btrim(NEW.resolution) = '') THEN
		RAISE EXCEPTION 'a resolved dispute needs both resolved_on and a resolution'
			USING ERRCODE = 'check_violation',
				  HINT = 'Resolve a dispute with resolve_dispute(dispute_id, resolution).';
	END IF;
	IF NEW.resolved_on < NEW.opened_on THEN
		RAISE EXCEPTION 'dispute % cannot be resolved on % before it was opened on %', NEW.dispute_id, NEW.resolved_on, NEW.opened_on
			USING ERRCODE = 'check_violation';
	END IF;
	IF current_setting('check_function_bodies') = 'on'
	   AND (TG_OP = 'INSERT' OR NEW.invoice_id <> OLD.invoice_id OR NEW.customer_id <> OLD.customer_id)
	   AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i
					   WHERE i.invoice_id = NEW.invoice_id AND i.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'invoice % of customer % does not exist', NEW.invoice_id, NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'A dispute must name an invoice of customer_class.src_invoice and its customer.';
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.invoice_dispute_validate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.invoice_dispute_validate() IS
	'trigger: a dispute names an invoice of its customer in src_invoice (23503), gives a reason, and is resolved with a resolution on a date not before it was opened (23514)';
CREATE TRIGGER invoice_dispute_validate BEFORE INSERT OR UPDATE ON @extschema@.invoice_dispute
	FOR EACH ROW EXECUTE FUNCTION @extschema@.invoice_dispute_validate();
-- its trigger for the credit checks' cache: collections/triggers.sql

-- Is the invoice under an open dispute on the date (opened by then, not
-- resolved by then)?
CREATE FUNCTION @extschema@.invoice_disputed(invoice_id bigint, customer_id bigint, as_of date) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT EXISTS (SELECT FROM @extschema@.invoice_dispute x
				   WHERE x.invoice_id = invoice_disputed.invoice_id AND x.customer_id = invoice_disputed.customer_id
					 AND x.opened_on <= invoice_disputed.as_of
					 AND (x.resolved_on IS NULL OR x.resolved_on > invoice_disputed.as_of));
END;
COMMENT ON FUNCTION @extschema@.invoice_disputed(bigint, bigint, date) IS
	'true when the invoice is under a dispute opened by the date and not resolved by then';

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

-- Open a dispute on an invoice (its customer is looked up); returns its id.
CREATE FUNCTION @extschema@.open_dispute(invoice_id bigint, reason text, opened_on date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cust bigint;
	id bigint;
BEGIN
	SELECT i.customer_id INTO cust FROM @extschema@.src_invoice i WHERE i.invoice_id = open_dispute.invoice_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id
			USING ERRCODE = 'no_data_found';
	END IF;
	IF EXISTS (SELECT FROM @extschema@.invoice_dispute x
			   WHERE x.invoice_id = open_dispute.invoice_id AND x.customer_id = cust AND x.resolved_on IS NULL) THEN
		RAISE EXCEPTION 'invoice % is already under an open dispute', invoice_id
			USING ERRCODE = 'unique_violation',
				  HINT = 'Resolve the open one first (resolve_dispute).';
	END IF;
	INSERT INTO @extschema@.invoice_dispute (customer_id, invoice_id, reason, opened_on)
	VALUES (cust, open_dispute.invoice_id, open_dispute.reason, coalesce(open_dispute.opened_on, @extschema@.as_of()))
	RETURNING dispute_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION @extschema@.open_dispute(bigint, text, date) IS
	'open a dispute on an invoice with a reason (on the as-of date unless given): it is held out of dunning until resolved; returns the dispute id';

-- Resolve an open dispute with its resolution; false (with a notice) when it
-- was resolved already, an error when it does not exist.
CREATE FUNCTION @extschema@.resolve_dispute(dispute_id bigint, resolution text, resolved_on date DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	done record;
BEGIN
	UPDATE @extschema@.invoice_dispute x
	SET resolved_on = coalesce(resolve_dispute.resolved_on, @extschema@.as_of()), resolved_by = CURRENT_USER,
		resolution = resolve_dispute.resolution
	WHERE x.dispute_id = resolve_dispute.dispute_id AND x.resolved_on IS NULL;
	IF FOUND THEN
		RETURN true;
	END IF;
	SELECT x.resolved_on, x.resolved_by INTO done FROM @extschema@.invoice_dispute x
	WHERE x.dispute_id = resolve_dispute.dispute_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dispute % does not exist', dispute_id
			USING ERRCODE = 'no_data_found';
	END IF;
	RAISE NOTICE 'the dispute was already resolved'
		USING DETAIL = format('Dispute %s was resolved on %s by %s.', dispute_id, done.resolved_on, done.resolved_by);
	RETURN false;
END
$$;
COMMENT ON FUNCTION @extschema@.resolve_dispute(bigint, text, date) IS
	'resolve an open dispute with its resolution (on the as-of date unless given); false with a notice when already resolved, an error when it does not exist';

GRANT SELECT ON @extschema@.invoice_dispute TO customer_class_reader;
GRANT INSERT, UPDATE ON @extschema@.invoice_dispute TO customer_class_analyst;
REVOKE EXECUTE ON FUNCTION @extschema@.open_dispute(bigint, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.resolve_dispute(bigint, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.open_dispute(bigint, text, date) TO customer_class_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.resolve_dispute(bigint, text, date) TO customer_class_analyst;

COMMENT ON TABLE @extschema@.invoice_dispute IS
	'disputes of invoices with reason and resolution: an open one holds the invoice out of dunning (and out of the overdue rules when rule.disputed_invoices is ignore)';
COMMENT ON COLUMN @extschema@.invoice_dispute.dispute_id IS 'dispute key';
COMMENT ON COLUMN @extschema@.invoice_dispute.customer_id IS 'the invoice''s customer';
COMMENT ON COLUMN @extschema@.invoice_dispute.invoice_id IS 'disputed invoice (src_invoice)';
COMMENT ON COLUMN @extschema@.invoice_dispute.reason IS 'what the customer contests';
COMMENT ON COLUMN @extschema@.invoice_dispute.opened_on IS 'date the dispute was opened';
COMMENT ON COLUMN @extschema@.invoice_dispute.opened_by IS 'who opened it';
COMMENT ON COLUMN @extschema@.invoice_dispute.resolved_on IS 'date it was resolved (NULL: open)';
COMMENT ON COLUMN @extschema@.invoice_dispute.resolved_by IS 'who resolved it';
COMMENT ON COLUMN @extschema@.invoice_dispute.resolution IS 'how it was resolved (credit note granted, claim rejected, ...)';

-- == Dunning notices ==
-- One row per step of an invoice, written by dunning_run() only: the level
-- reached, the run date, the fee and interest charged with it and the
-- letter in both languages.  The mailer reads the unsent ones
-- (dunning_letter_outbox) and marks them sent (dunning_letter_sent()).
CREATE TABLE @extschema@.dunning_notice (
	notice_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	invoice_id		bigint NOT NULL,
	level			integer NOT NULL,
	run_on			date NOT NULL,
	due_on			date NOT NULL,
	days_past_due	integer NOT NULL,
	open_amount		numeric NOT NULL,
	fee				numeric(18,2) NOT NULL,
	interest		numeric(18,2) NOT NULL,
	letter_en		text NOT NULL,
	letter_zh		text NOT NULL,
	reason			text NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by		name NOT NULL DEFAULT SESSION_USER,
	sent_at			timestamptz,
	sent_by			name,
	CONSTRAINT dunning_notice_one_per_level UNIQUE (invoice_id, customer_id, level)
);
CREATE INDEX dunning_notice_customer_idx ON @extschema@.dunning_notice (customer_id, invoice_id, level);
CREATE INDEX dunning_notice_unsent_idx ON @extschema@.dunning_notice (notice_id) WHERE sent_at IS NULL;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_notice', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_notice_notice_id_seq', '');
-- its trigger for the credit checks' cache: collections/triggers.sql

-- Written by dunning_run() (SECURITY DEFINER) only; marked sent through
-- dunning_letter_sent().
GRANT SELECT ON @extschema@.dunning_notice TO customer_class_reader;

COMMENT ON TABLE @extschema@.dunning_notice IS
	'dunning notices: one per step of an invoice (written by dunning_run()), with the fee, interest and letter in English and Chinese';
COMMENT ON COLUMN @extschema@.dunning_notice.notice_id IS 'notice key';
COMMENT ON COLUMN @extschema@.dunning_notice.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.dunning_notice.invoice_id IS 'invoice dunned';
COMMENT ON COLUMN @extschema@.dunning_notice.level IS 'level reached (0: reminder before the due date)';
COMMENT ON COLUMN @extschema@.dunning_notice.run_on IS 'date of the dunning run';
COMMENT ON COLUMN @extschema@.dunning_notice.due_on IS 'due date of the invoice';
COMMENT ON COLUMN @extschema@.dunning_notice.days_past_due IS 'days past due on the run date (negative: before the due date)';
COMMENT ON COLUMN @extschema@.dunning_notice.open_amount IS 'open amount of the invoice on the run date';
COMMENT ON COLUMN @extschema@.dunning_notice.fee IS 'fee charged with this notice';
COMMENT ON COLUMN @extschema@.dunning_notice.interest IS 'interest on the open amount from the due date to the run date at the level''s rate (not added to earlier notices''; the latest is the claim)';
COMMENT ON COLUMN @extschema@.dunning_notice.letter_en IS 'the letter in English';
COMMENT ON COLUMN @extschema@.dunning_notice.letter_zh IS 'the letter in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_notice.reason IS 'why this step: days past due, or a broken promise';
COMMENT ON COLUMN @extschema@.dunning_notice.created_at IS 'when the run wrote it';
COMMENT ON COLUMN @extschema@.dunning_notice.created_by IS 'the session user of the run';
COMMENT ON COLUMN @extschema@.dunning_notice.sent_at IS 'when the mailer sent the letter (NULL: not yet)';
COMMENT ON COLUMN @extschema@.dunning_notice.sent_by IS 'who marked it sent';

-- The customer's dunning level on a date: the highest level reached (by
-- runs up to then) of its invoices still open then and not under an open
-- dispute; 0 when none.  A paid invoice's notices no longer count.  SQL,
-- so that a credit check can inline it.
CREATE FUNCTION @extschema@.customer_dunning_level(customer_id bigint, as_of date DEFAULT NULL) RETURNS integer
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(max(n.level), 0)
	FROM (SELECT coalesce(customer_dunning_level.as_of, @extschema@.as_of()) AS d) k
	JOIN @extschema@.dunning_notice n ON n.customer_id = customer_dunning_level.customer_id AND n.run_on <= k.d
	JOIN @extschema@.src_invoice i ON i.invoice_id = n.invoice_id AND i.customer_id = n.customer_id
	WHERE i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id AND p.customer_id = i.customer_id
								 AND p.paid_on <= k.d), 0)
	  AND NOT EXISTS (SELECT FROM @extschema@.invoice_dispute x
					  WHERE x.invoice_id = n.invoice_id AND x.customer_id = n.customer_id
						AND x.opened_on <= k.d AND (x.resolved_on IS NULL OR x.resolved_on > k.d));
END;
GRANT EXECUTE ON FUNCTION @extschema@.customer_dunning_level(bigint, date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.customer_dunning_level(bigint, date) IS
	'the highest dunning level reached by the customer''s invoices still open on the date (default: the as-of date) and not disputed; 0 when none';

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
