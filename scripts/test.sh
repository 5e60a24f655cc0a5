#!/usr/bin/env bash
# The README's test command: every test (unit, gateway end-to-end with provider simulators and real clients).
# Needs only Java 17+ and Maven; Maven fetches everything else from Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-tools.sh # Chromium for the status page test, when missing
mvn -B -ntp test "$@"
