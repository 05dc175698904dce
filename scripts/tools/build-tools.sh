#!/usr/bin/env bash
# Builds the command-line tools the gateway and container checks use, from the Go module proxy, into
# a cache outside the repository (Jest would otherwise crawl them):
#   deck        decK, for `deck file validate` and `deck file lint` on the rendered Kong config
#   actionlint  lints .github/workflows (uses shellcheck from PATH for `run:` scripts)
#   helm        Helm, for `helm lint` and `helm template` of deploy/helm (test/helm-charts.spec.ts)
#   kubectl-validate  validates the rendered charts against Kubernetes' and the CRDs' schemas
#   compose     the Docker Compose v2 CLI plugin, for `npm run test:containers` (opt-in: slow)
# Usage: scripts/tools/build-tools.sh [deck] [actionlint] [helm] [kubectl-validate] [compose]
#   (default: deck actionlint helm kubectl-validate)
# Cold, on 2 busy cores: decK about 6 minutes; Helm and kubectl-validate about 12 minutes each
# when built side by side (3 minutes of CPU each).
# A tool already built at the pinned version is kept, so a warm run takes well under a second.
# Prints the cache directory on the last line of stdout.
set -euo pipefail

DECK_VERSION="v1.55.0"
ACTIONLINT_VERSION="v1.7.12"
COMPOSE_VERSION="v2.40.3"
HELM_VERSION="v4.3.2"
KUBECTL_VALIDATE_VERSION="v0.0.4"

here="$(cd "$(dirname "$0")" && pwd)"
cache="${AWARE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aware-tools}"
mkdir -p "$cache"

log() {
  printf '[tools] %s\n' "$*" >&2
}

# True when $cache/<name> exists and was built from <version>.
is_current() {
  [ -x "$cache/$1" ] && [ "$(cat "$cache/$1.version" 2>/dev/null)" = "$2" ]
}

# Builds <package> from the tools module in scripts/tools/<name>, whose go.mod copies the
# replace/exclude lines of the tool's own go.mod. The module is copied to a scratch directory so a
# build never rewrites the committed go.mod/go.sum.
build_from_module() {
  local name="$1" version="$2" package="$3" ldflags="$4" work started
  if is_current "$name" "$version"; then
    log "$name $version: cached at $cache/$name"
    return 0
  fi
  started=$SECONDS
  log "$name $version: building from the Go module proxy (slow the first time)"
  work="$(mktemp -d)"
  cp "$here/$name/go.mod" "$here/$name/go.sum" "$here/$name/tools.go" "$work/"
  # These Kong modules are not in the public checksum database; go.sum still pins their hashes.
  (cd "$work" && GONOSUMDB="github.com/kong/go-apiops,github.com/kong/kubernetes-configuration" \
    GOFLAGS=-mod=readonly go build -trimpath -ldflags "$ldflags" -o "$cache/$name.tmp" "$package")
  rm -rf "$work"
  mv "$cache/$name.tmp" "$cache/$name"
  printf '%s\n' "$version" >"$cache/$name.version"
  log "$name $version: built in $((SECONDS - started)) s"
}

# go install <package>@<version> into the cache, for tools whose go.mod needs no copying.
go_install() {
  local name="$1" version="$2" package="$3" started
  if is_current "$name" "$version"; then
    log "$name $version: cached at $cache/$name"
    return 0
  fi
  started=$SECONDS
  log "$name $version: go install (slow the first time)"
  GOBIN="$cache" go install "$package@$version"
  printf '%s\n' "$version" >"$cache/$name.version"
  log "$name $version: built in $((SECONDS - started)) s"
}

if ! command -v go >/dev/null 2>&1; then
  log "Go is not on PATH: the tools build from the Go module proxy and need Go >= 1.24"
  exit 1
fi

tools=("$@")
[ "${#tools[@]}" -gt 0 ] || tools=(deck actionlint helm kubectl-validate)
for tool in "${tools[@]}"; do
  case "$tool" in
    deck)
      build_from_module deck "$DECK_VERSION" github.com/kong/deck \
        "-s -w -X github.com/kong/deck/cmd.VERSION=$DECK_VERSION"
      ;;
    actionlint) go_install actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint ;;
    helm) go_install helm "$HELM_VERSION" helm.sh/helm/v4/cmd/helm ;;
    kubectl-validate) go_install kubectl-validate "$KUBECTL_VALIDATE_VERSION" sigs.k8s.io/kubectl-validate ;;
    compose)
      build_from_module compose "$COMPOSE_VERSION" github.com/docker/compose/v2/cmd \
        "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION"
      # The docker CLI finds compose as a plugin here when DOCKER_CONFIG points at $cache/docker.
      mkdir -p "$cache/docker/cli-plugins"
      ln -sf "$cache/compose" "$cache/docker/cli-plugins/docker-compose"
      ;;
    *)
      log "unknown tool '$tool' (expected deck, actionlint, helm, kubectl-validate or compose)"
      exit 2
      ;;
  esac
done
printf '%s\n' "$cache"
