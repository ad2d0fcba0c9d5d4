# Dunning across NOTIFY and a dump and restore (docs/collections.md):
#  - a dunning run that writes notices sends one NOTIFY customer_class_dunning
#    with {"run_on": ..., "notices": n}; a run that writes none sends nothing;
#  - pg_dump / pg_restore keep an admin's own dunning level (the shipped
#    ones come back once, as shipped), the notices with their letters and
#    sent marks, promises and disputes; a run after the restore goes on
#    from the restored levels and writes nothing twice.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dunning');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE origin');
$node->safe_psql('origin', q{
	CREATE EXTENSION customer_class;
	SET customer_class.as_of = '2025-12-31';
	INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
		(1, 'Alpha', '2024-01-01'), (2, 'Beta', '2024-01-01');
	INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
		(1, 1, '2025-10-01', '2025-10-31', 1000), (2, 1, '2025-12-01', '2026-01-03', 200),
		(3, 2, '2025-11-01', '2025-12-01', 500), (4, 2, '2025-11-15', '2025-12-15', 300);
	INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, fee, letter_en, letter_zh)
		VALUES (1, 5, 'first reminder', '第一次提醒', 5, 'Invoice {invoice_id}: please pay {total_due}.', '发票 {invoice_id}:请支付 {total_due}。');
	SELECT customer_class.open_dispute(4, 'wrong price', '2025-12-20');
});

my $out = $node->safe_psql('origin', q{
	LISTEN customer_class_dunning;
	SELECT customer_class.dunning_run('2025-12-31');
});
my @notes = ($out =~ /Asynchronous notification "customer_class_dunning" with payload "(.*?)" received/g);
is(scalar @notes, 1, 'one notification for a run that wrote notices');
is($notes[0] // '', '{"run_on": "2025-12-31", "notices": 3}', 'payload: the run date and the number of notices');
$out = $node->safe_psql('origin', q{
	LISTEN customer_class_dunning;
	SELECT customer_class.dunning_run('2025-12-31');
});
@notes = ($out =~ /Asynchronous notification "customer_class_dunning"/g);
is(scalar @notes, 0, 'none for a run that wrote nothing');
like($out, qr/^0$/m, 'the second run on the same date wrote nothing');

$node->safe_psql('origin', q{
	SET customer_class.as_of = '2025-12-31';
	SELECT customer_class.dunning_letter_sent(n.notice_id, '2026-01-01 09:00+00') FROM customer_class.dunning_notice n WHERE n.invoice_id = 1;
	SELECT customer_class.promise_to_pay(2, 500, '2026-01-10', ARRAY[3]::bigint[]);
});

my $state = q{SELECT (SELECT string_agg(format('%s %s %s %s', level, days_past_due, fee, shipped), ', ' ORDER BY level, shipped)
		FROM customer_class.dunning_level)
	|| ' | ' || (SELECT string_agg(format('%s %s %s %s %s %s', invoice_id, level, run_on, fee, sent_at IS NOT NULL, letter_en), ', ' ORDER BY notice_id)
		FROM customer_class.dunning_notice)
	|| ' | ' || (SELECT string_agg(format('%s %s %s %s', customer_id, amount, promised_on, status), ', ') FROM customer_class.payment_promise)
	|| ' | ' || (SELECT string_agg(format('%s %s %s', invoice_id, reason, resolved_on), ', ') FROM customer_class.invoice_dispute)};
my $before = $node->safe_psql('origin', $state);
like($before, qr/1 5 5\.00 f/, 'the admin level is in the origin');

my $dumpfile = $node->basedir . '/dunning.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('origin') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE copy');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-j', '2', '-d', $node->connstr('copy'), $dumpfile ],
	'pg_restore -j 2');
is($node->safe_psql('copy', $state), $before, 'levels, notices, promises and disputes survive the restore');
is($node->safe_psql('copy', q{SELECT count(*) FROM customer_class.dunning_level WHERE shipped}), '5',
	'shipped levels once, as shipped');

# the restored database goes on: a week later invoice 1 reaches level 2;
# invoice 3 is promised, invoice 4 disputed
$out = $node->safe_psql('copy', q{
	SELECT customer_class.dunning_run('2026-01-07');
	SELECT string_agg(format('%s:%s', invoice_id, level), ' ' ORDER BY invoice_id, level) FROM customer_class.dunning_notice;
});
is($out, "1\n1:1 1:2 2:0 3:1", 'the run after the restore goes on from the restored levels');

done_testing();
