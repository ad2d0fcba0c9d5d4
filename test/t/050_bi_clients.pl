# The views as BI clients read them (docs/reporting.md): pgjdbc (Debian's
# libpostgresql-jdbc-java, through a small Java program, test/bi/ViewCheck.java)
# reads every view's metadata and a few rows of each and finds no column it
# maps to Types.OTHER, no view or column without a COMMENT; psycopg2 (Debian's
# python3-psycopg2, test/bi/check_psycopg2.py) gets every number as a Decimal
# and the aging jsonb exact.  Both sessions set nothing, as a BI tool does:
# they see the book as of the last refresh.  The clients are installed by
# run-suites.sh (as root, test/bi/setup.sh) when missing; without them the
# test fails.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
my $bi = "$src/test/bi";
my $jar = '/usr/share/java/postgresql.jar';

if (system("$bi/setup.sh", 'check') != 0)
{
	fail('the BI clients are required: as root, test/bi/setup.sh packages (a JDK, '
		  . 'libpostgresql-jdbc-java, python3-psycopg2)');
	done_testing();
	exit;
}

# pgjdbc speaks TCP only: the node listens on the loopback too
my $node = PostgreSQL::Test::Cluster->new('bi');
$node->init;
$node->append_conf('postgresql.conf',
	"listen_addresses = '127.0.0.1'\nlc_messages = 'C'\ntimezone = 'UTC'\n");
$node->start;

# Alpha: 1,000.10 due 03-10 of which 400 paid (600.10 21 days past due on
# 03-31), 500.25 not yet due; Beta: 80.10 past due, 20 unapplied; Gamma:
# nothing.  Refreshed as of 03-31 and 04-30 (Beta's grade may move).
$node->safe_psql('postgres', q{
	CREATE EXTENSION customer_class;
	INSERT INTO customer_class.customer
		(customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on, tags)
	VALUES
		(1, 'Alpha', 'enterprise', 'retail', 'east.shanghai', 'large', 45, '2024-01-01', '{vip,industry.retail}'),
		(2, 'Beta 贝塔', 'individual', 'retail', 'west.chengdu', 'micro', 0, '2024-01-01', '{}'),
		(3, 'Gamma', 'enterprise', NULL, NULL, NULL, 30, '2024-01-01', '{}');
	INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status) VALUES
		(1, 1, '2025-01-25', 1000.10, 'invoiced'), (2, 1, '2025-02-25', 500.25, 'invoiced'),
		(3, 2, '2025-03-18', 80.10, 'invoiced'), (4, 1, '2025-03-28', 300.00, 'open');
	INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount) VALUES
		(1, 1, 1, '2025-02-01', '2025-03-10', 1000.10),
		(2, 1, 2, '2025-03-01', '2025-04-15', 500.25),
		(3, 2, 3, '2025-03-20', '2025-03-20', 80.10);
	INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
		(1, 1, 1, '2025-03-15', 400.00),
		(2, 2, NULL, '2025-03-25', 20.00);
	SELECT customer_class.refresh('2025-02-28');
	SELECT customer_class.refresh('2025-03-31');
});
is($node->safe_psql('postgres', 'SELECT customer_class.report_date()'),
	'2025-03-31', 'a session that sets nothing reports as of the last refresh');

# JDBC: compile the checker, then read every view
my $classes = PostgreSQL::Test::Utils::tempdir('bi_classes');
command_ok([ 'javac', '-nowarn', '-d', $classes, '-cp', $jar, "$bi/ViewCheck.java" ],
	'ViewCheck.java compiles against pgjdbc');
my $user = (getpwuid($>))[0];
my $url = sprintf('jdbc:postgresql://127.0.0.1:%d/postgres?user=%s', $node->port, $user);

sub view_check
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'java', '-cp', "$jar:$classes", 'ViewCheck', $url ], '>', \$out, '2>', \$err);
	note("ViewCheck: $err") if $err ne '';
	return ($? >> 8, $out);
}

my ($rc, $out) = view_check();
note($out);
is($rc, 0, 'JDBC: no view column is Types.OTHER, every view and column has a COMMENT');
unlike($out, qr/^PROBLEM/m, 'JDBC: no problem reported');
my ($views, $columns, $rows) = $out =~ /^views (\d+) columns (\d+) rows (\d+)$/m;
ok(defined $views && $views >= 13 && $columns >= 150 && $rows >= 20,
	"JDBC read the metadata of every BI view and rows of them ($out)");

# and it fails where a BI tool would trip: a custom type, jsonb, a column
# without a comment
$node->safe_psql('postgres', q{
	CREATE VIEW customer_class.bi_probe AS
		SELECT '{vip}'::customer_class.tagset AS tags, '{"a": 1}'::jsonb AS doc, 1 AS n;
	COMMENT ON VIEW customer_class.bi_probe IS 'probe';
	COMMENT ON COLUMN customer_class.bi_probe.tags IS 'probe';
	COMMENT ON COLUMN customer_class.bi_probe.doc IS 'probe';
});
($rc, $out) = view_check();
is($rc, 1, 'JDBC check fails on a view a BI tool trips on');
like($out, qr/^PROBLEM bi_probe\.tags: metadata type "customer_class"\."tagset" is Types\.OTHER$/m, '... a tagset column');
like($out, qr/^PROBLEM bi_probe\.doc: result type jsonb is Types\.OTHER$/m, '... a jsonb column');
like($out, qr/^PROBLEM bi_probe\.n: column without a COMMENT$/m, '... a column without a comment');
$node->safe_psql('postgres', 'DROP VIEW customer_class.bi_probe');

# psycopg2 on the unix socket
my ($pout, $perr) = ('', '');
IPC::Run::run([ '/usr/bin/python3', "$bi/check_psycopg2.py",
		sprintf('host=%s port=%d dbname=postgres', $node->host, $node->port) ],
	'>', \$pout, '2>', \$perr);
note($pout);
note($perr) if $perr ne '';
is($? >> 8, 0, 'psycopg2: every type parsed, numbers as Decimal, aging jsonb exact');
like($pout, qr/^ok customer_profile aging of customer 1: 500\.25, 600\.10, 1100\.35$/m,
	'psycopg2: customer_profile aging columns are exact Decimals');
like($pout, qr/^ok aging::jsonb with json\.loads\(parse_float=Decimal\): exact Decimals, total 12345678901234568\.19$/m,
	'psycopg2: aging::jsonb amounts and total exact');

$node->stop;
done_testing();
