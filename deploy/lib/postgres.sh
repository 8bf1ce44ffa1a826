# shellcheck shell=bash
# Makes a PostgreSQL server available and exports DATABASE_URL (its maintenance database).
#
# Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) when it answers.
# Otherwise runs a private cluster under the repo's ignored .data/ folder on APQ_PG_PORT
# (default 55432), installing Debian's postgresql first if the server binaries are missing.

apq_log() { printf '\033[1;34m[apq]\033[0m %s\n' "$*" >&2; }

apq_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apq_pg_answers() {
  command -v psql >/dev/null 2>&1 && psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
}

apq_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

apq_install_postgres() {
  if [ -n "$(apq_pg_bin)" ] && [ -x "$(apq_pg_bin)/initdb" ] && command -v psql >/dev/null 2>&1; then
    return 0
  fi
  apq_log "installing Debian's postgresql (server binaries are missing)"
  apq_as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apq_as_root apt-get install -y -qq postgresql postgresql-client >/dev/null
}

# Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root).
apq_pg_tool() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apq_ensure_postgres() {
  local repo="$1"
  local url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if apq_pg_answers "$url"; then
    export DATABASE_URL="$url"
    apq_log "PostgreSQL answers at $url"
    return 0
  fi
  apq_install_postgres
  local bin port data
  bin="$(apq_pg_bin)"
  port="${APQ_PG_PORT:-55432}"
  data="$repo/.data/pg"
  mkdir -p "$repo/.data"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$repo/.data"; then
    # The postgres user cannot reach the repo (e.g. under /root): keep the cluster in /var/tmp
    # and point .data/pg at it.
    local outside="/var/tmp/apq-pg-$(printf '%s' "$repo" | sha256sum | cut -c1-12)"
    mkdir -p "$outside"
    [ -e "$data" ] || ln -s "$outside" "$data"
    data="$outside"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    apq_log "creating a private PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    apq_pg_tool "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  url="postgres://postgres@127.0.0.1:$port/postgres"
  if ! apq_pg_answers "$url"; then
    apq_log "starting the private PostgreSQL cluster on port $port"
    apq_pg_tool "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  apq_pg_answers "$url" || { apq_log "PostgreSQL did not come up (see $data/server.log)"; return 1; }
  export DATABASE_URL="$url"
  export APQ_PRIVATE_PG="$data"
}

# postgres://host/db -> postgres://host/<name>
apq_db_url() {
  local base="${1%%\?*}"
  printf '%s/%s' "${base%/*}" "$2"
}

apq_create_database() {
  local name="$1"
  psql "$DATABASE_URL" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || psql "$DATABASE_URL" -qc "CREATE DATABASE \"$name\"" >/dev/null
}

# What the build links against: diesel's PostgreSQL backend needs libpq's development files
# (Debian's libpq-dev), which a machine with only the Rust toolchain lacks.
apq_ensure_build_deps() {
  if command -v dpkg-query >/dev/null 2>&1; then
    if dpkg-query -W -f='${Status}' libpq-dev 2>/dev/null | grep -q 'install ok installed'; then
      return 0
    fi
  elif command -v pg_config >/dev/null 2>&1 && [ -e "$(pg_config --libdir)/libpq.so" ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    apq_log "libpq's development files are missing: install libpq (libpq-dev, libpq-devel or postgresql-libs)"
    return 1
  fi
  apq_log "installing Debian's libpq-dev (diesel links against libpq)"
  apq_as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apq_as_root apt-get install -y -qq libpq-dev pkg-config >/dev/null
}
