#!/usr/bin/env bash
# The toy versions of the paper's Tables V, VI, VII and IX and of its k-shot
# test (Fig. 9), on fold 0's novel classes: trains configs/toy.py (the demo's
# recipe, from the toy's pretrained encoder) in full and with components
# switched off, and evaluates the full network with each prototype mode,
# support annotation and shot count. About 80 minutes on 2 CPU cores
# (40 with --config.train.num_steps=400, the recipe of docs/results.md's
# tables).
# Results: runs/ablations/*.json and the tables on stdout.
# Usage: bash scripts/ablations.sh [--config.x=y ...]   (needs data/toy:
# bash scripts/demo.sh; the flags go to every training, e.g.
# --config.train.optimizer=adam --config.train.lr=1e-3)
source "$(dirname "$0")/_venv.sh"
out=runs/ablations
mkdir -p "$out"
if [ ! -f data/toy/VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt ]; then
  echo "error: no toy data set in data/toy: run bash scripts/demo.sh first" >&2
  exit 1
fi
no_spt=--config.train.self_prototype=False
declare -A variants=(
  [full]=""
  [base]="--config.model.use_mcl=False --config.model.use_pff=False $no_spt"
  [mcl]="--config.model.use_pff=False $no_spt"
  [pff]="--config.model.use_mcl=False $no_spt"
  [mcl_pff]="$no_spt"
  [pff_spt]="--config.model.use_mcl=False"
  [frozen]="--config.model.use_mcl=False --config.train.freeze_encoder=True"
)
for name in full base mcl pff mcl_pff pff_spt frozen; do
  # shellcheck disable=SC2086
  "$PY" -m smcp_jax.train --config configs/toy.py --workdir "$out/$name" \
      ${variants[$name]} "$@"
  # shellcheck disable=SC2086
  "$PY" -m smcp_jax.evaluate --checkpoint "$out/$name" \
      --report "$out/$name.json"
done
declare -A tests=(
  [support]="--config.test.prototype=support"
  [pseudo]="--config.test.prototype=pseudo"
  [scribble]="--config.test.annotation=scribble"
  [bbox]="--config.test.annotation=bbox"
  [shots5_support]="--config.data.shots=5 --config.test.prototype=support"
  [shots5_fused]="--config.data.shots=5"
)
for name in support pseudo scribble bbox shots5_support shots5_fused; do
  # shellcheck disable=SC2086
  "$PY" -m smcp_jax.evaluate --checkpoint "$out/full" ${tests[$name]} \
      --report "$out/full_$name.json"
done
"$PY" - <<'PY'
import json
out = 'runs/ablations'


def cell(name):
  r = json.load(open(f'{out}/{name}.json'))
  return (f'{r["miou"]:.1f} +- {r["miou_std"]:.1f} | '
          f'{r["fb_iou"]:.1f} +- {r["fb_iou_std"]:.1f}')


print('Table V\n| MCL | PFF | SPT | mIoU | FB-IoU |\n|---|---|---|---|---|')
for name, marks in (('base', '   '), ('pff', ' x '), ('mcl', 'x  '),
                    ('mcl_pff', 'xx '), ('full', 'xxx')):
  print('| ' + ' | '.join('x' if c == 'x' else '' for c in marks)
        + f' | {cell(name)} |')
for title, rows in (
    ('Table VI', (('support prototype', 'full_support'),
                  ('pseudo-prototype', 'full_pseudo'),
                  ('fused', 'full'))),
    ('Table VII', (('with MCL', 'full'),
                   ('without MCL', 'pff_spt'),
                   ('frozen encoder, without MCL', 'frozen'))),
    ('Table IX', (('dense', 'full'), ('scribble', 'full_scribble'),
                  ('bounding box', 'full_bbox'))),
    ('k-shot', (('1-shot, support prototype', 'full_support'),
                ('1-shot, fused', 'full'),
                ('5-shot, support prototypes', 'full_shots5_support'),
                ('5-shot, fused', 'full_shots5_fused')))):
  print(f'\n{title}\n| | mIoU | FB-IoU |\n|---|---|---|')
  for label, name in rows:
    print(f'| {label} | {cell(name)} |')
PY
