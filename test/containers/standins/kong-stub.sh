#!/bin/sh
# The stand-in's `kong` command (see kong.Dockerfile): the subcommands the gateway image uses.
set -eu
case "${1-} ${2-}" in
  'config parse')
    grep -q '^_format_version: "3.0"$' "$3" || {
      echo "stand-in kong: $3 is not a 3.0 declarative config" >&2
      exit 1
    }
    echo "parse successful (stand-in: format only)"
    ;;
  'docker-start '*)
    echo "stand-in kong: would start Kong with $KONG_DECLARATIVE_CONFIG"
    exec sleep infinity
    ;;
  'health '*) exit 0 ;;
  *)
    echo "stand-in kong: unsupported: $*" >&2
    exit 1
    ;;
esac
