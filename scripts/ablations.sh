#!/usr/bin/env bash
# The toy versions of the paper's Tables V, VI, VII and IX and of its k-shot
# test (Fig. 9), on fold 0's novel classes: trains configs/toy.py (the demo's
# recipe, from the toy's pretrained encoder) with components switched off,
# and evaluates the demo's model (runs/demo, the full network) with each
# prototype mode, support annotation and shot count. About 30 minutes on 2
# CPU cores. Results: runs/ablations/*.json and the tables on stdout.
# Usage: bash scripts/ablations.sh   (needs runs/demo: bash scripts/demo.sh)
source "$(dirname "$0")/_venv.sh"
out=runs/ablations
mkdir -p "$out"
if [ ! -f runs/demo/params/params.msgpack ]; then
  echo "error: runs/demo has no trained model: run bash scripts/demo.sh first" >&2
  exit 1
fi
no_spt=--config.train.self_prototype=False
declare -A variants=(
  [base]="--config.model.use_mcl=False --config.model.use_pff=False $no_spt"
  [mcl]="--config.model.use_pff=False $no_spt"
  [pff]="--config.model.use_mcl=False $no_spt"
  [mcl_pff]="$no_spt"
  [pff_spt]="--config.model.use_mcl=False"
  [frozen]="--config.model.use_mcl=False --config.train.freeze_encoder=True"
)
for name in base mcl pff mcl_pff pff_spt frozen; do
  # shellcheck disable=SC2086
  "$PY" -m smcp_jax.train --config configs/toy.py --workdir "$out/$name" \
      ${variants[$name]}
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
  "$PY" -m smcp_jax.evaluate --checkpoint runs/demo ${tests[$name]} \
      --report "$out/demo_$name.json"
done
cp runs/demo/eval_trained.json "$out/demo_fused.json"
"$PY" - <<'PY'
import json
out = 'runs/ablations'


def cell(name):
  r = json.load(open(f'{out}/{name}.json'))
  return (f'{r["miou"]:.1f} +- {r["miou_std"]:.1f} | '
          f'{r["fb_iou"]:.1f} +- {r["fb_iou_std"]:.1f}')


print('Table V\n| MCL | PFF | SPT | mIoU | FB-IoU |\n|---|---|---|---|---|')
for name, marks in (('base', '   '), ('pff', ' x '), ('mcl', 'x  '),
                    ('mcl_pff', 'xx '), ('demo_fused', 'xxx')):
  print('| ' + ' | '.join('x' if c == 'x' else '' for c in marks)
        + f' | {cell(name)} |')
for title, rows in (
    ('Table VI', (('support prototype', 'demo_support'),
                  ('pseudo-prototype', 'demo_pseudo'),
                  ('fused', 'demo_fused'))),
    ('Table VII', (('with MCL (the demo)', 'demo_fused'),
                   ('without MCL', 'pff_spt'),
                   ('frozen encoder, without MCL', 'frozen'))),
    ('Table IX', (('dense', 'demo_fused'), ('scribble', 'demo_scribble'),
                  ('bounding box', 'demo_bbox'))),
    ('k-shot', (('1-shot, support prototype', 'demo_support'),
                ('1-shot, fused', 'demo_fused'),
                ('5-shot, support prototypes', 'demo_shots5_support'),
                ('5-shot, fused', 'demo_shots5_fused')))):
  print(f'\n{title}\n| | mIoU | FB-IoU |\n|---|---|---|')
  for label, name in rows:
    print(f'| {label} | {cell(name)} |')
PY
