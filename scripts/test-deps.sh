#!/usr/bin/env bash
# Installs, idempotently, the real peers the tests start (servers from Debian, tools from npm).
# Called by `make test` and `.ci/run`. Debian packages need root (as on CI); npm packages go to .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
# apt_install WHAT PACKAGE: install the Debian PACKAGE (root only; otherwise say what is missing).
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: $1 is missing; install the Debian package '$2' (as root: apt-get install $2)" >&2
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

# need_apt COMMAND PACKAGE: install PACKAGE when COMMAND is not on PATH.
need_apt() {
  command -v "$1" >/dev/null 2>&1 || apt_install "'$1'" "$2"
}

# need_python MODULE PACKAGE: install PACKAGE when Debian's own /usr/bin/python3 cannot import MODULE (never another python3 on PATH).
need_python() {
  /usr/bin/python3 -c "import $1" >/dev/null 2>&1 || apt_install "the Python module '$1' (for /usr/bin/python3)" "$2"
}

# need_npm PACKAGE: install PACKAGE into .tools/node_modules when it is not there.
need_npm() {
  [ -d ".tools/node_modules/$1" ] && return 0
  need_apt npm npm
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "$1" >/dev/null
}

# Each transport or feature adds the peers its tests need here, e.g.:
#   need_apt redis-server redis-server
#   need_npm local-aws-sqs
# The Celery interop tests (tests/Celeriac.Celery.Tests) run Celery 5.2 itself: its Redis transport and result backend,
# and kombu's SQS transport (boto3, and pycurl for the worker's asynchronous SQS client) against the SQS emulator.
need_python celery python3-celery
need_python redis python3-redis
need_python boto3 python3-boto3
need_python pycurl python3-pycurl
need_apt make make
# Metrics: a real Prometheus scrapes a worker; promtool checks the exposition and the alert rules (one Debian package).
need_apt prometheus prometheus
need_apt promtool prometheus
# The operator's tests render config/ with `kubectl kustomize` (kubectl is usually on the machine already).
need_apt kubectl kubernetes-client
# The Redis broker and store tests start their own redis-server.
need_apt redis-server redis-server
need_npm local-aws-sqs
# The Celery interop tests (tests/Celeriac.Celery.Tests) run Celery 5.2 itself: its Redis transport and result backend,
# and kombu's SQS transport (boto3, and pycurl for the worker's asynchronous SQS client) against the SQS emulator.
need_python celery python3-celery
need_python redis python3-redis
need_python boto3 python3-boto3
need_python pycurl python3-pycurl
# The Helm chart's values.yaml is validated against its values.schema.json with ajv (tests/Celeriac.Chart.Tests).
need_npm ajv
need_npm ajv-formats
