-- Collections on the sample data (docs/collections.md): a dunning run with
-- its letters in English and Chinese for the ERP's mailer, a promise to pay,
-- a dispute, the collector's worklist and a statement of account (对账单).
\echo '== The dunning levels'
SELECT level, days_past_due, name_en, name_zh, fee, interest_rate FROM customer_class.dunning_levels ORDER BY level;

\echo '== A dunning run as of 2025-12-31 (LISTEN customer_class_dunning shows the NOTIFY): notices written'
LISTEN customer_class_dunning;
SELECT customer_class.dunning_run('2025-12-31') AS notices;
UNLISTEN customer_class_dunning;
SELECT n.level, l.name_en, count(*) AS notices, sum(n.open_amount) AS open_amount
FROM customer_class.dunning_notice n JOIN customer_class.dunning_levels l USING (level)
GROUP BY n.level, l.name_en ORDER BY n.level;

\echo '== Two letters of the outbox, as the mailer reads them'
SELECT notice_id, customer_name, subject_en, letter_en, letter_zh
FROM customer_class.dunning_letter_outbox ORDER BY level DESC, notice_id LIMIT 2;

\echo '== A week later each invoice goes one level up (one step per run); the first customer on the worklist promises to pay'
SELECT customer_class.promise_to_pay(w.customer_id, 1000, '2026-01-05', NULL, 'promised on the phone')
	   IS NOT NULL AS promised
FROM customer_class.collection_worklist w ORDER BY w.priority LIMIT 1;
SELECT customer_class.dunning_run('2026-01-07') AS notices;
SELECT p.customer_id, p.amount, p.promised_on, p.status, p.paid_amount, a.kind AS alert
FROM customer_class.payment_promise p LEFT JOIN customer_class.alerts a USING (alert_id);

\echo '== The collector''s worklist as of 2025-12-31: what to chase first, and why'
SELECT priority, customer_name, overdue_amount, oldest_days_past_due, dunning_level, reasons
FROM customer_class.collection_worklist ORDER BY priority LIMIT 5;

\echo '== Statement of account (对账单) of customer 1 for the last quarter'
SELECT line, entry_on, entry, document_id, debit, credit, balance
FROM customer_class.statement_of_account(1, '2025-10-01', '2025-12-31');
