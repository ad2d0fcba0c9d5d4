#!/usr/bin/env bash
# bench-run.sh: the part of bench.sh that runs inside the cluster.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

runs=${BENCH_RUNS:-3}
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

if [ -z "${BENCH_REUSE:-}" ]; then
	psql_q -c "CREATE EXTENSION customer_class" -c "CREATE EXTENSION intarray"
	say "loading sample data: $BENCH_CUSTOMERS customers"
	start=$(date +%s)
	psql_q -v customers="$BENCH_CUSTOMERS" -v fast=1 -f test/data/generate.sql >/dev/null
else
	start=$(date +%s)
	say "reusing the loaded cluster at $PGHOST"
fi
psql -X -At -F ' ' -c "SELECT 'loaded in $(( $(date +%s) - start )) s:',
	(SELECT count(*) FROM customer_class.customer) || ' customers,',
	(SELECT count(*) FROM customer_class.invoice) || ' invoices,',
	(SELECT count(*) FROM customer_class.payment) || ' payments,',
	(SELECT count(*) FROM customer_class.sales_order) || ' orders'" >&2
[ -n "${BENCH_REUSE:-}" ] || psql_q -c "VACUUM (ANALYZE, FREEZE)" -c CHECKPOINT

# section FILE NAME: the lines after "-- @NAME" up to the next "-- @" line
section() { awk -v want="-- @$2" '/^-- @(runs|rounds|cold_of) / { next } /^-- @/ { on = ($0 == want); next } on' "$1"; }

# statements FILE NAME: the statements of a section, one per line
statements() {
	section "$1" "$2" | awk '/^[ \t]*(--.*)?$/ { next }
		{ q = q (q == "" ? "" : " ") $0 } /;[ \t]*$/ { print q; q = "" }'
}

# time_ms SQL: run it once in a new session, print the summed statement times
time_ms() {
	{ echo '\timing on'; echo '\o /dev/null'; cat; } |
		psql -X -q -v ON_ERROR_STOP=1 -f - |
		awk '/^Time: / { t += $2 } END { printf "%.1f\n", t }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# interleaved_ms FILE ROUNDS: a case of short statements ("-- @rounds N"),
# timed in one session.  The session runs the "-- @session" lines, every
# statement of both sides once untimed (their first use in a session:
# library loads, catalog and statistics lookups, which a new connection pays
# once), then ROUNDS rounds in which statement k of ours and statement k of
# the baseline run back to back, the first of the two alternating by round,
# so that both see the same machine.  Prints "OURS BASELINE": per side the
# sum over its statements of each statement's median time.
interleaved_ms() {
	local f=$1 rounds=$2 tmp r k side sum m
	local -a o b
	mapfile -t o < <(statements "$f" ours)
	mapfile -t b < <(statements "$f" baseline)
	[ ${#o[@]} -gt 0 ] && [ ${#o[@]} -eq ${#b[@]} ] ||
		die "$f: ours has ${#o[@]} statements, the baseline ${#b[@]}: a @rounds case needs pairs"
	tmp=$(mktemp)
	{
		section "$f" session
		echo '\o /dev/null'
		printf '%s\n' "${o[@]}" "${b[@]}"
		echo '\timing on'
		for ((r = 0; r < rounds; r++)); do
			for ((k = 0; k < ${#o[@]}; k++)); do
				if ((r % 2)); then
					printf '%s\n%s\n' "${o[k]}" "${b[k]}"
				else
					printf '%s\n%s\n' "${b[k]}" "${o[k]}"
				fi
			done
		done
	} | psql -X -q -v ON_ERROR_STOP=1 -f - |
		awk -v n=${#o[@]} '/^Time: / { i = c++; r = int(i / (2 * n)); k = int(i / 2) % n
			ours = ((i % 2 == 0) == (r % 2 == 1)); print (ours ? "ours" : "baseline"), k, $2 }' >"$tmp"
	if [ "$(wc -l <"$tmp")" -ne $((2 * ${#o[@]} * rounds)) ]; then
		rm -f "$tmp"
		die "$f: the interleaved session failed"
	fi
	for side in ours baseline; do
		sum=0
		for ((k = 0; k < ${#o[@]}; k++)); do
			m=$(awk -v s=$side -v k=$k '$1 == s && $2 == k { print $3 }' "$tmp" | median)
			sum=$(awk -v a="$sum" -v b="$m" 'BEGIN { printf "%.3f", a + b }')
		done
		printf '%s ' "$sum"
	done
	echo
	rm -f "$tmp"
}

echo "ratio = baseline / ours (above 1: ours is faster); median of $runs runs"
# cold_case FILE: a "-- @cold_of NAME" case times the statements of case
# NAME as the first queries of new connections: per run and side one new
# session, its "-- @session" lines and then its statements, all timed
cold_case() {
	local of=test/bench/cases/$1.sql
	echo '-- @setup'; section "$of" setup
	echo '-- @ours'; section "$of" session; section "$of" ours
	echo '-- @baseline'; section "$of" session; section "$of" baseline
}

for c in $BENCH_CASES; do
	f=test/bench/cases/$c.sql
	casefile=$f
	of=$(sed -n 's/^-- @cold_of \([a-z_0-9]*\)$/\1/p' "$f")
	if [ -n "$of" ]; then
		[ -f "test/bench/cases/$of.sql" ] || die "$c: no case $of"
		f=$(mktemp)
		cold_case "$of" >"$f"
	fi
	section "$f" setup | psql_q -f - >/dev/null
	rounds=$(sed -n 's/^-- @rounds \([0-9]*\)$/\1/p' "$f")
	if [ -n "$rounds" ]; then
		read -r o b < <(interleaved_ms "$f" "$rounds")
		[ -n "$o" ] || die "$c: no timings"
		echo "($c: one session, $rounds interleaved rounds)"
	else
		# a case may ask for fewer runs ("-- @runs 1") when one run takes minutes
		n=$(sed -n 's/^-- @runs \([0-9]*\)$/\1/p' "$casefile")
		n=${n:-$runs}
		ours=() base=()
		for ((i = 0; i < n; i++)); do
			ours+=("$(section "$f" ours | time_ms)")
			base+=("$(section "$f" baseline | time_ms)")
		done
		o=$(printf '%s\n' "${ours[@]}" | median)
		[ "$n" = "$runs" ] || echo "($c: $n runs)"
		b=$(printf '%s\n' "${base[@]}" | median)
	fi
	awk -v c="$c" -v o="$o" -v b="$b" \
		'BEGIN { printf "%s: ours %.1f ms, baseline %.1f ms, ratio %.2f\n", c, o, b, (o > 0 ? b / o : 0) }'
	section "$f" teardown | psql -X -q -At -v ON_ERROR_STOP=1 -f - | sed "s/^/  $c: /"
	[ "$f" = "$casefile" ] || rm -f "$f"
done
