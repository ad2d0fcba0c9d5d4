# Bindings are configuration: a database whose sources are bound to an
# ERP's tables (odd names: spaces, capitals, non-ASCII; the payments through
# a view joining two tables) keeps its bindings through every dump/restore
# path -- plain pg_dump | psql, -Fc with pg_restore -j 2, -Fd -j 2 both ways
# -- and through ALTER EXTENSION UPDATE from the previous release:
#  - source_binding has the same rows, and each view source_<role> reads the
#    restored relation the binding names (never the managed table, never a
#    relation that is not there), so no view points nowhere;
#  - the sources read what they read in the origin, an ERP change shows at
#    once, a full refresh gives the origin's classes, unbinding works.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
my $as_of = '2025-12-31';
my $node = PostgreSQL::Test::Cluster->new('binding');
$node->init;
$node->start;

# The ERP: a copy of the sample data in tables of its own, bound.
my $erp = q{
	CREATE SCHEMA "ERP Ünit";
	CREATE TABLE "ERP Ünit"."Kunde Stamm" ("Kd Nr" integer PRIMARY KEY, "Name" varchar(200) NOT NULL,
		"Branche" text, "Région" text, "Größe" text, "Kreditlimit" numeric(14, 2), "Zahlungsziel" smallint,
		"Seit" date, "Basis" text, aktiv boolean NOT NULL);
	INSERT INTO "ERP Ünit"."Kunde Stamm"
	SELECT customer_id, name, industry, region, size_class, credit_limit, payment_terms_days, created_on,
		   payment_terms_basis, true
	FROM customer_class.customer;
	INSERT INTO "ERP Ünit"."Kunde Stamm" ("Kd Nr", "Name", aktiv) VALUES (-1, 'Inaktiv GmbH', false);
	CREATE TABLE "ERP Ünit"."Auftrag Kopf" ("Nr" bigint PRIMARY KEY, "Kunde" integer, "Datum" timestamp,
		"Betrag" float8, "Status" text, "Geliefert am" date, "Firma" integer);
	INSERT INTO "ERP Ünit"."Auftrag Kopf"
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on, 1 + order_id % 2 FROM customer_class.sales_order;
	CREATE TABLE "ERP Ünit".rechnung ("RechnungsNr" bigint PRIMARY KEY, "Kunde" bigint, "Auftrag" bigint,
		"Datum" date, "Fällig am" date, "Betrag" numeric(18, 2), "Firma" integer);
	INSERT INTO "ERP Ünit".rechnung
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount, 1 + invoice_id % 2 FROM customer_class.invoice;
	CREATE TABLE "ERP Ünit".zahlung_kopf ("Nr" bigint PRIMARY KEY, "Kunde" bigint, "Firma" integer);
	CREATE TABLE "ERP Ünit".zahlung_zeile ("Nr" bigint REFERENCES "ERP Ünit".zahlung_kopf, "Rechnung" bigint,
		"Datum" date, "Betrag" numeric(18, 2), "Gutschrift" boolean);
	INSERT INTO "ERP Ünit".zahlung_kopf SELECT payment_id, customer_id, 1 + payment_id % 2 FROM customer_class.payment;
	INSERT INTO "ERP Ünit".zahlung_zeile
	SELECT payment_id, invoice_id, paid_on, amount, kind = 'credit_note' FROM customer_class.payment;
	CREATE VIEW "ERP Ünit"."付款" AS
	SELECT k."Nr" AS "编号", k."Kunde" AS "客户", z."Rechnung" AS "发票", z."Datum" AS "日期", z."Betrag" AS "金额",
		   CASE WHEN z."Gutschrift" THEN 'credit_note' ELSE 'payment' END AS "类型", k."Firma" AS "公司"
	FROM "ERP Ünit".zahlung_kopf k JOIN "ERP Ünit".zahlung_zeile z USING ("Nr");
	CREATE TABLE "ERP Ünit"."Kreditlimit je Firma" ("Kunde" bigint, "Firma" integer, "Limit" float8);
	INSERT INTO "ERP Ünit"."Kreditlimit je Firma" VALUES (1, 1, 1000), (1, 2, 2500.5);
	GRANT USAGE ON SCHEMA "ERP Ünit" TO customer_class_reader;
	GRANT SELECT ON ALL TABLES IN SCHEMA "ERP Ünit" TO customer_class_reader;

	SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"',
		'{"customer_id": "Kd Nr", "name": "Name", "industry": "Branche", "region": "Région", "size_class": "Größe",
		  "credit_limit": "Kreditlimit", "payment_terms_days": "Zahlungsziel", "created_on": "Seit",
		  "payment_terms_basis": "Basis"}',
		'aktiv');
	SELECT customer_class.bind_source('order', '"ERP Ünit"."Auftrag Kopf"',
		'{"order_id": "Nr", "customer_id": "Kunde", "ordered_on": {"column": "Datum", "cast": true},
		  "amount": {"column": "Betrag", "cast": true}, "status": "Status", "shipped_on": "Geliefert am",
		  "company_id": "Firma"}');
	SELECT customer_class.bind_source('invoice', '"ERP Ünit".rechnung',
		'{"invoice_id": "RechnungsNr", "customer_id": "Kunde", "order_id": "Auftrag", "issued_on": "Datum",
		  "due_on": "Fällig am", "amount": "Betrag", "company_id": "Firma"}');
	SELECT customer_class.bind_source('payment', '"ERP Ünit"."付款"',
		'{"payment_id": "编号", "customer_id": "客户", "invoice_id": "发票", "paid_on": "日期", "amount": "金额",
		  "kind": "类型", "company_id": "公司"}');
	SELECT customer_class.bind_source('credit_limit', '"ERP Ünit"."Kreditlimit je Firma"',
		'{"customer_id": "Kunde", "company_id": "Firma", "credit_limit": {"column": "Limit", "cast": true}}');
};

# The bindings and what each source view reads: the relations its rule
# depends on, and whether they are the ones source_binding names.
my $bindings = q{
	SELECT string_agg(format('%s %s %s %s', role, relation, columns, filter), E'\n' ORDER BY role)
	FROM customer_class.source_binding;
	SELECT string_agg(format('%s reads %s', v.relname, coalesce(r.reads, 'NOTHING')), E'\n' ORDER BY v.relname)
	FROM unnest(ARRAY['customer', 'order', 'invoice', 'payment', 'credit_limit']) AS role
	LEFT JOIN pg_class v ON v.relname = 'source_' || role AND v.relnamespace = 'customer_class'::regnamespace
	LEFT JOIN LATERAL (
		SELECT string_agg(DISTINCT d.refobjid::regclass::text, ',') AS reads
		FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
		WHERE w.ev_class = v.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> v.oid) r ON true;
	SELECT count(*) FROM customer_class.source_binding b
	WHERE NOT EXISTS (SELECT FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
					  WHERE w.ev_class = format('customer_class.%I', 'source_' || b.role)::regclass
						AND d.refclassid = 'pg_class'::regclass AND d.refobjid = b.relation::regclass);
};
# What the sources read and the classes a full refresh gives.
my $sources = qq{
	SET customer_class.as_of = '$as_of';
	SELECT (SELECT count(*) FROM customer_class.src_customer) || ' ' || (SELECT count(*) FROM customer_class.src_order)
		   || ' ' || (SELECT count(*) FROM customer_class.src_invoice) || ' ' || (SELECT count(*) FROM customer_class.src_payment)
		   || ' ' || (SELECT count(*) FROM customer_class.src_credit_limit)
		   || ' ' || (SELECT sum(amount) FROM customer_class.src_invoice WHERE company_id = 2);
	SELECT md5(string_agg(to_jsonb(a)::text, ',' ORDER BY a.customer_id)) FROM customer_class.aging_report a;
};
my $classes = qq{
	SELECT customer_class.refresh('$as_of', full_refresh => true) >= 0;
	SELECT md5(string_agg(format('%s %s %s %s %s %s', customer_id, credit_score, credit_grade, lifecycle_stage,
								 behaviour_segment, rfm_segment), ',' ORDER BY customer_id))
	FROM customer_class.profile;
};

sub prepare
{
	my ($db, $version) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION customer_class' . ($version ? " VERSION '$version'" : ''));
	$node->command_ok(
		[ 'psql', '-X', '-q', '-d', $node->connstr($db), '-v', 'customers=300',
		  '-v', "as_of=$as_of", '-f', "$src/test/data/generate.sql" ],
		"$db: sample data loads");
	$node->safe_psql($db, "SELECT customer_class.refresh('$as_of')");
	return $node->safe_psql($db, $classes);
}

my $managed_classes = prepare('origin');
$node->safe_psql('origin', $erp);
my $origin_bindings = $node->safe_psql('origin', $bindings);
like($origin_bindings, qr/^source_payment reads "ERP Ünit"\."付款"$/m, 'origin: the payments are read through the ERP view');
like($origin_bindings, qr/^source_customer reads "ERP Ünit"\."Kunde Stamm"$/m, 'origin: the customers from the ERP table');
like($origin_bindings, qr/\n0$/, 'origin: every view reads the relation its binding names');
my $origin_sources = $node->safe_psql('origin', $sources);
like($origin_sources, qr/^300 \d{4} \d{4} \d{4} 2 \d+\.\d\d$/m, 'origin: the sources read the ERP rows');
my $origin_classes = $node->safe_psql('origin', $classes);
is($origin_classes, $managed_classes, 'origin: refresh over the ERP tables gives the classes of the managed tables');

# ---- dump and restore ------------------------------------------------------

my $base = $node->basedir;
my @dumpcmd = ('pg_dump', '-d', $node->connstr('origin'));
$node->command_ok([ @dumpcmd, '-f', "$base/origin.sql" ], 'pg_dump (plain)');
$node->command_ok([ @dumpcmd, '-Fc', '-f', "$base/origin.dump" ], 'pg_dump -Fc');
$node->command_ok([ @dumpcmd, '-Fd', '-j', '2', '-f', "$base/origin.dir" ], 'pg_dump -Fd -j 2');

# where the dump puts the views: after the ERP relations they read
my $list = `pg_restore -l '$base/origin.dump'`;
my @entries = grep { /\b(TABLE|VIEW)\b/ && !/TABLE DATA/ } split /\n/, $list;
my ($pos_view) = grep { $entries[$_] =~ /VIEW customer_class source_payment / } 0 .. $#entries;
my ($pos_erp) = grep { $entries[$_] =~ /VIEW ERP Ünit 付款 / } 0 .. $#entries;
ok(defined $pos_view && defined $pos_erp && $pos_view > $pos_erp,
	'the dump creates source_payment after the ERP view it reads');

my @psql = ('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1');
my %paths = (
	plain => [ @psql, '-f', "$base/origin.sql" ],
	fc_j2 => [ 'pg_restore', '--exit-on-error', '-j', '2', "$base/origin.dump" ],
	fd_j2 => [ 'pg_restore', '--exit-on-error', '-j', '2', "$base/origin.dir" ],
);
for my $path (sort keys %paths)
{
	my $db = "restored_$path";
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->command_ok([ @{ $paths{$path} }, '-d', $node->connstr($db) ], "$path: the restore succeeds");
	is($node->safe_psql($db, $bindings), $origin_bindings,
		"$path: the same bindings, each view reading the restored relation its binding names");
	is($node->safe_psql($db, $sources), $origin_sources, "$path: the sources read what they read in the origin");
	is($node->safe_psql($db, $classes), $origin_classes, "$path: a full refresh gives the origin's classes");
	# the binding is live: an ERP change shows, unbinding works
	is($node->safe_psql($db, q{
		INSERT INTO "ERP Ünit".rechnung VALUES (99000001, 5, NULL, '2025-12-01', '2025-12-31', 77.7, 3);
		SELECT count(*) FROM customer_class.src_invoice WHERE company_id = 3}), '1',
		"$path: a new ERP invoice is read at once");
	is($node->safe_psql($db, q{
		DO $$BEGIN PERFORM customer_class.unbind_source('order'); END$$;
		SELECT (SELECT count(*) FROM customer_class.src_order) = (SELECT count(*) FROM customer_class.sales_order)
			   AND NOT EXISTS (SELECT FROM customer_class.source_binding WHERE role = 'order')}), 't',
		"$path: unbinding reads the managed table again");
}

# ---- through the update from the previous release -----------------------------

my ($current) = slurp_file("$src/customer_class.control") =~ /^default_version = '([^']+)'/m;
my ($previous) = (sort { my @a = split /\./, $a; my @b = split /\./, $b;
						 $a[0] <=> $b[0] || $a[1] <=> $b[1] || $a[2] <=> $b[2] }
				  map { m{customer_class--([0-9.]+)\.sql$} ? $1 : () } glob "$src/releases/customer_class--*.sql")[-1];
prepare('updated', $previous);
$node->safe_psql('updated', 'ALTER EXTENSION customer_class UPDATE');
is($node->safe_psql('updated', q{SELECT extversion FROM pg_extension WHERE extname = 'customer_class'}), $current,
	"updated: $previous -> $current");
is($node->safe_psql('updated', q{
	SELECT count(*) FROM pg_class c
	WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relname LIKE 'source\_%' AND c.relkind = 'v'
	  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
	  AND pg_get_userbyid(c.relowner) = 'customer_class_admin'}), '5',
	'updated: the update made the five source views, the user\'s (not members), as a fresh install does');
$node->safe_psql('updated', $erp);
is($node->safe_psql('updated', $bindings), $origin_bindings, 'updated: bound as a fresh install binds');
is($node->safe_psql('updated', $sources), $origin_sources, 'updated: the sources read the ERP rows');
is($node->safe_psql('updated', $classes), $origin_classes, 'updated: the classes over the ERP tables');
# and the updated database's bindings go through a parallel restore too
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('updated'), '-f', "$base/updated.dump" ],
	'updated: pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE updated_restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-j', '2', '-d', $node->connstr('updated_restored'),
					"$base/updated.dump" ], 'updated: pg_restore -j 2');
is($node->safe_psql('updated_restored', $bindings), $origin_bindings, 'updated, restored: the same bindings');
is($node->safe_psql('updated_restored', $classes), $origin_classes, 'updated, restored: the same classes');

$node->stop;
done_testing();
