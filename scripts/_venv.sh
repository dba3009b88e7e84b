# Sourced by the scripts: makes ./.venv (Python >= 3.11) with smcp_jax and its
# convert/test/app extras installed, re-installing only when pyproject.toml
# changes. Sets PY to the venv's python.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: smcp-jax needs Python >= 3.11 (found $("$python" --version 2>&1));" \
       "set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "Installing smcp-jax into .venv (first run: about 2-3 minutes)..."
  .venv/bin/python -m pip install -q -e ".[convert,test,app]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
PY="$ROOT/.venv/bin/python"
