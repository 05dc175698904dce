#!/bin/sh
# Entrypoint of compose's rabbitmq service: fills the passwords into definitions.json, then
# starts the broker through the image's own entrypoint.
set -eu
here="$(dirname "$0")"
target=/tmp/aware-definitions.json

for name in RABBITMQ_ADMIN_PASSWORD AMQP_USER_V1_PASSWORD AMQP_USER_V2_PASSWORD \
  AMQP_ORDER_PASSWORD AMQP_OPS_PASSWORD; do
  value="$(printenv "$name" || true)"
  # Letters and digits only: the value lands in JSON and in amqp:// URLs unescaped.
  case "$value" in
    '' | *[!A-Za-z0-9]*)
      echo "rabbitmq: $name must be set to letters and digits only (e.g. openssl rand -hex 24)" >&2
      exit 2
      ;;
  esac
done

umask 077
sed -e "s/\${RABBITMQ_ADMIN_PASSWORD}/$RABBITMQ_ADMIN_PASSWORD/" \
  -e "s/\${AMQP_USER_V1_PASSWORD}/$AMQP_USER_V1_PASSWORD/" \
  -e "s/\${AMQP_USER_V2_PASSWORD}/$AMQP_USER_V2_PASSWORD/" \
  -e "s/\${AMQP_ORDER_PASSWORD}/$AMQP_ORDER_PASSWORD/" \
  -e "s/\${AMQP_OPS_PASSWORD}/$AMQP_OPS_PASSWORD/" \
  "$here/definitions.json" >"$target"
if [ "$(id -u)" = 0 ]; then chown rabbitmq:rabbitmq "$target"; fi

exec docker-entrypoint.sh "$@"
