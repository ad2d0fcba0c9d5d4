#!/usr/bin/env bash
# run-suites.sh [SUITE...]: run the test suites against the cluster that
# with-cluster.sh started (PGHOST set).  Suites: regress isolation tap.
# Prints one line per test and a last line "N passed, N failed".
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(regress isolation tap)
pgxs=$(pgxs_dir)
mk() { make -s --no-print-directory -f Makefile print-"$1" PG_CONFIG="$PG_CONFIG"; }
passed=0
failed=0
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
		tapdir=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_tap.XXXXXX")
		chmod 755 "$tapdir"
		[ "$(id -u)" = 0 ] && chown postgres: "$tapdir"
		for t in test/t/*.pl; do
			[ -e "$t" ] || continue
			as_pg mkdir -p "$tapdir/$(basename "$t" .pl)"
			if as_pg env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
				TESTDIR="$tapdir/$(basename "$t" .pl)" PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
				CC_SRCDIR="$SRCDIR" \
				prove -I "$pgxs/src/test/perl" -I test/t "$t" >"$log" 2>&1; then
				echo "tap $(basename "$t") ... ok"
				passed=$((passed + 1))
			else
				cat "$log"
				for f in "$tapdir"/*/tmp_check/log/*; do
					[ -f "$f" ] && { echo "--- $f"; tail -n 50 "$f"; }
				done
				echo "tap $(basename "$t") ... FAILED"
				failed=$((failed + 1))
			fi
		done
		rm -rf "$tapdir"
		;;
	*) die "unknown suite $suite" ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
