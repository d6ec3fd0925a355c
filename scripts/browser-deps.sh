#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright for Python drives it; it downloads no
# browser of its own). Needs root for apt-get; does nothing when chromium is already there.
set -euo pipefail
if command -v chromium >/dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "chromium missing: run 'sudo apt-get install -y chromium'"; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
command -v chromium
