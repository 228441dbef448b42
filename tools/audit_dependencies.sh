#!/usr/bin/env bash
# The locked dependencies against the known vulnerabilities (pip-audit, PyPI's advisory data).
# Fails on any known vulnerability. When the advisory service cannot be reached (a machine that
# reaches the package index only), pip-audit audits nothing: that is said plainly, not counted
# as a pass, and does not fail the build, since it says nothing about the code.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
.venv/bin/pip-audit --disable-pip --require-hashes -r requirements/production.lock \
  -r requirements/development.lock --vulnerability-service pypi --progress-spinner off >"$out" 2>&1
status=$?
cat "$out"
packages="$(grep -c '==' requirements/development.lock || true)"
skipped="$(grep -c 'could not be audited' "$out" || true)"
if [ "$status" -ne 0 ] && grep -q 'Found [0-9]* known vulnerabilit' "$out"; then
  echo "pip-audit: known vulnerabilities in the locked dependencies (above)." >&2
  exit 1
fi
if [ "$skipped" -ge "$packages" ]; then
  echo "pip-audit: NOT AUDITED: the advisory service did not answer for any package from this machine."
  exit 0
fi
if [ "$status" -ne 0 ]; then
  echo "pip-audit failed (above)." >&2
  exit 1
fi
echo "pip-audit: no known vulnerabilities in $packages locked packages."
