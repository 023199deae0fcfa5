#!/usr/bin/env bash
# Prints the path of the Python venv for interop and fault tests, (re)creating it when
# Tests/interop/requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.celeriac/venv
if ! cmp -s Tests/interop/requirements.txt "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/interop/requirements.txt >&2
  cp Tests/interop/requirements.txt "$venv/requirements.txt"
fi
echo "$venv"
