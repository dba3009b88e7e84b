# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL-5^3 (the paper's PASCAL-5^{4}): novel classes 16..20
(pottedplant, sheep, sofa, train, tvmonitor).

  python -m smcp_jax.train --config configs/pascal_split3.py \
      --workdir runs/pascal3 --config.data.root=data/VOCdevkit/VOC2012 \
      --config.train.init_from=weights/vgg16_imagenet
  python -m smcp_jax.evaluate --config configs/pascal_split3.py \
      --checkpoint runs/pascal3 --config.data.root=data/VOCdevkit/VOC2012

Expected: 48.4 mIoU on this fold, 1-shot, fused prototype, 5 runs x
1000 episodes (paper, Table I; 52.6 mIoU and 68.7 FB-IoU over the four
folds). 40k steps at batch 1; a step takes about 10 s on a 2-core CPU (the
README's "Measured"), so train on a GPU. Needs the SBD-augmented VOC2012
(README, "Data") and the converted ImageNet VGG-16 (README, "Weight
conversion").
"""

from configs import base


def get_config():
  return base.pascal(fold=3)
