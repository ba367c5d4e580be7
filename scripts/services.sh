#!/usr/bin/env bash
# Makes sure the local services evmesh's tests talk to are running.
#
#   scripts/services.sh [name...]     names: redis nats rabbitmq mosquitto postgres mariadb, or `all`
#                                     (default: redis nats rabbitmq postgres, the adapter test backends)
#
# For each service: check it; if it is down, start it and poll until it answers
# (at most SERVICES_TIMEOUT seconds, default 30). Prints one line per service:
#   redis: up | redis: started | redis: DOWN (reason)
# Exits 1 if any requested service is still down, 2 on an unknown name.
# Start commands are the Debian ones for this machine and need root.
set -uo pipefail

readonly HOST=127.0.0.1
readonly TIMEOUT=${SERVICES_TIMEOUT:-30}
readonly DEFAULT_SERVICES=(redis nats rabbitmq postgres)
readonly ALL_SERVICES=(redis nats rabbitmq mosquitto postgres mariadb)

# Why the last check failed; shown in the DOWN line.
REASON=''

# True when something accepts TCP connections on HOST:$1 (no extra tools needed).
port_open() {
  timeout 2 bash -c ": <>/dev/tcp/$HOST/$1" 2>/dev/null
}

# Each check_* returns 0 when the service is usable, 1 when it is not (yet), and
# 2 when something answers but is wrong in a way starting it again cannot fix.

check_redis() {
  local reply
  reply=$(timeout 3 redis-cli -h "$HOST" -p 6379 ping 2>&1) || true
  [[ $reply == PONG ]] && return 0
  REASON="ping on $HOST:6379 answered '${reply:-nothing}'"
  return 1
}

check_nats() {
  # A NATS server sends one `INFO {json}` line as soon as a client connects.
  local info
  info=$(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/4222 && IFS= read -r -t 2 line <&3 && printf '%s' \"\$line\"" 2>/dev/null) || true
  if [[ -z $info ]]; then
    REASON="nothing answers on $HOST:4222"
    return 1
  fi
  if [[ $info != INFO* ]]; then
    REASON="$HOST:4222 is not a NATS server"
    return 2
  fi
  if [[ $info != *'"jetstream":true'* ]]; then
    REASON="NATS on $HOST:4222 runs without JetStream (needs -js)"
    return 2
  fi
  return 0
}

check_port() { # name port
  port_open "$2" && return 0
  REASON="nothing accepts connections on $HOST:$2"
  return 1
}
check_rabbitmq() { check_port rabbitmq 5672; }
check_mosquitto() { check_port mosquitto 1883; }
check_mariadb() { check_port mariadb 3306; }

check_postgres() {
  local reply
  reply=$(timeout 3 pg_isready -h "$HOST" -p 5432 2>&1) && return 0
  REASON=${reply:-"pg_isready failed on $HOST:5432"}
  return 1
}

start_redis() {
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}
start_nats() {
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
}
start_rabbitmq() { rabbitmq-server -detached; }
start_mosquitto() {
  # Its config writes a pid file under /run/mosquitto, which is gone after a reboot.
  install -d -o mosquitto -g mosquitto /run/mosquitto 2>/dev/null || true
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
}
start_postgres() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [[ -n $version ]] || { echo "no cluster under /etc/postgresql"; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}
start_mariadb() {
  # The socket directory lives on /run, like mosquitto's pid file.
  install -d -o mysql -g mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
}

# Checks one service, starts it if needed, prints its line; returns 0 if it is up.
ensure() {
  local name=$1 status start_log tries
  REASON=''
  "check_$name"
  status=$?
  if ((status == 0)); then
    echo "$name: up"
    return 0
  fi
  if ((status == 2)); then
    echo "$name: DOWN ($REASON)"
    return 1
  fi

  start_log=$(mktemp)
  if ! "start_$name" >"$start_log" 2>&1; then
    echo "$name: DOWN (start failed: $(tail -n 1 "$start_log"))"
    rm -f "$start_log"
    return 1
  fi
  rm -f "$start_log"

  # Poll twice a second; each check itself is bounded by `timeout`.
  for ((tries = 0; tries < TIMEOUT * 2; tries++)); do
    "check_$name"
    status=$?
    if ((status == 0)); then
      echo "$name: started"
      return 0
    fi
    ((status == 2)) && break
    sleep 0.5
  done
  echo "$name: DOWN (started but not ready after ${TIMEOUT}s: $REASON)"
  return 1
}

main() {
  local names=("$@") name failed=0
  ((${#names[@]} == 0)) && names=("${DEFAULT_SERVICES[@]}")
  [[ ${names[*]} == all ]] && names=("${ALL_SERVICES[@]}")

  for name in "${names[@]}"; do
    if ! declare -F "check_$name" >/dev/null || ! declare -F "start_$name" >/dev/null; then
      echo "unknown service '$name' (known: ${ALL_SERVICES[*]}, or all)" >&2
      return 2
    fi
  done

  for name in "${names[@]}"; do
    ensure "$name" || failed=1
  done
  return "$failed"
}

main "$@"
