#!/bin/sh
# Renders Kong's declarative config from kong.yaml.tmpl and the environment, to stdout.
# The only renderer: the gateway image's entrypoint runs it at start, and the rollout command runs
# it to build the config it loads through the Admin API. POSIX sh and awk only, because the Kong
# image has no Node.js.
#
# Environment (validated; a bad value stops the render with a message naming it, exit status 2):
#   P_VALUE                 percent of user traffic to user-v1, an integer 0-100 (required)
#   USER_ROLLOUT_HASH_ON    none (default) | consumer | ip: keeps one client on one version while
#                           the split holds (consumer = the API client key-auth identified)
#   API_CONSUMERS           API clients as name:key pairs, comma-separated (required, secret)
#   GATEWAY_RATE_LIMIT_PER_MINUTE  requests per minute per API client (default 600)
#   GATEWAY_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE  requests per minute per client address without
#                           a valid API key, answered 401 until then and 429 after (default 60)
#   GATEWAY_USER_V1_TARGET, GATEWAY_USER_V2_TARGET, GATEWAY_ORDER_TARGET
#                           host:port of each service (defaults user-v1:3000, user-v2:3000,
#                           order:3000, the compose service names)
set -eu

template="${1:-$(dirname "$0")/kong.yaml.tmpl}"

fail() {
  printf 'kong config: %s\n' "$*" >&2
  exit 2
}

# P_VALUE: a plain integer 0-100; no sign, fraction, exponent or leading zero.
p_value="${P_VALUE-}"
case "$p_value" in
  0 | [1-9] | [1-9][0-9] | 100) ;;
  *) fail "P_VALUE must be an integer from 0 to 100 (percent of user traffic to user-v1), got \"$p_value\"" ;;
esac

# USER_ROLLOUT_HASH_ON: consistent hashing keeps a client on one target; weights still hold.
# consumer: the API client key-auth identified (every user route demands a key), with the client
# address as the fallback so a request without a consumer is still spread, not all hashed on "".
# No request header: Kong 3.9 looks a header up as ngx.var["http_" .. name] without turning "-"
# into "_", so a dashed name hashes every request on "" (one target takes all), and a client-chosen
# header would let clients pick their version anyway.
case "${USER_ROLLOUT_HASH_ON:-none}" in
  none) user_hashing="algorithm: round-robin
    hash_on: none" ;;
  consumer) user_hashing="algorithm: consistent-hashing
    hash_on: consumer
    hash_fallback: ip" ;;
  ip) user_hashing="algorithm: consistent-hashing
    hash_on: ip" ;;
  *)
    fail "USER_ROLLOUT_HASH_ON must be none, consumer or ip, got \"$USER_ROLLOUT_HASH_ON\" (hashing on a request header is not offered: Kong 3.9 cannot hash on a header name with '-')"
    ;;
esac

# A host:port target: a DNS name or IPv4 address and a port 1-65535.
check_target() {
  name="$1"
  value="$2"
  host="${value%:*}"
  port="${value##*:}"
  case "$value" in
    *:*) ;;
    *) fail "$name must be host:port, got \"$value\"" ;;
  esac
  case "$host" in
    '' | *[!A-Za-z0-9.-]* | -* | .*) fail "$name must be host:port, got \"$value\"" ;;
  esac
  case "$port" in
    '' | *[!0-9]* | 0*) fail "$name must be host:port with a port 1-65535, got \"$value\"" ;;
  esac
  if [ "${#port}" -gt 5 ] || [ "$port" -gt 65535 ]; then
    fail "$name must be host:port with a port 1-65535, got \"$value\""
  fi
}

user_v1_target="${GATEWAY_USER_V1_TARGET:-user-v1:3000}"
user_v2_target="${GATEWAY_USER_V2_TARGET:-user-v2:3000}"
order_target="${GATEWAY_ORDER_TARGET:-order:3000}"
check_target GATEWAY_USER_V1_TARGET "$user_v1_target"
check_target GATEWAY_USER_V2_TARGET "$user_v2_target"
check_target GATEWAY_ORDER_TARGET "$order_target"

# A positive integer of at most 9 digits, or stop naming the variable.
check_per_minute() {
  case "$2" in
    '' | *[!0-9]* | 0*) fail "$1 must be a positive integer, got \"$2\"" ;;
  esac
  [ "${#2}" -le 9 ] || fail "$1 must be at most 999999999, got \"$2\""
}
rate_limit="${GATEWAY_RATE_LIMIT_PER_MINUTE:-600}"
check_per_minute GATEWAY_RATE_LIMIT_PER_MINUTE "$rate_limit"
unauthenticated_rate_limit="${GATEWAY_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE:-60}"
check_per_minute GATEWAY_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE "$unauthenticated_rate_limit"

# API_CONSUMERS: name:key pairs. Keys are long random strings (openssl rand -hex 32); the charset
# keeps them safe inside the double-quoted YAML scalars below.
[ -n "${API_CONSUMERS-}" ] ||
  fail "API_CONSUMERS must list at least one API client as name:key (comma-separated pairs)"
consumers=""
seen_names=","
old_ifs="$IFS"
IFS=','
for pair in $API_CONSUMERS; do
  name="${pair%%:*}"
  key="${pair#*:}"
  case "$pair" in
    *:*) ;;
    # Not echoed: an entry without ':' may well be a bare key.
    *) fail "API_CONSUMERS entries must be name:key; one entry has no ':'" ;;
  esac
  case "$name" in
    '' | *[!A-Za-z0-9._-]*) fail "API_CONSUMERS: consumer name must be letters, digits, . _ -, got \"$name\"" ;;
  esac
  case "$key" in
    *[!A-Za-z0-9._~-]*) fail "API_CONSUMERS: the key of \"$name\" may hold only letters, digits, . _ ~ -" ;;
  esac
  if [ "${#key}" -lt 24 ] || [ "${#key}" -gt 256 ]; then
    fail "API_CONSUMERS: the key of \"$name\" must be 24-256 characters (e.g. openssl rand -hex 32)"
  fi
  case "$seen_names" in
    *",$name,"*) fail "API_CONSUMERS: consumer \"$name\" is listed twice" ;;
  esac
  # The gateway's own consumer for requests without a valid key (kong.yaml.tmpl).
  [ "$name" != unauthenticated ] ||
    fail "API_CONSUMERS: \"unauthenticated\" is reserved for requests without a valid key"
  seen_names="$seen_names$name,"
  consumers="$consumers
  - username: \"$name\"
    keyauth_credentials:
      - key: \"$key\""
done
IFS="$old_ifs"

[ -r "$template" ] || fail "template not readable: $template"

# Fills ${NAME} placeholders literally (no regex replacement, so values are never reinterpreted);
# a placeholder without a value is an error, so the template and this script cannot drift apart.
RENDER_USER_HASHING="$user_hashing" \
  RENDER_USER_V1_TARGET="$user_v1_target" \
  RENDER_USER_V2_TARGET="$user_v2_target" \
  RENDER_ORDER_TARGET="$order_target" \
  RENDER_USER_V1_HOST="${user_v1_target%:*}" \
  RENDER_USER_V1_PORT="${user_v1_target##*:}" \
  RENDER_USER_V2_HOST="${user_v2_target%:*}" \
  RENDER_USER_V2_PORT="${user_v2_target##*:}" \
  RENDER_ORDER_HOST="${order_target%:*}" \
  RENDER_ORDER_PORT="${order_target##*:}" \
  RENDER_USER_V1_WEIGHT="$p_value" \
  RENDER_USER_V2_WEIGHT="$((100 - p_value))" \
  RENDER_RATE_LIMIT_PER_MINUTE="$rate_limit" \
  RENDER_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE="$unauthenticated_rate_limit" \
  RENDER_CONSUMERS="$consumers" \
  awk '
    {
      line = $0
      out = ""
      while ((start = index(line, "${")) > 0) {
        rest = substr(line, start + 2)
        stop = index(rest, "}")
        if (stop == 0) break
        name = substr(rest, 1, stop - 1)
        if (!(("RENDER_" name) in ENVIRON)) {
          printf "kong config: template placeholder ${%s} has no value\n", name > "/dev/stderr"
          exit 3
        }
        out = out substr(line, 1, start - 1) ENVIRON["RENDER_" name]
        line = substr(rest, stop + 1)
      }
      print out line
    }
  ' "$template"
