#!/usr/bin/env bash
# npm run test:containers: builds the project's Dockerfile for real and runs the compose stack
# (without Kong) from those images: every service healthy, the API answers and events flow with
# the least-privilege broker users, and SIGTERM drains each service to exit 0.
#
# Needs a Docker engine. It uses DOCKER_HOST if that answers; otherwise it starts its own dockerd
# (no bridge network, no iptables: containers share the host's network, see
# compose.host-network.yml) and stops it at the end. Where no engine can start, it says so and
# exits 0 (skipped). With no image registry reachable, base images the engine lacks are stood in
# for locally (see standins/), and those are cached in the engine for the next run.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
cache="${AWARE_CONTAINERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aware-containers}"
run_dir="/tmp/aware-containers-$(id -u)"
project="aware-ctest"
apps=(ops user-v1 user-v2 order)
mkdir -p "$cache" "$run_dir"

step() {
  printf '\n[containers %4ss] %s\n' "$SECONDS" "$*"
}
skip() {
  printf '\ntest:containers: SKIPPED: %s\n' "$*"
  exit 0
}
fail() {
  printf '\ntest:containers: FAILED: %s\n' "$*" >&2
  exit 1
}

# Random throwaway secrets for the test stack: nothing to commit, nothing reused.
random_hex() {
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}
for name in MONGO_ROOT_PASSWORD USERS_DB_PASSWORD ORDERS_DB_PASSWORD OPS_DB_PASSWORD \
  RABBITMQ_ADMIN_PASSWORD AMQP_USER_V1_PASSWORD AMQP_USER_V2_PASSWORD AMQP_ORDER_PASSWORD \
  AMQP_OPS_PASSWORD; do
  export "$name=$(random_hex)"
done
API_CONSUMERS="container-test:$(random_hex)"
export API_CONSUMERS
export IMAGE_REGISTRY=aware IMAGE_TAG=ctest

step "Tools"
tools_dir="$(scripts/tools/build-tools.sh compose | tail -n 1)"
export DOCKER_CONFIG="$tools_dir/docker"
compose=(docker compose -p "$project" -f docker-compose.yml -f test/containers/compose.host-network.yml)

step "Docker engine"
command -v docker >/dev/null 2>&1 || skip "no docker CLI on PATH"
started_dockerd=""
if [ -z "${DOCKER_HOST:-}" ] || ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || skip "no Docker engine answers and dockerd is not installed"
  export DOCKER_HOST="unix://$run_dir/docker.sock"
  if ! docker info >/dev/null 2>&1; then
    dockerd --bridge=none --iptables=false --ip6tables=false \
      --data-root "$cache/docker-data" --exec-root "$run_dir/exec" \
      --pidfile "$run_dir/dockerd.pid" --host "$DOCKER_HOST" \
      >"$run_dir/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      if ! kill -0 "$started_dockerd" 2>/dev/null; then
        skip "dockerd could not start here: $(tail -n 3 "$run_dir/dockerd.log")"
      fi
      sleep 0.5
    done
    docker info >/dev/null 2>&1 || skip "dockerd did not answer within 30 s (see $run_dir/dockerd.log)"
  fi
fi
echo "engine: $(docker version --format '{{.Server.Version}}') at $DOCKER_HOST"

cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -n "${stack_started:-}" ]; then
    "${compose[@]}" ps -a || true
    "${compose[@]}" logs --no-color --tail 40 || true
  fi
  if [ -n "${stack_started:-}" ]; then
    "${compose[@]}" down -v --remove-orphans --timeout 30 >/dev/null 2>&1 || true
  fi
  if [ -n "$started_dockerd" ]; then
    kill "$started_dockerd" 2>/dev/null || true
    wait "$started_dockerd" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT

image_present() {
  docker image inspect "$1" >/dev/null 2>&1
}

step "Base images (stand-ins only where the engine lacks the real one)"
if ! image_present aware-standin/debian:bookworm; then
  rootfs="$cache/debian-bookworm.tar"
  if [ ! -f "$rootfs" ]; then
    command -v mmdebstrap >/dev/null 2>&1 || fail "mmdebstrap is needed to build the Debian stand-in (apt-get install mmdebstrap)"
    # The name does not end in .tar, so say the format: mmdebstrap guesses it from the name.
    mmdebstrap --variant=minbase --format=tar --include=ca-certificates bookworm "$rootfs.partial"
    mv "$rootfs.partial" "$rootfs"
  fi
  docker import "$rootfs" aware-standin/debian:bookworm >/dev/null
fi
standin_context="$run_dir/standin-context"
if ! image_present node:20-bookworm-slim; then
  node_prefix="$(cd "$(dirname "$(readlink -f "$(command -v node)")")/.." && pwd)"
  npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  rm -rf "$standin_context" && mkdir -p "$standin_context/node/bin" "$standin_context/node/lib/node_modules"
  cp "$node_prefix/bin/node" "$standin_context/node/bin/node"
  cp -R "$npm_dir" "$standin_context/node/lib/node_modules/npm"
  # This machine's trust store: where egress goes through a TLS proxy, npm ci in the image
  # must trust that proxy's CA as the host's Node does.
  cp /etc/ssl/certs/ca-certificates.crt "$standin_context/ca-certificates.crt"
  docker build -q -t node:20-bookworm-slim -f test/containers/standins/node.Dockerfile "$standin_context"
fi
if ! image_present mongo:7.0.19; then
  ferretdb=".cache/ferretdb/bin/ferretdb"
  if [ ! -x "$ferretdb" ]; then
    # The test harness builds FerretDB (harness/ferretdb.ts); starting and stopping one
    # embedded server leaves the binary in its cache.
    npx ts-node --transpile-only -e \
      "require('./harness/ferretdb').startFerretDb('the mongo:7 stand-in').then((db) => db.stop())"
  fi
  rm -rf "$standin_context" && mkdir -p "$standin_context"
  cp "$ferretdb" "$standin_context/ferretdb"
  docker build -q -t mongo:7.0.19 -f test/containers/standins/mongo.Dockerfile "$standin_context"
fi
if ! image_present rabbitmq:3.13.7-management; then
  rm -rf "$standin_context" && mkdir -p "$standin_context"
  docker build -q --network host -t rabbitmq:3.13.7-management \
    -f test/containers/standins/rabbitmq.Dockerfile "$standin_context"
fi
if ! image_present kong:3.9; then
  rm -rf "$standin_context" && mkdir -p "$standin_context"
  cp test/containers/standins/kong-stub.sh "$standin_context/"
  docker build -q -t kong:3.9 -f test/containers/standins/kong.Dockerfile "$standin_context"
fi
rm -rf "$standin_context"

step "Compose file"
"${compose[@]}" config -q
docker compose -f docker-compose.yml config -q

step "Project images from docker/Dockerfile (APP=${apps[*]})"
# The classic builder: this engine's CLI may lack buildx, and the Dockerfile needs no BuildKit.
for app in "${apps[@]}"; do
  build_started=$SECONDS
  DOCKER_BUILDKIT=0 docker build -q --network host -f docker/Dockerfile --build-arg "APP=$app" \
    -t "$IMAGE_REGISTRY/$app:$IMAGE_TAG" . >/dev/null
  echo "$app: built in $((SECONDS - build_started)) s"
done
user="$(docker image inspect --format '{{.Config.User}}' "$IMAGE_REGISTRY/user-v1:$IMAGE_TAG")"
[ "$user" = node ] || fail "the image runs as '$user', not the unprivileged node user"
if docker run --rm --network host --entrypoint node "$IMAGE_REGISTRY/user-v1:$IMAGE_TAG" \
  -e "require.resolve('jest')" >/dev/null 2>&1; then
  fail "the image carries development dependencies (jest resolves)"
fi

step "Gateway image from kong/Dockerfile: render at build and at start, refuse a bad P_VALUE"
# On the stand-in kong:3.9 (not Kong: see standins/kong.Dockerfile) this checks the image's
# wiring; where the engine has the real image, Kong itself starts.
DOCKER_BUILDKIT=0 docker build -q -f kong/Dockerfile -t "$IMAGE_REGISTRY/gateway:$IMAGE_TAG" . >/dev/null
gateway_env=(-e "API_CONSUMERS=$API_CONSUMERS" -e USER_ROLLOUT_HASH_ON=ip)
if refusal="$(docker run --rm --network host "${gateway_env[@]}" -e P_VALUE=2.5 \
  "$IMAGE_REGISTRY/gateway:$IMAGE_TAG" 2>&1)"; then
  fail "the gateway started with P_VALUE=2.5"
fi
case "$refusal" in
  *'P_VALUE must be an integer from 0 to 100 (percent of user traffic to user-v1), got "2.5"'*)
    echo "P_VALUE=2.5: refused at start, naming the variable and the value" ;;
  *) fail "unexpected output for P_VALUE=2.5: $refusal" ;;
esac
gateway="$(docker run -d --network host "${gateway_env[@]}" -e P_VALUE=30 \
  -e KONG_ADMIN_LISTEN=127.0.0.1:18001 -e KONG_PROXY_LISTEN=127.0.0.1:18000 \
  -e KONG_ADMIN_GUI_LISTEN=off -e KONG_STATUS_LISTEN=127.0.0.1:18100 \
  "$IMAGE_REGISTRY/gateway:$IMAGE_TAG")"
sleep 2
rendered="$(docker exec "$gateway" sh -c 'stat -c "%U %a" "$KONG_DECLARATIVE_CONFIG" && cat "$KONG_DECLARATIVE_CONFIG"')" ||
  fail "no rendered config in the gateway container: $(docker logs "$gateway" 2>&1 | tail -n 5)"
docker rm -f "$gateway" >/dev/null
[ "$(printf '%s\n' "$rendered" | head -n 1)" = "kong 600" ] ||
  fail "the rendered config (it holds API keys) is not private to kong: $(printf '%s\n' "$rendered" | head -n 1)"
if ! { printf '%s\n' "$rendered" | grep -q 'weight: 30$' && printf '%s\n' "$rendered" | grep -q 'weight: 70$'; }; then
  fail "the rendered config lacks the 30/70 split"
fi
echo "P_VALUE=30: rendered (30/70, hash_on ip), parsed, start command reached; config private to kong"

step "Stack up (mongodb, rabbitmq, db-setup, user-v1, user-v2, order) with --wait"
stack_started=1
"${compose[@]}" up -d --wait --wait-timeout 180 --no-build \
  mongodb rabbitmq db-setup user-v1 user-v2 order
for service in user-v1 user-v2 order; do
  health="$(docker inspect --format '{{.State.Health.Status}}' "$("${compose[@]}" ps -q "$service")")"
  [ "$health" = healthy ] || fail "$service is $health, not healthy"
  echo "$service: healthy"
done
setup_exit="$(docker inspect --format '{{.State.ExitCode}}' "$("${compose[@]}" ps -aq db-setup)")"
[ "$setup_exit" = 0 ] || fail "db-setup exited $setup_exit"

step "API through the containers"
npx ts-node --transpile-only test/containers/api-smoke.ts \
  http://127.0.0.1:3101 http://127.0.0.1:3102 http://127.0.0.1:3103

step "SIGTERM drains each service (exit 0 within its grace period)"
for service in user-v1 user-v2 order; do
  container="$("${compose[@]}" ps -q "$service")"
  stop_started=$SECONDS
  docker stop --time 30 "$container" >/dev/null
  code="$(docker inspect --format '{{.State.ExitCode}}' "$container")"
  [ "$code" = 0 ] || fail "$service exited $code after SIGTERM (137 would mean it had to be killed)"
  echo "$service: exit 0 after SIGTERM in $((SECONDS - stop_started)) s"
done

step "Done: all container checks passed in ${SECONDS} s"
