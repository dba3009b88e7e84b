#!/usr/bin/env bash
# Runs the test suite (slow and GPU tests are skipped; add `-m slow` for them).
# Usage: bash scripts/test.sh [pytest args...]
source "$(dirname "$0")/_venv.sh"
exec "$PY" -m pytest -n "${SMCP_TEST_WORKERS:-2}" "$@"
