#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, user postgres, trust auth) and Redis (127.0.0.1:6379) are
# running for `make test`: starts them if they are installed and stopped, installs them with Debian's
# packages first if they are missing (root). Quiet when both already answer.
set -uo pipefail
cd "$(dirname "$0")/.."

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! pg_up; then
  scripts/apt-install.sh /usr/bin/pg_ctlcluster postgresql "the production-mode tests" || exit 1
  if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "services: no PostgreSQL cluster in /etc/postgresql; create one with pg_createcluster." >&2
    exit 1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -1)
  conf=/etc/postgresql/$version/main/pg_hba.conf
  # The tests connect as postgres over TCP without a password (trust on loopback only).
  if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "services: PostgreSQL did not start on 127.0.0.1:5432." >&2; exit 1; }
  echo "services: PostgreSQL $version started."
fi

if ! redis_up; then
  scripts/apt-install.sh /usr/bin/redis-server redis-server "the production-mode tests" || exit 1
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "services: Redis did not start on 127.0.0.1:6379." >&2; exit 1; }
  echo "services: Redis started."
fi
