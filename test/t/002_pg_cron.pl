# refresh() scheduled with pg_cron (Debian package postgresql-15-cron): the
# scheduled job fills the profiles, then picks up a newly queued customer.
# Skipped when the package is not installed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $libdir = `pg_config --pkglibdir`;
chomp $libdir;
plan skip_all => 'pg_cron (postgresql-15-cron) is not installed' unless -e "$libdir/pg_cron.so";

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 20
});
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION customer_class;
	CREATE EXTENSION pg_cron;
	INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES (1, 'Alpha', '2024-01-01'), (2, 'Beta', '2024-01-01');
	INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
		VALUES (1, 1, '2025-10-01', '2025-10-31', 100.00);
	-- every minute; a real schedule would be nightly: '15 2 * * *'
	SELECT cron.schedule('customer_class_refresh', '* * * * *', $$SELECT customer_class.refresh('2025-12-31')$$);
});

ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 2 FROM customer_class.profile}, 't'),
	'the scheduled refresh graded every customer');
is($node->safe_psql('postgres',
	q{SELECT status FROM cron.job_run_details ORDER BY runid LIMIT 1}),
	'succeeded', 'the job run succeeded');

# a new invoice queues its customer; the next scheduled run takes it
$node->safe_psql('postgres', q{
	INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
		VALUES (2, 2, '2025-06-01', '2025-07-01', 5000.00)});
is($node->safe_psql('postgres', 'SELECT count(*) FROM customer_class.dirty'), '1', 'customer queued');
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 0 FROM customer_class.dirty}, 't'),
	'the next scheduled refresh consumed the queue');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM customer_class.class_history WHERE customer_id = 2 AND dimension = 'credit_grade'}),
	'2', "the new invoice changed customer 2's grade, and history shows it");

$node->stop;
done_testing();
