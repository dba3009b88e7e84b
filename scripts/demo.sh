#!/usr/bin/env bash
# The main job on the embedded default, no download: generates the toy data
# set (PASCAL VOC layout), checks it, fine-tunes SMCP on fold 0's training
# classes from the toy's pretrained encoder (as the paper fine-tunes
# ImageNet VGG-16), and evaluates one-shot segmentation of the 5 novel
# classes next to the network before training (one run of the same test
# episodes: its score barely varies, and the full 5 runs cost half a
# minute).
# Reports: runs/demo/*.json, pictures of the first episodes: runs/demo/panels/.
# Usage: bash scripts/demo.sh      (re-running resumes / reuses what exists)
source "$(dirname "$0")/_venv.sh"
set -x
if [ ! -f data/toy/VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt ]; then
  "$PY" -m smcp_jax.toy --out data/toy
fi
"$PY" -m smcp_jax.check_data --config configs/toy.py
"$PY" -m smcp_jax.train --config configs/toy.py --workdir runs/demo
"$PY" -m smcp_jax.evaluate --config configs/toy.py --untrained \
    --config.test.runs=1 --report runs/demo/eval_untrained.json
"$PY" -m smcp_jax.evaluate --checkpoint runs/demo \
    --report runs/demo/eval_trained.json --save_panels 6
set +x
"$PY" - <<'PY'
import json
rows = [(label, json.load(open(f'runs/demo/eval_{name}.json')))
        for name, label in (('untrained', 'before training'),
                            ('trained', 'trained'))]
print('\nToy fold 0, novel classes 1-5, 1-shot, fused prototype '
      '(before training: the pretrained encoder, random heads):')
for label, r in rows:
  runs = len(r['per_run'])
  spread = (f'mIoU {r["miou"]:5.1f} +- {r["miou_std"]:.1f}   FB-IoU '
            f'{r["fb_iou"]:5.1f} +- {r["fb_iou_std"]:.1f}' if runs > 1 else
            f'mIoU {r["miou"]:5.1f}          FB-IoU {r["fb_iou"]:5.1f}')
  print(f'  {label:>15}: {spread}   ({runs} x {r["episodes"]} episodes)')
print('Expected after training on a 2-core x86-64 CPU: mIoU 59 to 66, mean 63 '
      '(10 training runs,\n2026-12-07); each seed and each CPU is one draw '
      'from about that range (docs/results.md).')
PY
echo
echo "Segment your own images in the browser (the toy example is one click):"
echo "  .venv/bin/python -m smcp_jax.app --checkpoint runs/demo"
