#!/usr/bin/env bash
# Installs every Debian package kdc needs to build and test. A no-op when all are present,
# so both README commands (and CI on a fresh clone) can call it unconditionally.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libz3-dev              # symbolic engine
  librapidcheck-dev      # property tests
  libgtest-dev libgmock-dev
  libboost-graph-dev     # SCCs, dependency-graph cycles
  libbenchmark-dev       # bench/
  librdkafka-dev         # real-client conformance (mock cluster)
  nlohmann-json3-dev     # JSON output and traces
  libcli11-dev           # command line
  libfmt-dev
  libabsl-dev            # flat hash sets in the explicit checker
  libxxhash-dev          # state hashing
  libpugixml-dev         # tests parse the SVG diagrams of kdc explain as XML
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
