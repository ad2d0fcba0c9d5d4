#!/usr/bin/env bash
# test/erp/tryton/setup.sh: a Tryton 6.0 ERP database to bind customer_class to.
#
#   setup.sh packages        install Tryton from Debian when it is missing (root;
#                            exit 0 when present or installed, 3 when apt cannot
#                            install it)
#   setup.sh database DIR    against the server that PGHOST/PGPORT/PGUSER name (a
#                            throwaway one: scripts/with-cluster.sh, or the TAP
#                            test's node), create the database $TRYTON_DB (erp),
#                            write DIR/trytond.conf, initialise Tryton, activate
#                            the modules and generate the data (gen_data.py)
#
# (python3-psycopg2 is only recommended by tryton-server: without it Tryton
# cannot reach PostgreSQL.)
# Everything Tryton writes (its configuration, its filestore) goes to DIR; the
# Python scripts read DIR/trytond.conf through TRYTON_CONF.  Tryton reaches the
# server on its unix socket only.  Debian's interpreter (/usr/bin/python3): an
# interpreter earlier on PATH may not import the Debian packages.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
MODULES="party company currency account account_invoice sale stock
	account_credit_limit sale_credit_limit account_dunning account_payment"
PACKAGES="tryton-server tryton-proteus python3-psycopg2 tryton-modules-sale tryton-modules-stock
	tryton-modules-account-invoice tryton-modules-account-credit-limit
	tryton-modules-sale-credit-limit tryton-modules-account-dunning
	tryton-modules-account-payment"

say() { printf '==> tryton: %s\n' "$*" >&2; }

packages() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		say "missing Debian packages (install as root): ${missing[*]}"
		return 3
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; }; then
		say "apt-get could not install ${missing[*]}"
		return 3
	fi
}

database() {
	local dir=$1 db=${TRYTON_DB:-erp}
	: "${PGHOST:?set PGHOST to the socket directory of the server}" "${PGPORT:=5432}" "${PGUSER:=postgres}"
	mkdir -p "$dir/filestore"
	# the socket directory and port go in the query string: Tryton keeps it
	# when it puts the database name in the path
	cat >"$dir/trytond.conf" <<CONF
[database]
uri = postgresql://$PGUSER@/?host=$PGHOST&port=$PGPORT
path = $dir/filestore
CONF
	export TRYTON_CONF="$dir/trytond.conf" TRYTONPASSFILE="$dir/adminpass" PYTHONDONTWRITEBYTECODE=1
	echo admin >"$TRYTONPASSFILE"
	chmod 600 "$TRYTONPASSFILE"
	psql -X -q -d postgres -c "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0"
	local t0=$SECONDS
	trytond-admin -c "$TRYTON_CONF" -d "$db" --all --email admin@example.com >"$dir/admin.log" 2>&1 \
		|| { tail -n 30 "$dir/admin.log" >&2; return 1; }
	# shellcheck disable=SC2086
	trytond-admin -c "$TRYTON_CONF" -d "$db" -u $MODULES --activate-dependencies >>"$dir/admin.log" 2>&1 \
		|| { tail -n 30 "$dir/admin.log" >&2; return 1; }
	say "database $db initialised, modules activated ($((SECONDS - t0)) s)"
	t0=$SECONDS
	DB_NAME=$db $PY -W ignore "$HERE/gen_data.py" "$db" >"$dir/gen_data.log" 2>&1 \
		|| { tail -n 30 "$dir/gen_data.log" >&2; return 1; }
	say "data generated ($((SECONDS - t0)) s)"
}

case ${1:-} in
packages) packages ;;
database) [ $# -eq 2 ] || { echo "usage: $0 database DIR" >&2; exit 2; }; database "$2" ;;
*) echo "usage: $0 packages | database DIR" >&2; exit 2 ;;
esac
