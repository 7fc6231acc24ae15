#!/usr/bin/env bash
# A long RapidCheck campaign over the model's properties (not part of the default suite).
#   ./scripts/properties-campaign.sh [max_success]     default 2000 cases per property
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kdc_properties
RC_PARAMS="max_success=${1:-2000} max_size=100" build/kdc_properties
