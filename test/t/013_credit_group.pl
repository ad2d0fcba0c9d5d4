# Credit groups under load (docs/credit.md, "Credit groups"): a pgbench race
# on groups, under READ COMMITTED and REPEATABLE READ.  10 groups: a root with
# a limit of 20,000 for the whole group and 4 members with 10,000 each (so
# the members' own limits together, 40,000, are far above the group's), each
# member starting at 2,000 on order.  8 clients for 5 s insert orders of any
# member or root (60%), payments (20%) and cancellations (20%).  Every
# accepted order records, in its own transaction, the exposure of its whole
# group just after it (every ledger write of a member holds the root's row,
# so the sum is exact there).  The runs must end with no breach of a group
# limit at acceptance, none at the end (recomputed from the sources), and no
# ledger difference.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Temp qw(tempdir);

my $node = PostgreSQL::Test::Cluster->new('group');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 40\n");
$node->start;

my $dir = tempdir(CLEANUP => 1);
sub write_file
{
	my ($name, $text) = @_;
	open(my $fh, '>', "$dir/$name") or die $!;
	print $fh $text;
	close($fh);
}
# customers 1-10 are the roots, 11-50 the members (parent (id - 1) % 10 + 1)
write_file('order.sql', q{\set c random(1, 50)
\set amt random(100, 2500)
SELECT race.place_order(:c, :amt);
});
write_file('pay.sql', q{\set c random(1, 50)
\set amt random(100, 1500)
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount) VALUES (:c, NULL, '2025-12-30', :amt);
});
write_file('cancel.sql', q{\set c random(1, 50)
UPDATE customer_class.sales_order SET status = 'cancelled'
WHERE order_id = (SELECT order_id FROM customer_class.sales_order
				  WHERE customer_id = :c AND status = 'open' ORDER BY order_id LIMIT 1);
});

for my $run (['rc', 'read committed'], ['rr', 'repeatable read'])
{
	my ($name, $level) = @$run;
	my $db = "race_$name";
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, qq{
		CREATE EXTENSION customer_class;
		ALTER DATABASE $db SET customer_class.as_of = '2025-12-31';
		ALTER DATABASE $db SET default_transaction_isolation = '$level';
		CREATE SCHEMA race;
		CREATE TABLE race.accepted (order_id bigint, customer_id bigint, group_exposure numeric);
		-- an order that may be blocked: the block is counted, not an error
		CREATE FUNCTION race.place_order(c bigint, amt numeric) RETURNS boolean
			LANGUAGE plpgsql AS \$\$
		DECLARE
			id bigint;
			root bigint := (c - 1) % 10 + 1;
		BEGIN
			INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (c, '2025-12-30', amt)
			RETURNING order_id INTO id;
			INSERT INTO race.accepted
			SELECT id, c, sum(x.exposure) FROM customer_class.credit_exposure x
			WHERE x.customer_id = root OR x.group_path \@> ARRAY[root];
			RETURN true;
		EXCEPTION WHEN SQLSTATE 'KC001' THEN
			RETURN false;
		END \$\$;
		SET customer_class.as_of = '2025-12-31';
		INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on)
		SELECT c, 'Root ' || c, 20000, '2024-01-01' FROM generate_series(1, 10) c;
		INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on, parent_id)
		SELECT c, 'Member ' || c, 10000, '2024-01-01', (c - 1) % 10 + 1 FROM generate_series(11, 50) c;
		INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
		SELECT c, '2025-12-01', 2000 FROM generate_series(11, 50) c;
		VACUUM ANALYZE;
	});
	my @cmd = ('pgbench', '-n', '-c', '8', '-j', '8', '-T', '5', '--max-tries=100',
			   '-f', "$dir/order.sql\@6", '-f', "$dir/pay.sql\@2", '-f', "$dir/cancel.sql\@2",
			   '-h', $node->host, '-p', $node->port, $db);
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
	ok($ok, "$name: pgbench runs") or diag($out . $err);
	my ($tx) = $out =~ /number of transactions actually processed: (\d+)/;
	my $result = $node->safe_psql($db, q{
		SELECT (SELECT count(*) FROM race.accepted),
			   (SELECT count(*) FROM race.accepted WHERE group_exposure > 20000),
			   (SELECT count(*) FROM generate_series(1, 10) root
				WHERE (SELECT sum(r.exposure) FROM customer_class.exposure_recomputed() r
					   JOIN customer_class.customer c ON c.customer_id = r.customer_id
					   WHERE coalesce(c.parent_id, c.customer_id) = root) > 20000),
			   (SELECT count(*) FROM customer_class.verify_exposure()),
			   (SELECT count(*) FROM customer_class.credit_group)
	});
	my ($accepted, $at_acceptance, $at_end, $diffs, $in_groups) = split /\|/, $result;
	note("credit group race $name: 8 clients x 5 s, 10 groups of 5: $tx transactions, orders accepted $accepted, "
		 . "group breaches at acceptance $at_acceptance, group breaches at the end $at_end, ledger differences $diffs");
	cmp_ok($accepted, '>', 0, "$name: orders are accepted");
	is($at_acceptance, '0', "$name: no order accepted above its group's limit");
	is($at_end, '0', "$name: no group above its limit at the end");
	is($diffs, '0', "$name: the ledger equals the recomputation");
	is($in_groups, '50', "$name: every customer is in its group");
}

$node->stop;
done_testing();
