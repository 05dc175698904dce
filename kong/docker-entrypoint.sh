#!/bin/sh
# The gateway's entrypoint: renders the declarative config from the environment (a bad P_VALUE or
# secret stops the container here, with a message naming the variable), has Kong parse it, and
# only then starts Kong through the image's own entrypoint.
set -eu
config="${KONG_DECLARATIVE_CONFIG:?KONG_DECLARATIVE_CONFIG must name the rendered config file}"

# The rendered file holds the API keys: readable by the kong user only.
umask 077
sh /opt/aware-gateway/render.sh /opt/aware-gateway/kong.yaml.tmpl >"$config.tmp"
if ! kong config parse "$config.tmp" >/dev/null; then
  echo "gateway: Kong refused the rendered config (see above); not starting" >&2
  exit 1
fi
mv "$config.tmp" "$config"
echo "gateway: config rendered with P_VALUE=$P_VALUE (user-v1 $P_VALUE %, user-v2 $((100 - P_VALUE)) %)" >&2

exec /docker-entrypoint.sh "$@"
