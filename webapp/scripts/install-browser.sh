#!/usr/bin/env bash
# Installs the headless browser the webapp's browser test drives
# (`npm run test:browser`): Debian's chromium at /usr/bin/chromium.
# playwright-core never downloads a browser of its own; it is pointed at
# this one. Needs root (CI runs as root); does nothing when chromium is
# already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser: $CHROMIUM is missing and installing it needs root (apt-get install -y chromium)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium fonts-dejavu-core
echo "install-browser: $("$CHROMIUM" --version)"
