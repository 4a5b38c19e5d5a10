#!/usr/bin/env bash
# Runs every vigil test: installs and starts what the tests need on a fresh
# Debian 12 machine (PostgreSQL 15 and Redis from Debian packages, Jaeger and
# Prometheus built from their pinned Go modules in tools/), then runs
# `go test -race` over the whole module. Extra arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/.cache/bin
mkdir -p "$bin"

log() { printf '== %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() {
	if [ -z "$apt_updated" ]; then
		as_root apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# build_tool NAME MODULE_DIR PACKAGE builds a pinned tool once into .cache/bin.
# The binary name carries the tools module's go.sum hash, so a version bump
# rebuilds it.
build_tool() {
	local name=$1 dir=$2 pkg=$3
	local sum
	sum=$(sha256sum "$dir/go.sum" | cut -c1-12)
	local out=$bin/$name-$sum
	if [ ! -x "$out" ]; then
		log "building $name from $dir (first run takes minutes)"
		(cd "$dir" && go build -o "$out.tmp" "$pkg") && mv "$out.tmp" "$out" || return 1
	fi
	printf '%s\n' "$out"
}

# PostgreSQL 15 (tests run initdb and pg_ctl as the postgres user).
pg_bindir=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bindir/initdb" ]; then
	log "installing PostgreSQL from Debian packages"
	apt_install postgresql
fi
export VIGIL_PG_BINDIR=$pg_bindir

# Jaeger all-in-one, pinned in tools/jaeger.
VIGIL_JAEGER_BIN=$(build_tool jaeger tools/jaeger \
	github.com/jaegertracing/jaeger/cmd/jaeger)
export VIGIL_JAEGER_BIN

# Reference stack.
# Redis for the shop cache's tests; Prometheus and promtool, pinned in
# tools/prometheus, for tools/stackcheck, whose tests verify the compose
# stack, the rules and the dashboards, and scrape the running shop.
if ! command -v redis-server >/dev/null 2>&1; then
	log "installing Redis from Debian packages"
	apt_install redis-server
fi
VIGIL_REDIS_BIN=$(command -v redis-server)
VIGIL_PROMETHEUS_BIN=$(build_tool prometheus tools/prometheus \
	github.com/prometheus/prometheus/cmd/prometheus)
VIGIL_PROMTOOL_BIN=$(build_tool promtool tools/prometheus \
	github.com/prometheus/prometheus/cmd/promtool)
VIGIL_REPO_ROOT=$root
export VIGIL_REDIS_BIN VIGIL_PROMETHEUS_BIN VIGIL_PROMTOOL_BIN VIGIL_REPO_ROOT

log "go test -race ./... in tools/stackcheck"
(cd tools/stackcheck && go test -race -count=1 -timeout 15m ./...)

log "go test -race ./..."
go test -race -count=1 -timeout 30m "$@" ./...
