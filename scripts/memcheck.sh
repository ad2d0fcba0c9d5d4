#!/usr/bin/env bash
# memcheck.sh [SUITE...]: the tests with the server, and customer_class.so
# in it, under valgrind memcheck (docs/architecture.md, "Memory checks").
# Not part of `make test`: slow; rerun it after a change to the C code.
# Suites:
#   regress, isolation, tap   the single-node suites of `make test`, the whole
#                             cluster under valgrind (REGRESS_TESTS="a b"
#                             runs only those regress tests, in that order)
#   citus                     `make citus-test` (needs Citus installed) with
#                             the coordinator under valgrind, the workers
#                             not; test/citus/run.sh stops before the race
#                             (CITUS_STOP_BEFORE=race) with CITUS_CUSTOMERS=200
#                             unless set: the planner hook, the write
#                             refusal, every view, refresh, the credit checks
# Default: regress citus.
#
# VALGRIND_SUPP must name PostgreSQL's suppressions, src/tools/valgrind.supp
# of its source (REL_15_STABLE; not shipped here); scripts/memcheck.supp
# adds ours.  valgrind runs with --trace-children=yes, no leak check (a
# backend's memory is its memory contexts', freed at exit), origins tracked.
# It does not see inside PostgreSQL's memory contexts (chunks of one malloc'd
# block; Debian's server is not built with USE_VALGRIND): a read of a
# pfree'd chunk still inside its block goes unseen.
#
# The logs are kept in a directory printed at the end, with every report
# (between VALGRINDERROR-BEGIN/END markers), those with customer_class.so in
# their stack first; the last line reads "memcheck: N reports in
# customer_class, N elsewhere".  Exit status 1 when there is a report or a suite
# failed.  The extension is installed built with -g -O1 for the run (under
# the test lock, held throughout) and rebuilt and reinstalled plain after.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(regress citus)
command -v valgrind >/dev/null || die "valgrind is missing: apt-get install valgrind"
[ -n "${VALGRIND_SUPP:-}" ] && [ -f "$VALGRIND_SUPP" ] \
	|| die "set VALGRIND_SUPP to PostgreSQL's src/tools/valgrind.supp (its source, REL_15_STABLE)"
VALGRIND_SUPP=$(realpath "$VALGRIND_SUPP")

OUT=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_memcheck.XXXXXX")
chmod 777 "$OUT"	# the servers run as postgres and write their logs here
BIN=$OUT/bin	# the server binaries, postgres wrapped
mkdir -p "$BIN"

exec 9>"${TMPDIR:-/tmp}/customer_class.test.lock"
say "waiting for the test lock"
flock 9

# the plain build back in place, whatever happens
restore() {
	local rc=$?
	say "rebuilding and reinstalling customer_class plain"
	rm -f src/*.o ./*.so
	make -s WERROR=1 PG_CONFIG="$PG_CONFIG" >/dev/null && make -s install PG_CONFIG="$PG_CONFIG" >/dev/null \
		|| echo "memcheck: could not reinstall the plain build: run make install" >&2
	rm -rf "$BIN"
	exit $rc
}
trap restore EXIT
trap 'exit 130' INT TERM

say "building customer_class with -g -O1 (line numbers in the reports)"
rm -f src/*.o ./*.so
make -s WERROR=1 PG_CONFIG="$PG_CONFIG" COPT="-g -O1 -fno-omit-frame-pointer" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || die "make install failed (run as root)"
# pg_ctl starts the postgres of its own directory: a copy of pg_ctl next to
# a wrapper; the rest linked (they resolve the link and find the real share
# directory; initdb runs the real postgres for its bootstrap)
for f in "$PG_BINDIR"/*; do ln -s "$f" "$BIN/"; done
rm "$BIN/postgres" "$BIN/pg_ctl"
cp "$PG_BINDIR/pg_ctl" "$BIN/pg_ctl"
cat >"$BIN/postgres" <<WRAPPER
#!/bin/sh
# pg_ctl checks the version first: that one without valgrind
case "\$1" in -V | --version) exec "$PG_BINDIR/postgres" "\$@" ;; esac
# valgrind's own temporary files: somewhere the server's user may write
export TMPDIR="$OUT"
exec valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes \\
	--read-var-info=yes --num-callers=30 --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \\
	--suppressions="$VALGRIND_SUPP" --suppressions="$SRCDIR/scripts/memcheck.supp" \\
	--log-file="$OUT/valgrind.%p.log" ${VALGRIND_OPTS:-} "$PG_BINDIR/postgres" "\$@"
WRAPPER
chmod 755 "$BIN/postgres" "$BIN"
# a server under valgrind starts slowly
export PG_START_TIMEOUT=600

status=0
for suite in "${suites[@]}"; do
	say "memcheck: $suite"
	case $suite in
	regress | isolation | tap)
		# the whole cluster under valgrind: PG_BINDIR is the wrapper's
		if [ "$suite" = regress ] && [ -n "${REGRESS_TESTS:-}" ]; then
			# shellcheck disable=SC2016
			PG_BINDIR=$BIN PG_CONFIG=$PG_CONFIG scripts/with-cluster.sh bash -c \
				'"$1/src/test/regress/pg_regress" --inputdir=. --bindir="$2" --load-extension=customer_class $3' \
				_ "$(pgxs_dir)" "$PG_BINDIR" "$REGRESS_TESTS" || status=1
		else
			PG_BINDIR=$BIN PG_CONFIG=$PG_CONFIG scripts/with-cluster.sh scripts/run-suites.sh "$suite" || status=1
		fi
		;;
	citus)
		# citus-test.sh builds and installs again: make finds nothing to do
		# (our objects are newer); the lock is ours already
		CITUS_TEST_LOCKED=1 CITUS_COORD_BINDIR=$BIN CITUS_STOP_BEFORE=${CITUS_STOP_BEFORE-race} \
			CITUS_CUSTOMERS=${CITUS_CUSTOMERS:-200} scripts/citus-test.sh || status=1
		;;
	*) die "unknown suite $suite" ;;
	esac
done

# Every report, first those with customer_class.so in their stack (ours to
# fix), then the others (PostgreSQL's or Citus's: read them; a harmless one
# goes to scripts/memcheck.supp with its reason)
cat "$OUT"/valgrind.*.log 2>/dev/null | awk -v ours="$OUT/ours.txt" -v others="$OUT/others.txt" '
	/VALGRINDERROR-BEGIN/ { block = ""; inblock = 1 }
	inblock { block = block $0 "\n" }
	/VALGRINDERROR-END/ { inblock = 0; if (block ~ /customer_class\.so/) { printf "%s", block > ours; n1++ } else { printf "%s", block > others; n2++ } }
	END { print n1 + 0, n2 + 0 > "/dev/stderr" }' 2>"$OUT/counts.txt"
read -r n_ours n_others <"$OUT/counts.txt"
[ -f "$OUT/ours.txt" ] && { echo "--- reports in customer_class's code"; cat "$OUT/ours.txt"; }
[ -f "$OUT/others.txt" ] && { echo "--- reports elsewhere (first 200 lines; all in $OUT/others.txt)"; head -n 200 "$OUT/others.txt"; }
echo "logs kept in $OUT ($(find "$OUT" -maxdepth 1 -name 'valgrind.*.log' | wc -l) processes)"
echo "memcheck: $n_ours reports in customer_class, $n_others elsewhere"
[ "$n_ours" -eq 0 ] && [ "$n_others" -eq 0 ] && [ $status -eq 0 ]
