-- Collections, part 2: promises to pay, the dunning run, the letters the
-- ERP's mailer sends, the due-reminder list and the collector's worklist
-- (docs/collections.md).  Loaded after the credit alerts (raise_alert)
-- and the receivables views (due_reminders(), open_item), which the views
-- here read.

-- == Promises to pay ==
-- A customer promises to pay an amount by a date, for some invoices or for
-- its account as a whole (invoice_ids NULL).  dunning_run() reviews the
-- open ones: kept once the payments dated from made_on to promised_on
-- (applied to those invoices; for the account, any) reach the amount;
-- broken when promised_on has passed without that -- a promise_broken
-- alert, and by setting dunning.broken_promise the promised invoices go one
-- level up in that run.  While a promise is open, its invoices are held out
-- of dunning.
CREATE TABLE @extschema@.payment_promise (
	promise_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	invoice_ids		bigint[],
	amount			numeric(18,2) NOT NULL,
	promised_on		date NOT NULL,
	made_on			date NOT NULL DEFAULT @extschema@.as_of(),
	note			text NOT NULL DEFAULT '',
	recorded_by		name NOT NULL DEFAULT CURRENT_USER,
	status			text NOT NULL DEFAULT 'open',
	closed_on		date,
	paid_amount		numeric,
	alert_id		bigint
);
CREATE INDEX payment_promise_customer_idx ON @extschema@.payment_promise (customer_id, promised_on);
CREATE INDEX payment_promise_open_idx ON @extschema@.payment_promise (promised_on) WHERE status = 'open';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.payment_promise', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.payment_promise_promise_id_seq', '');

CREATE FUNCTION @extschema@.payment_promise_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	missing bigint;
BEGIN
	IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
		RAISE EXCEPTION 'invalid promised amount %', NEW.amount
			USING ERRCODE = 'check_violation', HINT = 'A promise to pay is for an amount above 0.';
	END IF;
	IF NEW.promised_on < NEW.made_on THEN
		RAISE EXCEPTION 'a promise made on % cannot fall due on % before it', NEW.made_on, NEW.promised_on
			USING ERRCODE = 'check_violation', HINT = 'Give the date by which the customer promised to pay.';
	END IF;
	IF NEW.status NOT IN ('open', 'kept', 'broken', 'cancelled') THEN
		RAISE EXCEPTION 'invalid promise status "%"', NEW.status
			USING ERRCODE = 'check_violation', HINT = 'The status is open, kept, broken or cancelled.';
	END IF;
	IF (NEW.status = 'open') <> (NEW.closed_on IS NULL) THEN
		RAISE EXCEPTION 'a promise is closed (kept, broken or cancelled) exactly when closed_on is set'
			USING ERRCODE = 'check_violation', HINT = 'Set status and closed_on together.';
	END IF;
	IF cardinality(NEW.invoice_ids) = 0 OR array_position(NEW.invoice_ids, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'invoice_ids of a promise must name invoices, or be NULL for the whole account'
			USING ERRCODE = 'check_violation';
	END IF;
	IF current_setting('check_function_bodies') = 'off'
	   OR TG_OP = 'UPDATE' AND NEW.customer_id = OLD.customer_id AND NEW.invoice_ids IS NOT DISTINCT FROM OLD.invoice_ids THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'Every row of payment_promise must name a customer of customer_class.src_customer.';
	END IF;
	SELECT u.id INTO missing FROM unnest(NEW.invoice_ids) u (id)
	WHERE NOT EXISTS (SELECT FROM @extschema@.src_invoice i WHERE i.invoice_id = u.id AND i.customer_id = NEW.customer_id)
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invoice % of customer % does not exist', missing, NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'A promise names invoices of its own customer (src_invoice), or none for the whole account.';
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.payment_promise_validate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.payment_promise_validate() IS
	'trigger: a promise is for an amount above 0, falls due on or after the day it was made, names its customer and that customer''s invoices (23503), and is closed exactly when its status is not open (23514)';
CREATE TRIGGER payment_promise_validate BEFORE INSERT OR UPDATE ON @extschema@.payment_promise
	FOR EACH ROW EXECUTE FUNCTION @extschema@.payment_promise_validate();

-- Record a promise; returns its id.
CREATE FUNCTION @extschema@.promise_to_pay(customer_id bigint, amount numeric, promised_on date,
										   invoice_ids bigint[] DEFAULT NULL, note text DEFAULT '')
	RETURNS bigint
	LANGUAGE sql VOLATILE
BEGIN ATOMIC
	INSERT INTO @extschema@.payment_promise (customer_id, amount, promised_on, invoice_ids, note)
	VALUES (promise_to_pay.customer_id, promise_to_pay.amount, promise_to_pay.promised_on,
			promise_to_pay.invoice_ids, coalesce(promise_to_pay.note, ''))
	RETURNING promise_id;
END;
REVOKE EXECUTE ON FUNCTION @extschema@.promise_to_pay(bigint, numeric, date, bigint[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.promise_to_pay(bigint, numeric, date, bigint[], text) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.promise_to_pay(bigint, numeric, date, bigint[], text) IS
	'record a promise to pay an amount by a date, for some invoices or (invoice_ids NULL) the account; made on the as-of date; returns the promise id';

GRANT SELECT ON @extschema@.payment_promise TO customer_class_reader;
GRANT INSERT, UPDATE ON @extschema@.payment_promise TO customer_class_analyst;

COMMENT ON TABLE @extschema@.payment_promise IS
	'promises to pay: open ones hold their invoices out of dunning; dunning_run() marks them kept or broken (a broken one raises a promise_broken alert)';
COMMENT ON COLUMN @extschema@.payment_promise.promise_id IS 'promise key';
COMMENT ON COLUMN @extschema@.payment_promise.customer_id IS 'customer who promised';
COMMENT ON COLUMN @extschema@.payment_promise.invoice_ids IS 'the invoices promised; NULL: the account as a whole';
COMMENT ON COLUMN @extschema@.payment_promise.amount IS 'amount promised';
COMMENT ON COLUMN @extschema@.payment_promise.promised_on IS 'date by which it is to be paid';
COMMENT ON COLUMN @extschema@.payment_promise.made_on IS 'date of the promise: payments from this date count';
COMMENT ON COLUMN @extschema@.payment_promise.note IS 'free text (who promised, on which call)';
COMMENT ON COLUMN @extschema@.payment_promise.recorded_by IS 'who recorded it';
COMMENT ON COLUMN @extschema@.payment_promise.status IS 'open, kept, broken or cancelled';
COMMENT ON COLUMN @extschema@.payment_promise.closed_on IS 'the run date that found it kept or broken, or the date it was cancelled';
COMMENT ON COLUMN @extschema@.payment_promise.paid_amount IS 'paid towards it from made_on to promised_on, as of closed_on';
COMMENT ON COLUMN @extschema@.payment_promise.alert_id IS 'the promise_broken alert it raised';

-- == The dunning run ==
-- As of a date (default: the as-of date):
--  1. reviews the open promises (kept, or broken: alert);
--  2. for every open invoice that due_reminders() lists for the horizon of
--     level 0 (or the overdue ones only, when level 0 is off), not under an
--     open dispute, not promised (open promise), and without a notice on
--     or after this date, writes at most one notice:
--       - before or on the due date: the level 0 reminder, once, from
--         level 0's days before the due date;
--       - after it: the next level in force above the invoice's level, when
--         the invoice is that many days past due and its last notice after
--         the due date is at least dunning.interval_days old -- or at once,
--         when a promise of it broke in this run and dunning.broken_promise
--         is escalate;
--     with the level's fee, interest on the open amount from the due date
--     at the level's yearly rate (actual days / 365, rounded to cents) and
--     the letters with their placeholders filled;
--  3. announces the run with NOTIFY customer_class_dunning, payload
--     {"run_on": ..., "notices": n}, when it wrote any.
-- Runs again on the same date write nothing new: the run is idempotent per
-- date.  Returns the number of notices written.  SECURITY DEFINER, like
-- credit_alert_scan(): analysts run it without the right to write notices
-- or alerts by hand.
CREATE FUNCTION @extschema@.dunning_run(as_of date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.check_as_of(coalesce(dunning_run.as_of, @extschema@.as_of()), 'dunning_run');
	caller_as_of text := current_setting('customer_class.as_of');
	interval_days integer := @extschema@.credit_setting('dunning.interval_days')::integer;
	escalate boolean := @extschema@.credit_setting('dunning.broken_promise') = 'escalate';
	horizon integer;
	bad record;
	pr record;
	n bigint;
BEGIN
	SELECT l.level, l.days_past_due, l.next_level, l.next_days INTO bad
	FROM (SELECT x.level, x.days_past_due, lead(x.level) OVER w AS next_level, lead(x.days_past_due) OVER w AS next_days
		  FROM @extschema@.dunning_levels x WHERE x.level > 0 WINDOW w AS (ORDER BY x.level)) l
	WHERE l.next_days <= l.days_past_due
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dunning level % applies from % days past due, not after level % (% days)',
			bad.next_level, bad.next_days, bad.level, bad.days_past_due
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Each level must apply from more days past due than the level below it (SELECT * FROM customer_class.dunning_levels).';
	END IF;
	-- the receivables views read the as-of date from the setting: this run's
	-- date until the end of the run (local to the transaction, put back below)
	PERFORM set_config('customer_class.as_of', d::text, true);

	-- 1. promises
	UPDATE @extschema@.payment_promise p
	SET status = CASE WHEN x.paid >= p.amount THEN 'kept' ELSE 'broken' END, closed_on = d, paid_amount = x.paid
	FROM (SELECT q.promise_id,
				 coalesce((SELECT sum(s.amount) FROM @extschema@.src_payment s
						   WHERE s.customer_id = q.customer_id
							 AND s.paid_on BETWEEN q.made_on AND least(q.promised_on, d)
							 AND (q.invoice_ids IS NULL OR s.invoice_id = ANY (q.invoice_ids))), 0) AS paid
		  FROM @extschema@.payment_promise q
		  WHERE q.status = 'open' AND q.made_on <= d) x
	WHERE p.promise_id = x.promise_id AND (x.paid >= p.amount OR p.promised_on < d);
	FOR pr IN SELECT p.promise_id, p.customer_id, p.invoice_ids, p.amount, p.promised_on, p.paid_amount
			 FROM @extschema@.payment_promise p
			 WHERE p.status = 'broken' AND p.closed_on = d AND p.alert_id IS NULL
			 ORDER BY p.customer_id, p.promise_id LOOP
		PERFORM @extschema@.raise_alert(pr.customer_id, 'promise_broken', 'red',
			jsonb_build_object('promise_id', pr.promise_id, 'promised_on', pr.promised_on, 'amount', pr.amount,
							   'paid', pr.paid_amount, 'invoice_ids', pr.invoice_ids, 'as_of', d));
		UPDATE @extschema@.payment_promise p SET alert_id = a.alert_id
		FROM @extschema@.alerts a
		WHERE p.promise_id = pr.promise_id
		  AND a.customer_id = pr.customer_id AND a.kind = 'promise_broken' AND a.resolved_at IS NULL;
	END LOOP;

	-- 2. notices
	SELECT -l.days_past_due INTO horizon FROM @extschema@.dunning_levels l WHERE l.level = 0;
	INSERT INTO @extschema@.dunning_notice (customer_id, invoice_id, level, run_on, due_on, days_past_due, open_amount,
											fee, interest, letter_en, letter_zh, reason)
	SELECT s.customer_id, s.invoice_id, s.level, d, s.due_on, s.days_past_due, s.open_amount, s.fee, m.interest,
		   @extschema@.dunning_letter_render(s.letter_en, v.vals), @extschema@.dunning_letter_render(s.letter_zh, v.vals),
		   s.reason
	FROM (SELECT c.*, l.level, l.fee, l.interest_rate, l.letter_en, l.letter_zh, l.name_en,
				 CASE WHEN c.days_past_due <= 0 THEN
						  CASE WHEN c.days_past_due = 0 THEN 'due today' WHEN c.days_past_due = -1 THEN 'due tomorrow'
							   ELSE pg_catalog.format('due in %s days', -c.days_past_due) END
					  WHEN l.days_past_due > c.days_past_due OR d - c.last_step < interval_days THEN
						  pg_catalog.format('promise %s broken', c.broken_promise)
					  ELSE pg_catalog.format('%s %s past due (level %s from %s)', c.days_past_due,
											 CASE WHEN c.days_past_due = 1 THEN 'day' ELSE 'days' END, l.level, l.days_past_due) END AS reason
		  FROM (SELECT r.customer_id, r.customer_name, r.invoice_id, r.issued_on, r.due_on, r.days_past_due, r.open_amount,
					   h.cur_level, h.last_run, h.last_step, h.reminded, h.fees,
					   (SELECT min(p.promise_id) FROM @extschema@.payment_promise p
						WHERE p.customer_id = r.customer_id AND p.status = 'broken' AND p.closed_on = d
						  AND (p.invoice_ids IS NULL OR r.invoice_id = ANY (p.invoice_ids))) AS broken_promise
				FROM @extschema@.due_reminders(coalesce(horizon, -1)) r
				CROSS JOIN LATERAL (SELECT max(n.level) FILTER (WHERE n.level > 0) AS cur_level, max(n.run_on) AS last_run,
										   max(n.run_on) FILTER (WHERE n.level > 0) AS last_step,
										   coalesce(bool_or(n.level = 0), false) AS reminded,
										   coalesce(sum(n.fee), 0) AS fees
									FROM @extschema@.dunning_notice n
									WHERE n.invoice_id = r.invoice_id AND n.customer_id = r.customer_id) h
				WHERE (h.last_run IS NULL OR h.last_run < d)
				  AND NOT @extschema@.invoice_disputed(r.invoice_id, r.customer_id, d)
				  AND NOT EXISTS (SELECT FROM @extschema@.payment_promise p
								  WHERE p.customer_id = r.customer_id AND p.status = 'open' AND p.made_on <= d
									AND (p.invoice_ids IS NULL OR r.invoice_id = ANY (p.invoice_ids)))) c
		  JOIN @extschema@.dunning_levels l
			ON CASE WHEN c.days_past_due <= 0 THEN
						l.level = 0 AND c.days_past_due >= l.days_past_due AND NOT c.reminded
					ELSE l.level = (SELECT min(x.level) FROM @extschema@.dunning_levels x WHERE x.level > coalesce(c.cur_level, 0))
						 AND (escalate AND c.broken_promise IS NOT NULL
							  OR l.days_past_due <= c.days_past_due
								 AND (c.last_step IS NULL OR d - c.last_step >= interval_days)) END) s
	CROSS JOIN LATERAL (SELECT round(s.open_amount * s.interest_rate * greatest(s.days_past_due, 0) / 365, 2) AS interest) m
	CROSS JOIN LATERAL (SELECT jsonb_build_object(
			'customer_id', s.customer_id, 'customer_name', s.customer_name, 'invoice_id', s.invoice_id,
			'issued_on', s.issued_on, 'due_on', s.due_on, 'days_past_due', greatest(s.days_past_due, 0),
			'days_until_due', greatest(-s.days_past_due, 0), 'open_amount', s.open_amount, 'fee', s.fee,
			'fees_total', s.fees + s.fee, 'interest', m.interest, 'total_due', s.open_amount + s.fees + s.fee + m.interest,
			'level', s.level, 'level_name', s.name_en, 'run_on', d) AS vals) v
	ORDER BY s.customer_id, s.invoice_id;
	GET DIAGNOSTICS n = ROW_COUNT;

	PERFORM set_config('customer_class.as_of', caller_as_of, true);
	-- 3. the mailer's signal: no customer data in it (every listener gets it)
	IF n > 0 THEN
		PERFORM pg_notify('customer_class_dunning', jsonb_build_object('run_on', d, 'notices', n)::text);
	END IF;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.dunning_run(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.dunning_run(date) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.dunning_run(date) IS
	'dunning run as of a date (default: the as-of date): reviews promises, raises each open, undisputed, unpromised invoice at most one level (level 0: reminder before the due date), records the notices with fee, interest and letters, NOTIFY customer_class_dunning; idempotent per date; returns the notices written';

-- == The letters for the mailer ==
CREATE VIEW @extschema@.dunning_letter_outbox WITH (security_invoker = true) AS
SELECT n.notice_id, n.customer_id, c.name AS customer_name, n.invoice_id, n.level,
	   coalesce(l.name_en, 'level ' || n.level) AS level_name_en, coalesce(l.name_zh, '第' || n.level || '级') AS level_name_zh,
	   pg_catalog.format('Invoice %s: %s', n.invoice_id, coalesce(l.name_en, 'level ' || n.level)) AS subject_en,
	   pg_catalog.format('发票 %s:%s', n.invoice_id, coalesce(l.name_zh, '第' || n.level || '级')) AS subject_zh,
	   n.letter_en, n.letter_zh, n.run_on, n.due_on, n.days_past_due, n.open_amount, n.fee, n.interest
FROM @extschema@.dunning_notice n
LEFT JOIN @extschema@.src_customer c ON c.customer_id = n.customer_id
LEFT JOIN @extschema@.dunning_levels l ON l.level = n.level
WHERE n.sent_at IS NULL;

COMMENT ON VIEW @extschema@.dunning_letter_outbox IS
	'dunning letters not sent yet, in English and Chinese, for the ERP''s mailer; mark each sent with dunning_letter_sent(notice_id)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.notice_id IS 'notice key (pass it to dunning_letter_sent)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.invoice_id IS 'invoice dunned';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.level IS 'dunning level (0: reminder before the due date)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.level_name_en IS 'name of the level in English';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.level_name_zh IS 'name of the level in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.subject_en IS 'subject line in English';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.subject_zh IS 'subject line in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.letter_en IS 'the letter in English';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.letter_zh IS 'the letter in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.run_on IS 'date of the dunning run';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.due_on IS 'due date of the invoice';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.days_past_due IS 'days past due on the run date (negative: before the due date)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.open_amount IS 'open amount on the run date';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.fee IS 'fee charged with the notice';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.interest IS 'interest to the run date';

-- The mailer marks a letter sent; false (with a notice) when it was sent
-- already, an error for a notice that does not exist (or of a customer the
-- caller may not see).  SECURITY DEFINER: the mailer needs no right to
-- write notices.
CREATE FUNCTION @extschema@.dunning_letter_sent(notice_id bigint, sent_at timestamptz DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	done record;
BEGIN
	UPDATE @extschema@.dunning_notice n
	SET sent_at = coalesce(dunning_letter_sent.sent_at, pg_catalog.now()), sent_by = @extschema@.access_caller()
	WHERE n.notice_id = dunning_letter_sent.notice_id AND n.sent_at IS NULL
	  AND @extschema@.access_allows(n.customer_id, @extschema@.access_caller());
	IF FOUND THEN
		RETURN true;
	END IF;
	SELECT n.sent_at, n.sent_by INTO done FROM @extschema@.dunning_notice n
	WHERE n.notice_id = dunning_letter_sent.notice_id
	  AND @extschema@.access_allows(n.customer_id, @extschema@.access_caller());
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dunning notice % does not exist', notice_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'SELECT notice_id FROM customer_class.dunning_letter_outbox lists the letters to send.';
	END IF;
	RAISE NOTICE 'the letter was already sent'
		USING DETAIL = pg_catalog.format('Notice %s was marked sent at %s by %s.', notice_id, done.sent_at, done.sent_by);
	RETURN false;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.dunning_letter_sent(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.dunning_letter_sent(bigint, timestamptz) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.dunning_letter_sent(bigint, timestamptz) IS
	'the mailer marks a dunning letter sent (at now() unless given); false with a notice when it was already, an error when the notice does not exist';

-- == Reminders: due soon and overdue ==
-- The open invoices overdue or falling due within 14 days, as
-- due_reminders(14) (receivables/views.sql: keep the two in step; the
-- regression test citus_views compares them), with the dunning level each
-- has reached and whether it is under an open dispute.  Written out rather
-- than over due_reminders(14) so that Citus runs it per customer on the
-- shards (docs/citus.md): it calls no function per row, and joins the
-- dunning level and the disputes to the open items first (Citus refuses
-- those outer joins once the open items are joined with the invoices, and
-- any join with a subquery that has an ORDER BY such as due_reminders()).
CREATE VIEW @extschema@.due_reminders WITH (security_invoker = true) AS
SELECT o.customer_id, c.name AS customer_name, o.invoice_id, i.issued_on, o.due_on,
	   (SELECT @extschema@.report_date()) - o.due_on AS days_past_due,
	   o.open_amount,
	   @extschema@.aging_bucket((SELECT @extschema@.report_date()) - o.due_on) AS bucket,
	   CASE WHEN o.due_on < (SELECT @extschema@.report_date()) THEN 'overdue'
			WHEN o.due_on = (SELECT @extschema@.report_date()) THEN 'due today'
			ELSE 'due soon' END AS status,
	   o.dunning_level,
	   o.disputed
FROM (SELECT o.customer_id, o.invoice_id, o.due_on, o.open_amount, n.dunning_level,
			 x.invoice_id IS NOT NULL AS disputed
	  FROM @extschema@.open_item o
	  LEFT JOIN (SELECT n.customer_id, n.invoice_id, max(n.level) AS dunning_level
				 FROM @extschema@.dunning_notice n
				 WHERE n.run_on <= (SELECT @extschema@.as_of())
				 GROUP BY n.customer_id, n.invoice_id) n
		ON n.customer_id = o.customer_id AND n.invoice_id = o.invoice_id
	  LEFT JOIN (SELECT x.customer_id, x.invoice_id
				 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
				 CROSS JOIN LATERAL @extschema@.disputed_invoices(k.d) x) x
		ON x.customer_id = o.customer_id AND x.invoice_id = o.invoice_id
	  WHERE o.kind = 'invoice'
		AND o.due_on <= (SELECT @extschema@.report_date()) + 14) o
JOIN @extschema@.src_invoice i ON i.invoice_id = o.invoice_id AND i.customer_id = o.customer_id
JOIN @extschema@.src_customer c ON c.customer_id = o.customer_id
ORDER BY (o.due_on < (SELECT @extschema@.report_date())) DESC,
		 CASE WHEN o.due_on < (SELECT @extschema@.report_date()) THEN (SELECT @extschema@.report_date()) - o.due_on END DESC,
		 o.due_on, o.open_amount DESC, o.invoice_id;

COMMENT ON VIEW @extschema@.due_reminders IS
	'open invoices overdue or falling due within 14 days as of customer_class.as_of(), overdue first (oldest, biggest), then by due date';
COMMENT ON COLUMN @extschema@.due_reminders.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.due_reminders.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.due_reminders.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.due_reminders.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.due_reminders.due_on IS 'due date';
COMMENT ON COLUMN @extschema@.due_reminders.days_past_due IS 'days past due (negative: due in that many days)';
COMMENT ON COLUMN @extschema@.due_reminders.open_amount IS 'amount still open';
COMMENT ON COLUMN @extschema@.due_reminders.bucket IS 'aging bucket (30/60/90)';
COMMENT ON COLUMN @extschema@.due_reminders.status IS 'overdue, due today or due soon';
COMMENT ON COLUMN @extschema@.due_reminders.dunning_level IS 'highest dunning level of the invoice so far (0: reminded before the due date; NULL: none)';
COMMENT ON COLUMN @extschema@.due_reminders.disputed IS 'true when the invoice is under an open dispute (held out of dunning)';

-- == The collector's worklist ==
-- One row per customer with something to chase as of the as-of date:
-- undisputed overdue invoices, a promise to pay falling due today, or a
-- broken promise whose alert is still open.  Ordered by priority: promises
-- due today first (did the money come?), then the overdue amount x days
-- past due, then the dunning level; reasons says why, in words.
CREATE VIEW @extschema@.collection_worklist WITH (security_invoker = true) AS
SELECT row_number() OVER (ORDER BY w.promised_today > 0 DESC, w.amount_days DESC, w.dunning_level DESC, w.customer_id) AS priority,
	   w.customer_id, w.customer_name, w.overdue_amount, w.overdue_invoices, w.oldest_days_past_due, w.amount_days,
	   w.dunning_level, l.name_en AS dunning_level_label_en, l.name_zh AS dunning_level_label_zh, w.promised_today, w.broken_promises, w.disputed_amount,
	   array_remove(ARRAY[
		   CASE WHEN w.promised_today > 0 THEN pg_catalog.format('promised to pay %s today', w.promised_today) END,
		   CASE WHEN w.broken_promises > 0 THEN pg_catalog.format('%s broken promise(s) to pay', w.broken_promises) END,
		   CASE WHEN w.overdue_invoices > 0 THEN pg_catalog.format('%s overdue on %s invoice(s), the oldest %s days', w.overdue_amount,
																 w.overdue_invoices, w.oldest_days_past_due) END,
		   CASE WHEN w.dunning_level > 0 THEN pg_catalog.format('dunning level %s (%s)', w.dunning_level, l.name_en) END,
		   CASE WHEN w.disputed_amount > 0 THEN pg_catalog.format('%s disputed, held out of dunning', w.disputed_amount) END],
		   NULL) AS reasons
FROM (SELECT c.customer_id, c.name AS customer_name,
			 coalesce(o.overdue_amount, 0) AS overdue_amount, coalesce(o.overdue_invoices, 0) AS overdue_invoices,
			 o.oldest_days_past_due, coalesce(o.amount_days, 0) AS amount_days,
			 coalesce(dl.dunning_level, 0) AS dunning_level,
			 coalesce(p.promised_today, 0) AS promised_today, coalesce(p.broken_promises, 0) AS broken_promises,
			 coalesce(o.disputed_amount, 0) AS disputed_amount
	  FROM @extschema@.src_customer c
	  LEFT JOIN (SELECT l.customer_id, l.dunning_level
				 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
				 CROSS JOIN LATERAL @extschema@.customer_dunning_levels(k.d) l) dl ON dl.customer_id = c.customer_id
	  LEFT JOIN (SELECT i.customer_id,
						pg_catalog.sum(i.open_amount) FILTER (WHERE NOT i.disputed) AS overdue_amount,
						pg_catalog.count(*) FILTER (WHERE NOT i.disputed) AS overdue_invoices,
						pg_catalog.max(i.days) FILTER (WHERE NOT i.disputed) AS oldest_days_past_due,
						pg_catalog.sum(i.open_amount * i.days) FILTER (WHERE NOT i.disputed) AS amount_days,
						pg_catalog.sum(i.open_amount) FILTER (WHERE i.disputed) AS disputed_amount
				 FROM (SELECT o.customer_id, o.open_amount, k.d - o.due_on AS days,
							  x.invoice_id IS NOT NULL AS disputed
					   FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
					   CROSS JOIN @extschema@.open_item o
					   LEFT JOIN @extschema@.disputed_invoices(k.d) x
						 ON x.customer_id = o.customer_id AND x.invoice_id = o.invoice_id
					   WHERE o.kind = 'invoice' AND o.due_on < k.d) i
				 GROUP BY i.customer_id) o ON o.customer_id = c.customer_id
	  LEFT JOIN (SELECT q.customer_id,
						pg_catalog.sum(q.amount) FILTER (WHERE q.status = 'open' AND q.promised_on = k.d) AS promised_today,
						pg_catalog.count(*) FILTER (WHERE q.status = 'broken' AND a.resolved_at IS NULL AND a.alert_id IS NOT NULL) AS broken_promises
				 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
				 CROSS JOIN @extschema@.payment_promise q
				 -- the alert is the promise's customer's: joined on both, which Citus needs
				 LEFT JOIN @extschema@.alerts a ON a.alert_id = q.alert_id AND a.customer_id = q.customer_id
				 GROUP BY q.customer_id) p ON p.customer_id = c.customer_id) w
LEFT JOIN @extschema@.dunning_levels l ON l.level = w.dunning_level AND w.dunning_level > 0
WHERE w.overdue_invoices > 0 OR w.promised_today > 0 OR w.broken_promises > 0
ORDER BY priority;

COMMENT ON VIEW @extschema@.collection_worklist IS
	'the collector''s worklist as of customer_class.as_of(): customers with undisputed overdue invoices, a promise due today or a broken promise, by priority (promises due today, then overdue amount x days, then dunning level), with the reasons';
COMMENT ON COLUMN @extschema@.collection_worklist.priority IS '1 = chase first';
COMMENT ON COLUMN @extschema@.collection_worklist.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.collection_worklist.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.collection_worklist.overdue_amount IS 'open amount past due, disputed invoices left out';
COMMENT ON COLUMN @extschema@.collection_worklist.overdue_invoices IS 'invoices past due, disputed ones left out';
COMMENT ON COLUMN @extschema@.collection_worklist.oldest_days_past_due IS 'most days past due of those invoices';
COMMENT ON COLUMN @extschema@.collection_worklist.amount_days IS 'sum of open amount x days past due over those invoices: what weighs most';
COMMENT ON COLUMN @extschema@.collection_worklist.dunning_level IS 'the customer''s dunning level (customer_dunning_level)';
COMMENT ON COLUMN @extschema@.collection_worklist.dunning_level_label_en IS 'name of that level in English (NULL for level 0)';
COMMENT ON COLUMN @extschema@.collection_worklist.dunning_level_label_zh IS 'name of that level in Simplified Chinese (NULL for level 0)';
COMMENT ON COLUMN @extschema@.collection_worklist.promised_today IS 'amount of open promises to pay falling due today';
COMMENT ON COLUMN @extschema@.collection_worklist.broken_promises IS 'broken promises whose promise_broken alert is still open';
COMMENT ON COLUMN @extschema@.collection_worklist.disputed_amount IS 'open amount past due under open dispute (held out of dunning)';
COMMENT ON COLUMN @extschema@.collection_worklist.reasons IS 'why the customer is on the list, in words';

GRANT SELECT ON @extschema@.dunning_letter_outbox, @extschema@.due_reminders, @extschema@.collection_worklist
	TO customer_class_reader;
