#!/usr/bin/env bash
# run-suites.sh [SUITE...]: run the test suites against the cluster that
# with-cluster.sh started (PGHOST set).  Suites: layout regress isolation tap
# (TAP_TESTS=FILES limits the TAP suite to those test files).
# Prints one line per test and a last line "N passed, N failed".
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(layout regress isolation tap)
pgxs=$(pgxs_dir)
mk() { make -s --no-print-directory -f Makefile print-"$1" PG_CONFIG="$PG_CONFIG"; }
passed=0
failed=0

# copy_tree DIR: the source tree without .git and build output, into DIR.
copy_tree() {
	tar -C "$SRCDIR" --exclude=./.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
		--exclude=./results --exclude=./output_iso --exclude=./tmp_check --exclude=./log \
		-cf - . | tar -C "$1" -xf -
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# pg_regress prints "test NAME ... ok" / "... FAILED" per test: count those.
# A run that failed without naming a failed test (it could not even install
# the extension) counts as one failure.
count_regress() {
	local rc=$1 ok bad
	ok=$(grep -cE '\.\.\. +ok' "$log" || true)
	bad=$(grep -cE '\.\.\. +(FAILED|failed)' "$log" || true)
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok)); failed=$((failed + bad))
}

for suite in "${suites[@]}"; do
	case $suite in
	regress)
		say "pg_regress"
		rm -rf results regression.diffs regression.out
		"$pgxs/src/test/regress/pg_regress" --inputdir=. --bindir="$PG_BINDIR" \
			$(mk REGRESS_OPTS) $(mk REGRESS) >"$log" 2>&1 && rc=0 || rc=$?
		cat "$log"
		count_regress $rc
		[ -f regression.diffs ] && { say "differences:"; cat regression.diffs; }
		;;
	isolation)
		say "isolation"
		rm -rf output_iso
		"$pgxs/src/test/isolation/pg_isolation_regress" --bindir="$PG_BINDIR" \
			--outputdir=output_iso \
			$(mk ISOLATION_OPTS) $(mk ISOLATION) >"$log" 2>&1 && rc=0 || rc=$?
		cat "$log"
		count_regress $rc
		[ -f output_iso/regression.diffs ] && { say "differences:"; cat output_iso/regression.diffs; }
		;;
	tap)
		say "TAP"
		# prove runs as the cluster owner (postgres when we are root), which
		# may not read this tree: a clone in a private directory (mode 0700,
		# e.g. mktemp -d or /root) is readable by root only.  So the tests
		# run from a copy of the tree (without .git and build output) that the
		# owner can read.
		tapdir=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_tap.XXXXXX")
		chmod 755 "$tapdir"
		stage="$tapdir/tree"
		mkdir "$stage"
		copy_tree "$stage"
		[ "$(id -u)" = 0 ] && chown -R postgres: "$tapdir"
		unreadable=$(as_pg find "$stage" ! -readable -print -quit)
		[ -z "$unreadable" ] || die "the TAP copy is not readable by the cluster owner: $unreadable"
		# The Tryton integration test needs Tryton from Debian: install it
		# here, as root (the tests run as the cluster owner).  Without it the
		# test fails, unless CC_SKIP_TRYTON=1 (then it skips itself and says so).
		case " ${TAP_TESTS:-test/t/*.pl} " in
		*040_tryton* | *"test/t/*.pl"*)
			if [ "$(id -u)" = 0 ] && [ -z "${CC_SKIP_TRYTON:-}" ]; then
				"$SRCDIR/test/erp/tryton/setup.sh" packages \
					|| say "Tryton could not be installed: the Tryton integration test will fail (CC_SKIP_TRYTON=1 skips it)"
			fi ;;
		esac
		# The HTML report test renders in headless Chromium from Debian
		# (and needs a font with Chinese glyphs): installed here, as root.
		case " ${TAP_TESTS:-test/t/*.pl} " in
		*051_report_html* | *"test/t/*.pl"*)
			if [ "$(id -u)" = 0 ]; then
				"$SRCDIR/test/report/setup.sh" packages \
					|| say "Chromium could not be installed: the HTML report test will fail"
			fi ;;
		esac
		# The BI clients test reads the views through pgjdbc and psycopg2
		# from Debian: install them here too, as root, when missing (the
		# test fails without them).
		case " ${TAP_TESTS:-test/t/*.pl} " in
		*050_bi_clients* | *"test/t/*.pl"*)
			if [ "$(id -u)" = 0 ]; then
				"$SRCDIR/test/bi/setup.sh" packages \
					|| say "the BI clients could not be installed: the BI clients test will fail"
			fi ;;
		esac
		for t in ${TAP_TESTS:-test/t/*.pl}; do
			[ -e "$t" ] || continue
			name=$(basename "$t" .pl)
			as_pg mkdir -p "$tapdir/$name"
			if (cd "$stage" && as_pg env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
				TESTDIR="$tapdir/$name" PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
				CC_SRCDIR="$stage" \
				prove -I "$pgxs/src/test/perl" -I "$stage/test/t" "$stage/$t") >"$log" 2>&1; then
				# a skipped test passes, but says so (prove: "skipped: why")
				if grep -q ' skipped: ' "$log"; then
					echo "tap $name.pl ... ok (SKIPPED: $(sed -n 's/.* skipped: //p' "$log" | head -n 1))"
				else
					echo "tap $name.pl ... ok"
				fi
				passed=$((passed + 1))
			else
				cat "$log"
				for f in "$tapdir"/*/tmp_check/log/*; do
					[ -f "$f" ] && { echo "--- $f"; tail -n 50 "$f"; }
				done
				echo "tap $name.pl ... FAILED"
				failed=$((failed + 1))
			fi
		done
		rm -rf "$tapdir"
		;;
	layout)
		# The suites must not depend on where the clone lies or who can read
		# it: run the TAP layout check from a copy of the runner in a private
		# directory (mode 0700, owned by us), as a root user's clone would be.
		say "layout"
		private=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_private.XXXXXX")
		chmod 700 "$private"
		copy_tree "$private"
		if TAP_TESTS=test/t/000_layout.pl "$private/scripts/run-suites.sh" tap >"$log" 2>&1 \
			&& grep -qx 'tap 000_layout.pl ... ok' "$log"; then
			echo "layout private-clone ... ok"
			passed=$((passed + 1))
		else
			cat "$log"
			echo "layout private-clone ... FAILED"
			failed=$((failed + 1))
		fi
		rm -rf "$private"
		;;
	*) die "unknown suite $suite" ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
