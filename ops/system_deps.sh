#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing (the browser for the
# widget test, nginx for the load-balancer test). Idempotent: nothing happens when all are there.
# Usage: ops/system_deps.sh <command>=<debian-package> ...
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || [ -x "${pair%%=*}" ] || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo ">> installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! $sudo apt-get install -y -q "${missing[@]}"; then
  $sudo apt-get update -q && $sudo apt-get install -y -q "${missing[@]}"
fi
