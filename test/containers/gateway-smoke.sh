#!/usr/bin/env bash
# Smoke test of the whole compose stack through Kong (CI's compose job; needs a real Kong image):
#   test/containers/gateway-smoke.sh <proxy url> <api key>
# Expects the stack up with P_VALUE=50. Checks key-auth, the v1/v2 split and pinning by the
# X-Service-Version header, that /metrics and health are not routed, the docs route, and a live
# `rollout set` through the Admin API.
set -euo pipefail

proxy="$1"
key="$2"
failures=0

check() {
  if [ "$2" = "$3" ]; then
    echo "ok - $1"
  else
    echo "not ok - $1: expected $3, got $2"
    failures=$((failures + 1))
  fi
}

status_of() {
  curl -s -o /dev/null -w '%{http_code}' "$@"
}

# Which version answered each of n GETs of one user (the X-Service-Version header, name only).
versions_of() {
  local n="$1" user_id="$2"
  shift 2
  for _ in $(seq 1 "$n"); do
    curl -s -D - -o /dev/null -H "apikey: $key" "$@" "$proxy/users/$user_id" |
      tr -d '\r' | sed -n 's/^[Xx]-[Ss]ervice-[Vv]ersion: \([a-z0-9-]*\).*/\1/p'
  done | sort | uniq -c | tr -s ' ' | sed 's/^ //'
}

body='{"emails":["smoke@example.com"],"deliveryAddress":{"street":"1 Main St","city":"Town","state":"CA","postalCode":"94000","country":"US"}}'
check "no API key is refused" "$(status_of -X POST -H 'content-type: application/json' -d "$body" "$proxy/users")" 401
created="$(curl -s -H "apikey: $key" -H 'content-type: application/json' -d "$body" "$proxy/users")"
user_id="$(printf '%s' "$created" | sed -n 's/.*"userId":"\([^"]*\)".*/\1/p')"
check "POST /users through Kong creates a user" "$([ -n "$user_id" ] && echo yes || echo no)" yes

split="$(versions_of 40 "$user_id")"
echo "P=50 split over 40 requests: $(echo "$split" | tr '\n' ' ')"
check "user-v1 gets a share at P=50" "$(echo "$split" | grep -c ' user-v1$' || true)" 1
check "user-v2 gets a share at P=50" "$(echo "$split" | grep -c ' user-v2$' || true)" 1
check "X-User-Service-Version: v1 pins to user-v1" \
  "$(versions_of 10 "$user_id" -H 'X-User-Service-Version: v1')" "10 user-v1"
check "X-User-Service-Version: v2 pins to user-v2" \
  "$(versions_of 10 "$user_id" -H 'X-User-Service-Version: v2')" "10 user-v2"

check "/metrics is not routed" "$(status_of -H "apikey: $key" "$proxy/metrics")" 404
check "/health/ready is not routed" "$(status_of -H "apikey: $key" "$proxy/health/ready")" 404
check "GET /orders answers through Kong" "$(status_of -H "apikey: $key" "$proxy/orders")" 200
check "Swagger UI of user-v2 at /docs/user-v2/" "$(status_of "$proxy/docs/user-v2/")" 200
check "Kong's X-Request-ID reaches the client" \
  "$(curl -s -D - -o /dev/null -H "apikey: $key" "$proxy/orders" | grep -ci '^x-request-id:')" 1
request_id="$(curl -s -D - -o /dev/null -H "apikey: $key" -H 'X-Request-ID: bad id<x>' "$proxy/orders" |
  tr -d '\r' | sed -n 's/^[Xx]-[Rr]equest-[Ii][Dd]: //p')"
check "an unsafe X-Request-ID is replaced by the service's, not echoed" \
  "$(case "$request_id" in '' | *'<'*) echo "got '$request_id'" ;; *) echo replaced ;; esac)" replaced
check "a wrong API key is refused" \
  "$(status_of -H 'apikey: not-a-key-0000000000000000000' "$proxy/orders")" 401

npm run --silent rollout -- set 0
# Every Kong worker picks the new config up within a moment.
sleep 2
check "after rollout set 0 every request goes to user-v2" "$(versions_of 10 "$user_id")" "10 user-v2"

[ "$failures" -eq 0 ] || {
  echo "$failures check(s) failed"
  exit 1
}
