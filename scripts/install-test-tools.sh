#!/usr/bin/env bash
# Installs what the tests need from Debian: Chromium and its WebDriver for the browser test of the status page, and
# redis-server for the tests of the Redis limit store and cooldown board. Installs only what is missing, in one apt-get
# call (apt needs root: CI runs as root; elsewhere sudo is used when there). Called by scripts/test.sh.
set -euo pipefail
packages=()
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    packages+=(chromium chromium-driver)
fi
if ! command -v redis-server >/dev/null 2>&1; then
    packages+=(redis-server)
fi
if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-tools: no apt-get here; install ${packages[*]} yourself (the tests that need them skip without them)" >&2
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-test-tools: not root and no sudo; the tests that need ${packages[*]} skip without them" >&2
        exit 0
    fi
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
