#!/usr/bin/env bash
# Runs every Flywheel test, against both SQLite and PostgreSQL.
# Installs PostgreSQL from Debian's packages if it is missing, starts it on 127.0.0.1:5432 if it is not
# running, and stops again whatever it started. Prints "N passed, N failed" at the end.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf '[test.sh] %s\n' "$*" >&2; }

started_cluster=""
smtp_pid=""
cleanup() {
  if [ -n "$smtp_pid" ]; then kill "$smtp_pid" 2>/dev/null || true; fi
  if [ -n "$started_cluster" ]; then
    log "stopping PostgreSQL $started_cluster (started by this script)"
    as_root pg_ctlcluster $started_cluster stop || true
  fi
}
trap cleanup EXIT

# --- PostgreSQL -------------------------------------------------------------------------------------
# Timeout: seconds to open a connection. The concurrency tests open 64 at once; on a loaded 2-core machine 5 s was not always enough.
PG_URL="${FLYWHEEL_TEST_PG:-Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Timeout=15}"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing PostgreSQL (Debian package)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$" || as_root pg_createcluster "$version" main >/dev/null
  log "starting PostgreSQL $version main"
  as_root pg_ctlcluster "$version" main start
  started_cluster="$version main"
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
fi
if [ -z "${FLYWHEEL_TEST_PG:-}" ] && ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  # A fresh Debian cluster has no password for postgres; the tests log in with postgres/postgres over TCP.
  log "setting the postgres user's password for loopback logins"
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres';\""
fi
if [ -z "${FLYWHEEL_TEST_PG:-}" ]; then
  # The coupon concurrency tests hold 64 connections while other test classes run beside them; Debian's default of
  # 100 connections then refuses some ("too many clients"). Raise it once on the local test cluster.
  current=$(PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SHOW max_connections' 2>/dev/null || echo 0)
  if [ "${current:-0}" -lt 300 ]; then
    log "raising PostgreSQL max_connections from ${current:-?} to 300"
    PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER SYSTEM SET max_connections = 300" >/dev/null
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_ctlcluster "$version" main restart
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
  fi
fi
export FLYWHEEL_TEST_PG="$PG_URL"

# --- SMTP --------------------------------------------------------------------------------------------
# A real SMTP server on loopback (Debian's aiosmtpd) that stores every message it accepts in a Maildir; the email
# channel tests send to it and read what arrived.
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  log "installing aiosmtpd (Debian package python3-aiosmtpd)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-aiosmtpd >/dev/null
fi
SMTP_PORT="${FLYWHEEL_TEST_SMTP_PORT:-2525}"
MAILDIR="${TMPDIR:-/tmp}/flywheel-test-maildir"
rm -rf "$MAILDIR"; mkdir -p "$MAILDIR/cur" "$MAILDIR/new" "$MAILDIR/tmp"
/usr/bin/python3 -m aiosmtpd -n -u -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" >/dev/null 2>&1 &
smtp_pid=$!
for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break; sleep 0.25; done
log "SMTP server (aiosmtpd) on 127.0.0.1:$SMTP_PORT, Maildir $MAILDIR"
export FLYWHEEL_TEST_SMTP="127.0.0.1:$SMTP_PORT" FLYWHEEL_TEST_MAILDIR="$MAILDIR"

# --- Chromium ---------------------------------------------------------------------------------------------
# The console's browser tests (tests/Flywheel.Server.Tests/Console) drive Debian's Chromium headless through Playwright
# (`playwright install` cannot download browsers here); a CJK font so the Chinese pages' screenshots show their text.
# (The font list is read whole first: under pipefail, `fc-list | grep -q` fails when grep stops early and fc-list gets SIGPIPE.)
fonts=$(fc-list 2>/dev/null || true)
if [ ! -x /usr/bin/chromium ] || ! grep -qi 'Noto Sans CJK' <<<"$fonts"; then
  log "installing Chromium and a CJK font (Debian packages chromium, fonts-noto-cjk)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
export FLYWHEEL_TEST_CHROMIUM=/usr/bin/chromium

# --- Node.js ----------------------------------------------------------------------------------------------
# The console's charts (ECharts from the npm registry, pinned in src/Flywheel.Web/charts/package-lock.json) are bundled by the
# build with npm and esbuild; without Node.js the console builds without charts and its chart tests fail, so install it.
if ! command -v npm >/dev/null 2>&1; then
  log "installing Node.js and npm (Debian packages nodejs, npm) for the console's chart bundle"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
fi

# Each store test makes its own database (fw_test_*) or SQLite folder; clear those left by earlier runs.
PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'fw\_test\_%'" 2>/dev/null |
  while read -r db; do [ -n "$db" ] && PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1; done || true
rm -rf "${TMPDIR:-/tmp}/flywheel-tests"

# --- Tests ------------------------------------------------------------------------------------------
results=$(mktemp -d)
set +e
dotnet test Flywheel.slnx -c Release --logger "trx" --results-directory "$results" 2>&1 | tee "$results/output.txt"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects, counted from their TRX reports.
cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); v = kv[2]; sub(/".*/, "", v)
      if (kv[1] == "passed") p += v; else if (kv[1] == "failed") f += v; else if (kv[1] == "notExecuted") s += v } }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
rm -rf "$results"
exit "$status"
