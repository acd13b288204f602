#!/usr/bin/env bash
# Make PostgreSQL, Redis and RabbitMQ answer on their loopback ports for the production profile and
# its tests: use them when running, start them when installed but stopped, install them from Debian's
# packages when missing. Then create the project's PostgreSQL role and database. Fails loudly.
# Usage: ops/services.sh            (idempotent; `make services`)
set -euo pipefail
cd "$(dirname "$0")/.."

# DB_PORT, DB_USER, DB_PASSWORD, DB_NAME, REDIS_PORT, RABBITMQ_PORT, ...: the environment's or their defaults,
# from launch/settings.py (their one owner; standard library only, so any Python 3 runs it)
python=.venv/bin/python
[ -x "$python" ] || python=python3
settings=$("$python" -m launch.settings --shell) || { echo "!! services: could not read launch/settings.py" >&2; exit 1; }
eval "$settings"
PG_PORT=$DB_PORT

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

say() { echo ">> services: $*"; }
die() { echo "!! services: $*" >&2; exit 1; }

answers() { # host port: true when something accepts TCP connections there
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_for() { # name port seconds
  local deadline=$((SECONDS + $3))
  until answers 127.0.0.1 "$2"; do
    [ $SECONDS -lt $deadline ] || die "$1 does not answer on 127.0.0.1:$2 after $3 s"
    sleep 1
  done
}

install() { # debian packages
  say "installing $* from Debian's packages"
  $sudo apt-get install -y -q "$@" || { $sudo apt-get update -q && $sudo apt-get install -y -q "$@"; } \
    || die "could not install $*"
}

as_postgres() { # run a command as the postgres system user
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

ensure_postgresql() {
  if ! answers 127.0.0.1 "$PG_PORT"; then
    command -v pg_ctlcluster >/dev/null || install postgresql
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    [ -n "$version" ] || die "PostgreSQL is installed but has no cluster under /etc/postgresql"
    say "starting PostgreSQL $version"
    $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || die "PostgreSQL did not start"
    wait_for PostgreSQL "$PG_PORT" 60
  fi
  # the project's role (may create the tests' databases) and database, created once
  as_postgres psql -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres <<SQL || die "could not create role/database $DB_USER/$DB_NAME"
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$DB_USER', '$DB_PASSWORD')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
  PGPASSWORD=$DB_PASSWORD psql -q -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -tAc 'SELECT 1' >/dev/null \
    || die "PostgreSQL refuses $DB_USER@127.0.0.1:$PG_PORT/$DB_NAME"
  say "PostgreSQL on 127.0.0.1:$PG_PORT, database $DB_NAME, role $DB_USER"
}

ensure_redis() {
  if ! answers 127.0.0.1 "$REDIS_PORT"; then
    command -v redis-server >/dev/null || install redis-server
    say "starting Redis"
    $sudo mkdir -p /var/lib/redis /var/log/redis
    $sudo redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || die "Redis did not start"
    wait_for Redis "$REDIS_PORT" 30
  fi
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping)" = PONG ] || die "Redis on 127.0.0.1:$REDIS_PORT does not answer PING"
  say "Redis on 127.0.0.1:$REDIS_PORT"
}

ensure_rabbitmq() {
  if ! answers 127.0.0.1 "$RABBITMQ_PORT"; then
    command -v rabbitmq-server >/dev/null || install rabbitmq-server
    say "starting RabbitMQ (takes a few seconds)"
    $sudo rabbitmq-server -detached || die "RabbitMQ did not start"
    wait_for RabbitMQ "$RABBITMQ_PORT" 120
  fi
  say "RabbitMQ on 127.0.0.1:$RABBITMQ_PORT"
}

ensure_postgresql
ensure_redis
ensure_rabbitmq
