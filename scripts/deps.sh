#!/usr/bin/env bash
# Installs the Debian packages Celeriac builds and tests with, only those missing.
# Uses apt-get directly as root, else sudo.
set -euo pipefail
packages=(redis-server redis-tools libhiredis-dev libpq-dev libcurl4-openssl-dev zlib1g-dev pkg-config postgresql-15
  postgresql-client-15 python3-venv wrk curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system Redis/PostgreSQL; ours run on their own ports.
