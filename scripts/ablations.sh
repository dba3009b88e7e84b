#!/usr/bin/env bash
# The toy version of the paper's Tables V and VI: trains configs/toy.py with
# each component switched off, evaluates each on fold 0's novel classes, and
# evaluates the full model with each prototype mode. About 30 minutes on 2
# CPU cores. Results: runs/ablations/*.json and a table on stdout.
# Usage: bash scripts/ablations.sh   (needs data/toy: bash scripts/demo.sh)
source "$(dirname "$0")/_venv.sh"
out=runs/ablations
mkdir -p "$out"
declare -A rows=(
  [base]="--config.model.use_mcl=False --config.model.use_pff=False --config.train.self_prototype=False"
  [mcl]="--config.model.use_pff=False --config.train.self_prototype=False"
  [pff]="--config.model.use_mcl=False --config.train.self_prototype=False"
  [mcl_pff]="--config.train.self_prototype=False"
  [mcl_pff_spt]=""
)
for name in base mcl pff mcl_pff mcl_pff_spt; do
  # shellcheck disable=SC2086
  "$PY" -m smcp_jax.train --config configs/toy.py --workdir "$out/$name" ${rows[$name]}
  for mode in support pseudo fused; do
    [ "$name" != mcl_pff_spt ] && [ "$mode" != fused ] && continue
    # shellcheck disable=SC2086
    "$PY" -m smcp_jax.evaluate --config configs/toy.py --checkpoint "$out/$name" \
        ${rows[$name]} --config.test.prototype=$mode --report "$out/${name}_$mode.json"
  done
done
"$PY" - <<'PY'
import json
out = 'runs/ablations'
load = lambda n: json.load(open(f'{out}/{n}.json'))
print('| MCL | PFF | SPT | mIoU | FB-IoU |\n|---|---|---|---|---|')
for name, flags in (('base', '  '), ('mcl', 'x  '), ('pff', ' x '),
                    ('mcl_pff', 'xx '), ('mcl_pff_spt', 'xxx')):
  r = load(f'{name}_fused')
  marks = ' | '.join('x' if c == 'x' else '' for c in flags.ljust(3))
  print(f'| {marks} | {r["miou"]:.1f} +- {r["miou_std"]:.1f} | '
        f'{r["fb_iou"]:.1f} +- {r["fb_iou_std"]:.1f} |')
print('\n| prototype | mIoU | FB-IoU |\n|---|---|---|')
for mode in ('support', 'pseudo', 'fused'):
  r = load(f'mcl_pff_spt_{mode}')
  print(f'| {mode} | {r["miou"]:.1f} +- {r["miou_std"]:.1f} | '
        f'{r["fb_iou"]:.1f} +- {r["fb_iou_std"]:.1f} |')
PY
