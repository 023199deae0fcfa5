#!/usr/bin/env bash
# Prints the path of a Python venv for the tests, (re)creating it when its requirements
# changed. Usage: scripts/venv.sh [REQUIREMENTS [VENV]]; defaults: the interop and fault
# tests' Tests/interop/requirements.txt in .celeriac/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-Tests/interop/requirements.txt}
venv=${2:-.celeriac/venv}
if ! cmp -s "$requirements" "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$venv/requirements.txt"
fi
echo "$venv"
