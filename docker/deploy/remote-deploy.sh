#!/usr/bin/env bash
# Runs on the EC2 host (from deploy.yml, over SSH): deploys one image tag, and puts the previous
# one back if the stack does not come up healthy.
#   remote-deploy.sh <registry> <tag> <registry user>   (registry token on stdin)
# The host keeps /opt/aware/.env (the application's secrets) and /opt/aware/.deployed-tag.
set -euo pipefail

registry="$1"
tag="$2"
registry_user="$3"
cd /opt/aware
[ -f .env ] || {
  echo "deploy: /opt/aware/.env is missing (create it from .env.example; see docs/deploy.md)" >&2
  exit 1
}

docker login ghcr.io -u "$registry_user" --password-stdin >/dev/null
trap 'docker logout ghcr.io >/dev/null 2>&1 || true' EXIT

previous="$(cat .deployed-tag 2>/dev/null || true)"

up() {
  IMAGE_REGISTRY="$registry" IMAGE_TAG="$1" docker compose pull --quiet &&
    IMAGE_REGISTRY="$registry" IMAGE_TAG="$1" docker compose up -d --wait --wait-timeout 300 --remove-orphans
}

echo "deploy: $registry @ $tag (previous: ${previous:-none})"
if up "$tag"; then
  printf '%s\n' "$tag" >.deployed-tag
  echo "deploy: $tag is up and healthy"
  exit 0
fi

echo "deploy: $tag did not come up healthy" >&2
IMAGE_REGISTRY="$registry" IMAGE_TAG="$tag" docker compose ps -a >&2 || true
if [ -n "$previous" ]; then
  echo "deploy: rolling back to $previous" >&2
  if up "$previous"; then
    echo "deploy: rolled back to $previous" >&2
  else
    echo "deploy: ROLLBACK FAILED; the stack needs an operator" >&2
  fi
fi
exit 1
