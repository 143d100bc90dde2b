#!/usr/bin/env bash
# The migrations part of `make demo`: the example's unsafe migration next to its fix,
# both linted, then both dry-run on a throwaway PostgreSQL when one can be started here.
#
#   demo-migrations.sh EXAMPLE_DIR OUT_DIR
#
# EXAMPLE_DIR holds db/migrations/0002_plans.sql (unsafe) and fixes/0002_plans.sql (its
# fix). Needs `launchready` on PATH. The dry run needs PostgreSQL's server binaries
# (Debian: apt-get install postgresql); without them it says so and skips. Never fails the
# demo: findings are what it is here to show.
set -uo pipefail

example="${1:?example directory}"
out="${2:?output directory}"
unsafe="$example/db/migrations/0002_plans.sql"
fixed="$example/fixes/0002_plans.sql"
work="$(mktemp -d "${TMPDIR:-/tmp}/launchready-demo.XXXXXX")"
pg_pid=""

# shellcheck disable=SC2329 # invoked by the EXIT trap below
cleanup() {
  if [[ -n "$pg_pid" ]]; then
    as_postgres "$pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1
  fi
  rm -rf -- "$work"
}
trap cleanup EXIT

as_postgres() { # initdb and postgres refuse to run as root
  if [[ $EUID -eq 0 ]] && command -v runuser >/dev/null; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

heading() { printf '\n=== %s\n\n' "$1"; }

# Two copies of the example's migrations: as committed, and with the fix in place.
mkdir -p "$work/unsafe" "$work/fixed"
cp -R "$example/db" "$example/launchready.yml" "$work/unsafe/"
cp -R "$example/db" "$example/launchready.yml" "$work/fixed/"
cp "$fixed" "$work/fixed/db/migrations/0002_plans.sql"

heading "Migrations: $unsafe and its fix ($fixed)"
diff -u --label "0002_plans.sql (committed)" --label "0002_plans.sql (fixed)" "$unsafe" "$fixed"

heading "Lint, as committed"
launchready migrations check --root "$work/unsafe" --fail-on never --no-summary
heading "Lint, fixed"
launchready migrations check --root "$work/fixed" --fail-on never --no-summary \
  --markdown "$out/migrations-fixed.md"

bindir="$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)"
initdb="$(command -v "${bindir:+$bindir/}initdb" 2>/dev/null || true)"
pg_ctl="$(command -v "${bindir:+$bindir/}pg_ctl" 2>/dev/null || true)"
if [[ -z "$initdb" || -z "$pg_ctl" ]] || { [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; }; then
  heading "Dry run: skipped (no PostgreSQL server here; apt-get install postgresql to see it)"
  exit 0
fi

mkdir -p "$work/pg"
if [[ $EUID -eq 0 ]]; then
  chmod 755 "$work" # mktemp makes it 700: closed to the postgres user
  chown postgres "$work/pg"
fi
if ! as_postgres "$initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null 2>&1 ||
  ! as_postgres "$pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-k $work/pg -c listen_addresses='' -c fsync=off" start >/dev/null 2>&1; then
  heading "Dry run: skipped (could not start a throwaway PostgreSQL)"
  exit 0
fi
pg_pid=started
for name in unsafe fixed; do
  as_postgres "$bindir/psql" -q -h "$work/pg" -U postgres -d postgres \
    -c "CREATE DATABASE demo_$name" >/dev/null
done

heading "Dry run on PostgreSQL, as committed (members seeded with 10,000 rows)"
LAUNCHREADY_DATABASE_URL="postgresql://postgres@/demo_unsafe?host=$work/pg" \
  launchready migrations dry-run --root "$work/unsafe" --seed-rows 10000 \
  --fail-on never --no-summary
heading "Dry run on PostgreSQL, fixed"
LAUNCHREADY_DATABASE_URL="postgresql://postgres@/demo_fixed?host=$work/pg" \
  launchready migrations dry-run --root "$work/fixed" --seed-rows 10000 \
  --fail-on never --no-summary
exit 0
