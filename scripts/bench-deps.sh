#!/usr/bin/env bash
# Installs, idempotently, what `make bench` compares against: redis-server and Celery 5.2 for Debian's python3.
# Debian packages need root; without it, the bench skips the scenarios whose peers are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  command -v redis-server >/dev/null 2>&1 || echo "bench-deps: install redis-server (apt-get install redis-server) for the Redis scenarios" >&2
  /usr/bin/python3 -c "import celery, redis" 2>/dev/null || echo "bench-deps: install python3-celery python3-redis for the Celery comparison" >&2
  exit 0
fi
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
/usr/bin/python3 -c "import celery" 2>/dev/null || missing+=(python3-celery)
/usr/bin/python3 -c "import redis" 2>/dev/null || missing+=(python3-redis)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
