#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis on loopback for the test suite.
#
#   scripts/test-services.sh CMD [ARGS...]  start both, run CMD with TEST_DATABASE_URL and
#                                           TEST_REDIS_URL exported, stop both, exit with CMD's status
#   . scripts/test-services.sh              (sourced) start both, export the URLs, stop on shell exit
#   scripts/test-services.sh                start both, print the exports, wait until interrupted
#
# A variable already set is used as is and its server is not started. Missing server packages
# are installed with apt-get when running as root; as root the PostgreSQL server runs as the
# postgres user. Ports: TEST_PG_PORT (55432) and TEST_REDIS_PORT (56379), or the next free ones.
# If a server cannot be had the run goes on without it (its tests skip loudly), except under
# CI=true, where that is an error. The data lives in a temporary directory, with fsync off:
# test data only; benchmarks that compare durability must start their own server.

tsvc_log() { echo "test-services: $*" >&2; }

tsvc_as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# tsvc_port_free PORT: true when nothing listens on 127.0.0.1:PORT.
tsvc_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# tsvc_pick_port START: the first free port from START on.
tsvc_pick_port() {
	local p=$1
	while ! tsvc_port_free "$p"; do
		p=$((p + 1))
		[ "$p" -gt $(($1 + 100)) ] && return 1
	done
	echo "$p"
}

tsvc_pgbin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
	command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

# tsvc_install: install the missing server packages when allowed.
tsvc_install() {
	local need=()
	[ -n "${TEST_DATABASE_URL:-}" ] || tsvc_pgbin >/dev/null || need+=(postgresql)
	[ -n "${TEST_REDIS_URL:-}" ] || command -v redis-server >/dev/null || need+=(redis-server)
	[ ${#need[@]} -eq 0 ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		tsvc_log "installing ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	else
		tsvc_log "missing ${need[*]}: install them with your package manager"
		return 1
	fi
}

tsvc_start_pg() {
	local bin port
	bin=$(tsvc_pgbin) || { tsvc_log "PostgreSQL server binaries not found"; return 1; }
	port=$(tsvc_pick_port "${TEST_PG_PORT:-55432}") || { tsvc_log "no free port for PostgreSQL"; return 1; }
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
		mkdir -p "$TSVC_DIR/pg" && chown postgres:postgres "$TSVC_DIR" "$TSVC_DIR/pg"
	fi
	tsvc_as_pg "$bin/initdb" -D "$TSVC_DIR/pg" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$TSVC_DIR/initdb.log" 2>&1 ||
		{ tsvc_log "initdb failed:"; cat "$TSVC_DIR/initdb.log" >&2; return 1; }
	tsvc_as_pg "$bin/pg_ctl" -D "$TSVC_DIR/pg" -l "$TSVC_DIR/pg.log" -w -t 60 start -o "-p $port -k $TSVC_DIR \
		-c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off \
		-c synchronous_commit=off" >/dev/null ||
		{ tsvc_log "PostgreSQL did not start:"; cat "$TSVC_DIR/pg.log" >&2; return 1; }
	TSVC_PGBIN=$bin
	export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	tsvc_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

tsvc_start_redis() {
	local port
	command -v redis-server >/dev/null || { tsvc_log "redis-server not found"; return 1; }
	port=$(tsvc_pick_port "${TEST_REDIS_PORT:-56379}") || { tsvc_log "no free port for Redis"; return 1; }
	redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
		--dir "$TSVC_DIR" --pidfile "$TSVC_DIR/redis.pid" --logfile "$TSVC_DIR/redis.log" >/dev/null ||
		{ tsvc_log "Redis did not start"; return 1; }
	local i
	for i in $(seq 100); do
		! tsvc_port_free "$port" && break
		sleep 0.1
	done
	tsvc_port_free "$port" && { tsvc_log "Redis did not answer:"; cat "$TSVC_DIR/redis.log" >&2; return 1; }
	export TEST_REDIS_URL="redis://127.0.0.1:$port/0"
	tsvc_log "Redis on 127.0.0.1:$port"
}

tsvc_stop() {
	[ -n "${TSVC_SLEEP:-}" ] && kill "$TSVC_SLEEP" 2>/dev/null
	if [ -n "${TSVC_PGBIN:-}" ]; then
		tsvc_as_pg "$TSVC_PGBIN/pg_ctl" -D "$TSVC_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
	fi
	if [ -f "${TSVC_DIR:-}/redis.pid" ]; then
		kill "$(cat "$TSVC_DIR/redis.pid")" 2>/dev/null || true
	fi
	[ -n "${TSVC_DIR:-}" ] && rm -rf "$TSVC_DIR"
	TSVC_DIR= TSVC_PGBIN=
}

# tsvc_fail WHAT: under CI a missing server is an error; elsewhere tests skip.
tsvc_fail() {
	if [ "${CI:-}" = true ]; then
		tsvc_log "$1 unavailable and CI=true: failing"
		return 1
	fi
	tsvc_log "WARNING: $1 unavailable: its tests will be SKIPPED"
}

tsvc_start() {
	TSVC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/loyaltyd-svc.XXXXXX") || return 1
	tsvc_install || tsvc_fail "server packages" || return 1
	if [ -z "${TEST_DATABASE_URL:-}" ]; then tsvc_start_pg || tsvc_fail PostgreSQL || return 1; fi
	if [ -z "${TEST_REDIS_URL:-}" ]; then tsvc_start_redis || tsvc_fail Redis || return 1; fi
	return 0
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	# Sourced: leave the servers running until the sourcing shell exits.
	tsvc_start || { tsvc_stop; return 1; }
	trap tsvc_stop EXIT
	return 0
fi

set -euo pipefail
trap tsvc_stop EXIT
trap 'exit 130' INT TERM
tsvc_start || exit 1
if [ $# -gt 0 ]; then
	set +e
	"$@"
	status=$?
	set -e
	exit "$status"
fi
echo "export TEST_DATABASE_URL='${TEST_DATABASE_URL:-}'"
echo "export TEST_REDIS_URL='${TEST_REDIS_URL:-}'"
tsvc_log "running; press Ctrl-C to stop"
sleep infinity &
TSVC_SLEEP=$!
wait "$TSVC_SLEEP"
