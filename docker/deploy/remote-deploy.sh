#!/usr/bin/env bash
# Runs on the EC2 host (from deploy.yml, over SSH): brings up one release and, if it is not
# healthy through the gateway, brings the previous release back — its compose file, configs and
# images — and fails.
#   remote-deploy.sh <registry> <commit sha> <registry user>   (pull-only registry token on stdin)
# Layout under AWARE_HOME (default /opt/aware; docs/deploy.md):
#   .env               the application's secrets (the host's own; never shipped)
#   releases/<sha>/    docker-compose.yml, docker/, kong/ of that commit (copied by deploy.yml)
#   current -> releases/<sha>   the release that last passed its checks
set -euo pipefail

registry="$1"
sha="$2"
registry_user="$3"
home="${AWARE_HOME:-/opt/aware}"
admin_url="${DEPLOY_KONG_ADMIN_URL:-http://127.0.0.1:8001}"
check_attempts="${DEPLOY_CHECK_ATTEMPTS:-60}"
check_interval="${DEPLOY_CHECK_INTERVAL:-5}"
keep_releases="${DEPLOY_KEEP_RELEASES:-5}"
release="$home/releases/$sha"

log() { printf 'deploy: %s\n' "$*" >&2; }

[ -f "$home/.env" ] || {
  log "$home/.env is missing (create it from .env.example; see docs/deploy.md)"
  exit 1
}
[ -f "$release/docker-compose.yml" ] || {
  log "$release/docker-compose.yml is missing (deploy.yml copies the release first)"
  exit 1
}

# A value from the host's .env (the last assignment wins, as in compose); empty when unset.
env_value() {
  sed -n "s/^$1=//p" "$home/.env" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

# The live P: user-v1's share of the user-service upstream's weights, from Kong's Admin API.
# Empty when the gateway is not running (first deploy).
live_percent() {
  local targets v1_target v2_target v1 v2
  targets="$(curl -fsS --max-time 5 "$admin_url/upstreams/user-service/targets" 2>/dev/null)" || return 0
  v1_target="$(env_value GATEWAY_USER_V1_TARGET)"
  v2_target="$(env_value GATEWAY_USER_V2_TARGET)"
  # One target object per line; nested objects (the upstream reference) flattened first.
  targets="$(printf '%s' "$targets" | sed 's/"upstream":{[^}]*}/"upstream":0/g' | tr '}' '\n')"
  weight_of() {
    printf '%s\n' "$targets" | grep -F "\"target\":\"$1\"" | sed -n 's/.*"weight":\([0-9]*\).*/\1/p' | head -n 1
  }
  v1="$(weight_of "${v1_target:-user-v1:3000}")"
  v2="$(weight_of "${v2_target:-user-v2:3000}")"
  [ -n "$v1" ] && [ -n "$v2" ] || return 0
  if [ $((v1 + v2)) -eq 0 ]; then echo 0; else echo $(((v1 * 100 + (v1 + v2) / 2) / (v1 + v2))); fi
}

# docker compose for one release: its own files, the host's .env, one project name for every
# release (so volumes and networks carry over), and the live P for the gateway to render with.
compose() {
  local dir="$1" tag="$2"
  shift 2
  IMAGE_REGISTRY="$registry" IMAGE_TAG="$tag" P_VALUE="$percent" \
    docker compose --project-name aware --project-directory "$dir" \
    --file "$dir/docker-compose.yml" --env-file "$home/.env" "$@"
}

up() {
  compose "$1" "$2" pull --quiet && compose "$1" "$2" up -d --wait --wait-timeout 300 --remove-orphans
}

# One request through the gateway's proxy port with the first API key; prints the status and the
# X-Service-Version that answered.
through_gateway() {
  local path="$1" pin="${2:-}" key port
  key="$(env_value API_CONSUMERS | cut -d, -f1 | cut -d: -f2-)"
  port="$(env_value GATEWAY_PORT)"
  curl -sS --max-time 10 -o /dev/null -D - -H "apikey: $key" \
    ${pin:+-H "X-User-Service-Version: $pin"} "http://127.0.0.1:${port:-8000}$path" 2>/dev/null |
    tr -d '\r' | awk 'NR == 1 { status = $2 } tolower($1) == "x-service-version:" { version = $2 }
      END { print status, version }'
}

# Healthy = what clients see: an authenticated read answers 200 through Kong, and a request
# pinned to each user version reaches that version (an unknown id answers its 404).
healthy_through_gateway() {
  local answer version
  answer="$(through_gateway '/orders?limit=1')"
  [ "${answer%% *}" = 200 ] || { log "GET /orders through the gateway: ${answer:-no answer}"; return 1; }
  for version in v1 v2; do
    answer="$(through_gateway /users/deploy-check "$version")"
    case "$answer" in
      "404 user-$version/"*) ;;
      *) log "GET /users pinned to $version: ${answer:-no answer}"; return 1 ;;
    esac
  done
}

checked() {
  local attempt
  for ((attempt = 1; attempt <= check_attempts; attempt++)); do
    healthy_through_gateway && return 0
    sleep "$check_interval"
  done
  return 1
}

# Moves `current` atomically (a new link renamed over the old one).
point_current_at() {
  ln -sfn "releases/$1" "$home/current.new"
  mv -T "$home/current.new" "$home/current"
}

# The registry login is pull-only and lives only for this run.
docker login ghcr.io -u "$registry_user" --password-stdin >/dev/null
trap 'docker logout ghcr.io >/dev/null 2>&1 || true' EXIT

previous=""
if [ -L "$home/current" ]; then previous="$(basename "$(readlink "$home/current")")"; fi
percent="$(live_percent)"
if [ -z "$percent" ]; then
  percent="$(env_value P_VALUE)"
  percent="${percent:-100}"
  log "the gateway's Admin API did not answer; P from .env: $percent"
fi

log "$registry @ $sha (previous: ${previous:-none}; P=$percent kept)"
if up "$release" "$sha" && checked; then
  point_current_at "$sha"
  log "$sha is up and healthy through the gateway"
  # Old releases beyond the newest few go; `current` and the previous one always stay.
  find "$home/releases" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %f\n' | sort -rn |
    tail -n +"$((keep_releases + 1))" | cut -d' ' -f2 | while read -r old; do
    [ "$old" = "$previous" ] || rm -rf "${home:?}/releases/$old"
  done
  exit 0
fi

log "$sha did not come up healthy"
compose "$release" "$sha" ps -a >&2 || true
if [ -z "$previous" ] || [ "$previous" = "$sha" ]; then
  log "no previous release to go back to; the stack needs an operator"
  exit 1
fi
log "rolling back to $previous (its compose file, configs and images)"
point_current_at "$previous"
if up "$home/releases/$previous" "$previous" && checked; then
  log "rolled back to $previous"
else
  log "ROLLBACK FAILED; the stack needs an operator"
fi
exit 1
