#!/usr/bin/env bash
# Installs what bellows' tests need on a fresh Debian machine that has only Node.js:
# Deno (from npm), PostgreSQL server binaries, real Alembic with psycopg2, python3-glance,
# openssl, sqlite3.
# Safe to run again: it installs only what is missing. apt needs root.
set -euo pipefail

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
/usr/bin/python3 -c 'import alembic, psycopg2' >/dev/null 2>&1 || need_apt+=(python3-alembic python3-psycopg2)
# Real glance-manage, for tests/glance_manage_test.ts (it brings PyMySQL along).
/usr/bin/python3 -c 'import glance.cmd.manage, pymysql' >/dev/null 2>&1 || need_apt+=(python3-glance python3-pymysql)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
command -v rsync >/dev/null || need_apt+=(rsync) # Galera state transfer (tests/support/galera_cluster.ts)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! command -v deno >/dev/null || [ "$(deno --version | head -1 | cut -d' ' -f2)" != "2.9.6" ]; then
  echo "setup: npm install -g --allow-scripts=deno deno@2.9.6" >&2
  npm install -g --allow-scripts=deno deno@2.9.6 >/dev/null 2>&1
fi
