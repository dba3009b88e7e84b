#!/usr/bin/env bash
# The main job on the embedded default. Until training lands (issue 4) this
# builds the toy-width SMCP network and runs its one-shot forward passes.
# Usage: bash scripts/demo.sh
source "$(dirname "$0")/_venv.sh"
exec "$PY" -m smcp_jax.models.summary --width 0.25 --size 129
