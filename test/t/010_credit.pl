# Credit control across a dump and restore, NOTIFY of alerts, and a short
# load test.
#  - changed check modes, a limit policy row, an override and an exception
#    survive pg_dump/pg_restore; the shipped defaults come back as shipped;
#  - the restore re-inserts orders of customers over their limit (accepted
#    in warn mode, or before a grade D) without failing, and the exposure
#    ledger rebuilt by the triggers equals the original;
#  - each new alert sends NOTIFY customer_class_alerts with its id as JSON;
#  - test/load/credit_load.sh with 8 clients x 5 s under READ COMMITTED and
#    REPEATABLE READ, and in mode hold with concurrent releases, ends with
#    no limit breach and no ledger difference.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
my $node = PostgreSQL::Test::Cluster->new('credit');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE origin');
$node->safe_psql('origin', q{
	CREATE EXTENSION customer_class;
	SET customer_class.as_of = '2025-12-31';
	INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
		(1, 'Alpha', 1000, '2024-01-01'), (2, 'Beta', NULL, '2024-01-01'), (3, 'Gamma', 500, '2024-01-01');
	INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES
		(1, 1, '2025-12-01', 800), (2, 2, '2025-12-01', 300), (3, 3, '2025-12-01', 400);
	INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
		(1, 1, '2025-11-01', '2025-12-01', 500);
	INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
		(1, 1, 1, '2025-12-10', 100), (2, 1, NULL, '2025-12-11', 50);
	-- Beta is graded D after its order was taken
	INSERT INTO customer_class.profile (customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
		stability_points, risk_points, internal_score, credit_score, computed_grade, credit_grade)
	VALUES (2, '2025-12-31', 'default', 1, 10, 10, 10, 10, 10, 10, 'D', 'D');
	-- the admin's policy
	SELECT customer_class.set_credit_setting('mode.order', 'warn');
	SELECT customer_class.set_credit_setting('mode.invoice', 'block');
	SELECT customer_class.set_credit_setting('alert.nearly_used_pct', '75');
	INSERT INTO customer_class.credit_limit_policy (grade, method, amount, note) VALUES ('A', 'amount', 750000, 'ours');
	INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
		VALUES (3, 300, 'watch list', '2025-12-01', '2026-06-30');
	INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
		VALUES (3, 'delivery', 'warn', 'key account');
	-- accepted in warn mode: Alpha now over its limit (alerted)
	INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (4, 1, '2025-12-20', 400);
});

my $settings = q{SELECT string_agg(format('%s=%s%s', name, value, CASE WHEN changed THEN '*' ELSE '' END), ' ' ORDER BY name)
	FROM customer_class.credit_settings};
my $ledger = q{SELECT string_agg(format('%s:%s/%s/%s/%s=%s', customer_id, open_orders, shipped_not_invoiced,
	invoice_balance, unapplied_credits, exposure), ' ' ORDER BY customer_id) FROM customer_class.credit_exposure};
my $config = q{SELECT (SELECT string_agg(format('%s %s %s %s', grade, method, amount, shipped), ', ' ORDER BY grade NULLS FIRST, shipped)
		FROM customer_class.credit_limit_policy)
	|| ' | ' || (SELECT string_agg(format('%s %s %s', customer_id, credit_limit, reason), ', ') FROM customer_class.credit_limit_override)
	|| ' | ' || (SELECT string_agg(format('%s %s %s', customer_id, checkpoint, mode), ', ') FROM customer_class.credit_check_exception)
	|| ' | ' || (SELECT string_agg(format('%s %s %s', customer_id, kind, level), ', ' ORDER BY alert_id) FROM customer_class.alerts)};

my $settings_before = $node->safe_psql('origin', $settings);
like($settings_before, qr/mode\.invoice=block\* mode\.order=warn\*/, 'modes changed in the origin');
my $ledger_before = $node->safe_psql('origin', $ledger);
my $config_before = $node->safe_psql('origin', $config);
like($config_before, qr/1 limit_exceeded red/, 'the order accepted in warn mode raised an alert');

my $dumpfile = $node->basedir . '/credit.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('origin') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE copy');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('copy'), $dumpfile ],
	'pg_restore of customers over their limit and graded D succeeds');

is($node->safe_psql('copy', $settings), $settings_before, 'changed check modes survive the restore');
is($node->safe_psql('copy', $config), $config_before, 'limit policy, override, exception and alerts survive');
is($node->safe_psql('copy', $ledger), $ledger_before, 'the triggers rebuilt the same exposure ledger');
is($node->safe_psql('copy', 'SELECT count(*) FROM customer_class.verify_exposure()'), '0', 'ledger agrees with recomputation');
is($node->safe_psql('copy', q{SELECT count(*) FROM customer_class.credit_setting WHERE shipped}), '10',
	'shipped settings once, as shipped');

# the restored database checks with the restored modes: invoice in block
my ($ret, $out, $err) = $node->psql('copy', q{SET customer_class.as_of = '2025-12-31';
	INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES (9, 1, '2025-12-30', '2026-01-29', 10)});
isnt($ret, 0, 'invoice over the limit is blocked after the restore (mode.invoice = block kept)');
like($err, qr/credit check at invoice failed for customer 1/, 'with the credit check message');

# NOTIFY with a JSON payload on a new alert, none on a repeat
$out = $node->safe_psql('copy', q{
	LISTEN customer_class_alerts;
	SELECT customer_class.raise_alert(3, 'grade_d', 'red', '{"why": "test"}') IS NOT NULL;
	SELECT customer_class.raise_alert(3, 'grade_d', 'red', '{"why": "again"}') IS NULL;
});
my @notes = ($out =~ /Asynchronous notification "customer_class_alerts" with payload "(.*?)" received/g);
is(scalar @notes, 1, 'one notification for one new alert');
like($notes[0] // '', qr/^\{"alert_id": \d+\}$/,
	'payload is the alert id only, as JSON');

# a detail of any size: the payload stays small (NOTIFY allows 8000 bytes)
$out = $node->safe_psql('copy', q{
	LISTEN customer_class_alerts;
	SELECT customer_class.raise_alert(3, 'limit_exceeded', 'red', jsonb_build_object('note', repeat('x', 9000))) IS NOT NULL;
});
@notes = ($out =~ /Asynchronous notification "customer_class_alerts" with payload "(.*?)" received/g);
is(scalar @notes, 1, 'a 9000-character detail is announced');
like($notes[0] // '', qr/^\{"alert_id": \d+\}$/,
	'without the detail');

# a credit hold (mode hold) announces itself: NOTIFY customer_class_holds
# with the hold's id, sent when the order commits
$out = $node->safe_psql('copy', q{
	SET customer_class.as_of = '2025-12-31';
	SET client_min_messages = error;
	LISTEN customer_class_holds;
	SELECT customer_class.set_credit_setting('mode.order', 'hold');
	INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (9, 1, '2025-12-30', 500);
	SELECT hold_id FROM customer_class.credit_hold WHERE order_id = 9 AND status = 'held';
});
@notes = ($out =~ /Asynchronous notification "customer_class_holds" with payload "(.*?)" received/g);
my ($hold_id) = ($out =~ /^(\d+)$/m);
is(scalar @notes, 1, 'one notification for a new hold');
is($notes[0] // '', '{"hold_id": ' . ($hold_id // 'none') . '}', 'payload is the hold id only, as JSON');

# the short load test
my $load = `PGHOST='${\ $node->host }' PGPORT='${\ $node->port }' CLIENTS=8 DURATION=5 RUNS='rc rr hold' $src/test/load/credit_load.sh 2>&1`;
my $load_rc = $?;
note($load);
is($load_rc, 0, 'load test passes');
like($load, qr/credit load rc .*breaches at acceptance 0, limit breaches 0, maintained-vs-recomputed differences 0/, 'READ COMMITTED: no breach, no difference');
like($load, qr/credit load rr .*breaches at acceptance 0, limit breaches 0, maintained-vs-recomputed differences 0/, 'REPEATABLE READ: no breach, no difference');
like($load, qr/credit load hold.*breaches at acceptance 0, limit breaches 0, maintained-vs-recomputed differences 0/, 'mode hold with releases: no breach of what was accepted, no difference');

$node->stop;
done_testing();
