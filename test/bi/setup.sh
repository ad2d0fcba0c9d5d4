#!/usr/bin/env bash
# test/bi/setup.sh: the BI clients test/t/050_bi_clients.pl reads the views
# with, from Debian.
#
#   setup.sh packages   install what is missing (root): a JDK (javac;
#                       default-jdk-headless, or openjdk-17-jdk-headless when
#                       the default one cannot be installed), pgjdbc
#                       (libpostgresql-jdbc-java) and psycopg2
#                       (python3-psycopg2, for Debian's /usr/bin/python3).
#                       Exit 0 when present or installed, 3 when apt cannot.
#   setup.sh check      exit 0 when everything is there, else 3 and say what
#                       is missing
#
# Other sessions may hold the dpkg lock (another engineer's or a test's
# apt-get): apt waits for it rather than failing at once.
set -euo pipefail
JAR=/usr/share/java/postgresql.jar
PY=/usr/bin/python3

say() { printf '==> bi clients: %s\n' "$*" >&2; }

missing() {
	local m=()
	command -v javac >/dev/null 2>&1 || m+=(jdk)
	[ -r "$JAR" ] || m+=(libpostgresql-jdbc-java)
	"$PY" -c 'import psycopg2' >/dev/null 2>&1 || m+=(python3-psycopg2)
	echo "${m[*]:-}"
}

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends)
	"${apt[@]}" "$@" >/dev/null 2>&1 ||
		{ apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 && "${apt[@]}" "$@" >/dev/null 2>&1; }
}

packages() {
	local need pkgs=() p
	need=$(missing)
	[ -z "$need" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		say "missing (install as root: test/bi/setup.sh packages): $need"
		return 3
	fi
	for p in $need; do
		case $p in
		jdk) ;;
		*) pkgs+=("$p") ;;
		esac
	done
	say "installing $need"
	if [ ${#pkgs[@]} -gt 0 ] && ! apt_install "${pkgs[@]}"; then
		say "apt-get could not install ${pkgs[*]}"
		return 3
	fi
	case " $need " in
	*" jdk "*)
		apt_install default-jdk-headless || apt_install openjdk-17-jdk-headless || {
			say "apt-get could not install a JDK (default-jdk-headless or openjdk-17-jdk-headless)"
			return 3
		} ;;
	esac
	need=$(missing)
	[ -z "$need" ] || { say "still missing after apt-get: $need"; return 3; }
}

check() {
	local need
	need=$(missing)
	[ -z "$need" ] && return 0
	say "missing: $need"
	return 3
}

case ${1:-} in
packages) packages ;;
check) check ;;
*) echo "usage: $0 packages|check" >&2; exit 2 ;;
esac
