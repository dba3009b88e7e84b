#!/usr/bin/env bash
# The main job on the embedded default (no download): generates the toy data
# set in PASCAL VOC layout, checks it, and runs the toy-width SMCP network's
# one-shot forward passes. Training and evaluation join here with issue 4.
# Usage: bash scripts/demo.sh
source "$(dirname "$0")/_venv.sh"
if [ ! -f data/toy/VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt ]; then
  "$PY" -m smcp_jax.data.toy --out data/toy
fi
"$PY" -m smcp_jax.data.check --config configs/toy.py
exec "$PY" -m smcp_jax.models.summary --width 0.25 --size 129
