#!/usr/bin/env bash
# Installs what the browser test of the status page needs: Debian's Chromium and its WebDriver. Installs only when
# missing (apt needs root: CI runs as root; elsewhere sudo is used when there). Called by scripts/test.sh.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-tools: no apt-get here; install Chromium and chromedriver yourself (the status page test skips without them)" >&2
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-test-tools: not root and no sudo; the status page test skips without Chromium" >&2
        exit 0
    fi
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
