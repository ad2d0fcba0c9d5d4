# report_html() renders in a browser: the report of a small book with known
# figures (test/report/small_book.sql), in English and Chinese, is opened by
# headless Chromium (Debian's chromium, installed by test/report/setup.sh
# from scripts/run-suites.sh), which dumps the DOM it built and takes a
# screenshot.  The test checks the charts are there (six <svg>, the bars of
# each, the matrix cells, the table rows), that bars have the heights of the
# known figures, the labels in each language, that a customer name with
# markup in it is text and not markup, that nothing is fetched (no script,
# no link, no URL) and that the screenshot is a PNG of the asked size.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
my ($chromium) = grep { -x $_ } map { "$_/chromium" } split /:/, "$ENV{PATH}:/usr/bin";
ok($chromium, 'chromium is installed (test/report/setup.sh packages, as root)')
  or BAIL_OUT('no chromium: run test/report/setup.sh packages as root');

my $node = PostgreSQL::Test::Cluster->new('report');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION customer_class');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
	  '-f', "$src/test/report/small_book.sql" ],
	'the small book loads');

my $tmp = PostgreSQL::Test::Utils::tempdir();
# Chromium writes a profile and caches under HOME: give it a directory of
# its own (the tests run as the cluster owner, whose HOME may be read-only)
$ENV{HOME} = $tmp;
$ENV{XDG_CONFIG_HOME} = "$tmp/.config";
$ENV{XDG_CACHE_HOME} = "$tmp/.cache";

# chromium ARGS...: run it headless (as root it needs --no-sandbox), give
# back what it printed on stdout
sub chromium
{
	my @args = @_;
	my ($out, $err);
	IPC::Run::run(
		[ $chromium, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
		  '--no-first-run', "--user-data-dir=$tmp/profile", @args ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	return $out;
}

for my $lang ('en', 'zh')
{
	my $html = $node->safe_psql('postgres', "SELECT customer_class.report_html('2025-03-31', '$lang')");
	my $file = "$tmp/report_$lang.html";
	open my $fh, '>:raw', $file or die "$file: $!";
	print $fh $html;
	close $fh;

	# self-contained: no script, no stylesheet or image from elsewhere, no
	# URL but the SVG namespace
	unlike($html, qr/<script|<link|<img|\bsrc=|url\(/i, "$lang: nothing to fetch, no script");
	is(join(',', grep { $_ ne 'http://www.w3.org/2000/svg' } $html =~ m{(https?://[^"' )]*)}g), '',
		"$lang: no URL but the SVG namespace");

	my $dom = chromium('--dump-dom', "file://$file");
	ok(defined $dom && $dom =~ m{</html>}, "$lang: Chromium rendered the page") or next;
	my @svgs = $dom =~ m{(<svg\b.*?</svg>)}gs;
	is(scalar @svgs, 6, "$lang: six charts");
	my %chart = map { /id="([^"]+)"/ ? ($1 => $_) : () } @svgs;
	my %bars = (
		'grade-distribution' => 4,		# grades A-D
		'aging-by-grade' => 20,			# 4 grades x 5 buckets
		'lifecycle-funnel' => 6,		# the stages
		'revenue-trend' => 48,			# 12 months x 4 grades
		'overdue-trend' => 48);
	for my $id (sort keys %bars)
	{
		my $n = () = ($chart{$id} // '') =~ /<rect class="bar"/g;
		is($n, $bars{$id}, "$lang: $id has $bars{$id} bars");
	}
	my $cells = () = ($chart{'grade-migration'} // '') =~ /<rect class="cell"/g;
	is($cells, 25, "$lang: the migration matrix has 5 x 5 cells");
	# grades at 2025-03-31: Alpha B, Beta D: the two bars full height (200),
	# A and C empty
	is(join(',', ($chart{'grade-distribution'} // '') =~ /<rect class="bar"[^>]* height="([\d.]+)"/g),
		'0.0,200.0,0.0,200.0', "$lang: grade distribution A 0, B 1, C 0, D 1");
	# the migration over the year: both graded now were not graded a year
	# before (row 5), one went to B (column 2), one to D (column 4)
	my @cells = ($chart{'grade-migration'} // '') =~ /<text class="value"[^>]*>(\d+)</g;
	is(join('', @cells[20 .. 24]), '01010', "$lang: migration from not graded: 1 to B, 1 to D");
	# three customers have something overdue, the worst first
	my ($table) = $dom =~ m{(<table id="top-overdue">.*?</table>)}s;
	my @rows = ($table // '') =~ m{<tr><td>(.*?)</td>}g;
	is(scalar @rows, 3, "$lang: three overdue customers in the table");
	is($rows[1], 'Beta &lt;b&gt;&amp;amp; "Co"&lt;/b&gt;', "$lang: a name with markup shows as text");
	unlike($table // '', qr/<b>/, "$lang: no markup from the data");

	my %words = $lang eq 'en'
	  ? ('Customers by credit grade' => 1, 'Receivables aging by credit grade' => 1, 'Credit grade migration' => 1,
		'Lifecycle funnel' => 1, 'Revenue per month by credit grade' => 1,
		'Overdue receivables at month end by credit grade' => 1, 'Top overdue customers' => 1,
		'A - excellent' => 1, 'D - high risk' => 1, 'reactivated' => 1, 'not graded' => 1)
	  : ('信用等级客户分布' => 1, '各信用等级应收账款账龄' => 1, '信用等级迁移' => 1, '客户生命周期漏斗' => 1,
		'各信用等级月度收入' => 1, '各信用等级月末逾期应收' => 1, '逾期金额最高的客户' => 1,
		'A - 优' => 1, 'D - 高风险' => 1, '回流客户' => 1, '未评级' => 1);
	for my $w (sort keys %words)
	{
		ok(index($dom, ">$w<") >= 0 || index($dom, ">$w ") >= 0, "$lang: label '$w' shown");
	}

	my $png = "$tmp/report_$lang.png";
	chromium("--screenshot=$png", '--window-size=1200,1600', "file://$file");
	open my $ph, '<:raw', $png or do { fail("$lang: screenshot written"); next };
	read $ph, my $head, 24;
	close $ph;
	is(substr($head, 0, 8), "\x89PNG\r\n\x1a\n", "$lang: the screenshot is a PNG");
	is(join('x', unpack('NN', substr($head, 16, 8))), '1200x1600', "$lang: of 1200 x 1600 pixels");
}

# bad language: SQLSTATE and message
my ($ret, $out, $err) = $node->psql('postgres', q{SELECT customer_class.report_html('2025-03-31', 'fr')},
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/22023: report language "fr" is not supported/, 'another language: 22023');

$node->stop;
done_testing();
