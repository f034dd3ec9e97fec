#!/usr/bin/env bash
# Makes sure a headless Chromium exists for the browser end-to-end test of apps/example-express.
# Uses CHROMIUM_PATH when set, else Debian's chromium package at /usr/bin/chromium, installing
# it with apt-get when running as root. Safe to run again; prints the browser it found.
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  echo "stowage: browser $browser ($("$browser" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "stowage: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "stowage: /usr/bin/chromium is missing. Install it with 'sudo apt-get install -y chromium'" >&2
  echo "         or point CHROMIUM_PATH at a Chromium or Chrome executable, then run this again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "stowage: no apt-get here; install Chromium yourself and set CHROMIUM_PATH to it" >&2
  exit 1
fi

echo "stowage: installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "stowage: apt-get finished but /usr/bin/chromium is still missing" >&2
  exit 1
fi
echo "stowage: browser /usr/bin/chromium ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
