# Early warnings announce themselves: NOTIFY customer_class_alerts with the
# alert's id as JSON when refresh() raises a payment-rhythm or became-dormant
# alert and when a negative external event is recorded -- once per new
# alert, none when an open one is seen again.  Events and alerts survive a
# dump and restore.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('warnings');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE origin');
# customer 1: eight monthly invoices settled 15 days after issue, the last
# two after 27 and 28 days, and orders steady (yellow); customer 2 last
# ordered on 2025-09-01 (active on 2025-10-31, dormant on 2025-12-31)
$node->safe_psql('origin', q{
	CREATE EXTENSION customer_class;
	INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
		(1, 'Slipping', '2024-01-01'), (2, 'Sleeper', '2024-01-01');
	INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
	SELECT k, 1, date '2025-12-31' - 10 - 30 * (9 - k), date '2025-12-31' + 20 - 30 * (9 - k), 1000
	FROM generate_series(1, 8) AS k;
	INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount)
	SELECT invoice_id, 1, invoice_id, issued_on + CASE WHEN invoice_id < 7 THEN 15 ELSE 20 + invoice_id::integer END, amount
	FROM customer_class.invoice;
	INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
	SELECT invoice_id, 1, issued_on, amount, 'invoiced' FROM customer_class.invoice;
	INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status) VALUES
		(21, 2, '2025-07-01', 800, 'invoiced'), (22, 2, '2025-09-01', 800, 'invoiced');
	SELECT customer_class.refresh('2025-10-31');
});

my $notes = sub {
	my ($sql) = @_;
	my $out = $node->safe_psql('origin', "LISTEN customer_class_alerts; $sql");
	return [ $out =~ /Asynchronous notification "customer_class_alerts" with payload "(.*?)" received/g ];
};

my $n = $notes->(q{SELECT customer_class.refresh('2025-12-31')});
is(scalar @$n, 2, 'refresh announces its two new alerts');
like($n->[0] // '', qr/^\{"alert_id": \d+\}$/, 'payment rhythm: the payload is the alert id only');
like($n->[1] // '', qr/^\{"alert_id": \d+\}$/, 'became dormant: the payload is the alert id only');
# the listener reads the rest from the rows (in customer order)
my @ids = map { /"alert_id": (\d+)/ ? $1 : 0 } @$n;
is($node->safe_psql('origin', 'SELECT string_agg(format(\'%s %s %s\', customer_id, kind, level), \'; \' ORDER BY alert_id)
	FROM customer_class.alerts WHERE alert_id IN (' . join(',', @ids, 0) . ')'),
	'1 payment_rhythm yellow; 2 became_dormant yellow', 'the alerts announced, read by their ids');

$n = $notes->(q{SELECT customer_class.refresh('2025-12-31', full_refresh => true)});
is(scalar @$n, 0, 'no announcement when the open alerts are seen again');

$n = $notes->(q{
	INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, reference)
	VALUES (2, '2025-12-15', 'litigation', 'court records', 'case 42');
	INSERT INTO customer_class.external_event (customer_id, event_on, kind, source)
	VALUES (2, '2025-12-16', 'frozen_equity', 'registry');
});
is(scalar @$n, 1, 'one announcement for the first external event, none for the second');
like($n->[0] // '', qr/^\{"alert_id": \d+\}$/,
	'external event: the payload is the alert id only');
my ($alert_id) = ($n->[0] // '') =~ /"alert_id": (\d+)/;
like($node->safe_psql('origin', "SELECT detail FROM customer_class.alerts WHERE alert_id = " . ($alert_id // 0)),
	qr/"kind": "frozen_equity".*"source": "registry"/,
	'the listener reads the detail from the alert row (the second event refreshed it)');

# dump and restore keep events and alerts, and restoring the events raises
# nothing twice: each event carries the alert it raised (alert_id)
my $state = q{SELECT string_agg(format('%s %s %s %s %s', customer_id, kind, level, occurrences, resolved_at IS NULL), '; ' ORDER BY alert_id) FROM customer_class.alerts};
my $events = q{SELECT string_agg(format('%s %s %s', customer_id, event_on, kind), '; ' ORDER BY event_id) FROM customer_class.external_event};
my $state_before = $node->safe_psql('origin', $state);
my $events_before = $node->safe_psql('origin', $events);
is($events_before, '2 2025-12-15 litigation; 2 2025-12-16 frozen_equity', 'two events recorded');
my $dumpfile = $node->basedir . '/warnings.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('origin') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE copy');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('copy'), $dumpfile ], 'pg_restore');
is($node->safe_psql('copy', $events), $events_before, 'events survive the restore');
is($node->safe_psql('copy', $state), $state_before, 'alerts survive the restore unchanged');
is($node->safe_psql('copy', q{SELECT count(*) FROM customer_class.external_event e
	JOIN customer_class.alerts a USING (alert_id) WHERE a.kind = 'external_event' AND a.customer_id = e.customer_id}),
	'2', 'restored events still name their alert');

# an event with a detail far beyond NOTIFY's 8000 bytes is still announced
# (the payload carries no detail)
$n = $notes->(q{
	INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, detail)
	VALUES (1, '2025-12-17', 'litigation', 'court records', repeat('x', 9000));
});
is(scalar @$n, 1, 'an event with a 9000-character detail is announced');

$node->stop;
done_testing();
