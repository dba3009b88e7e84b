# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL-5^1 (the paper's PASCAL-5^{2}): novel classes 6..10
(bus, car, cat, chair, cow).

  python -m smcp_jax.train --config configs/pascal_split1.py \
      --workdir runs/pascal1 --config.data.root=data/VOCdevkit/VOC2012 \
      --config.train.init_from=weights/vgg16_imagenet
  python -m smcp_jax.evaluate --config configs/pascal_split1.py \
      --checkpoint runs/pascal1 --config.data.root=data/VOCdevkit/VOC2012

Expected: 61.9 mIoU on this fold, 1-shot, fused prototype, 5 runs x
1000 episodes (paper, Table I; 52.6 mIoU and 68.7 FB-IoU over the four
folds). 40k steps at batch 1; a step takes about 10 s on a 2-core CPU (the
README's "Measured"), so train on a GPU. Needs the SBD-augmented VOC2012
(README, "Data") and the converted ImageNet VGG-16 (README, "Weight
conversion").
"""

from configs import base


def get_config():
  return base.pascal(fold=1)
