# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""COCO-20^1 (the paper's COCO-20^{2}) from COCO 2014: train2014, tests on
val2014; novel classes 21..40 of the 80 in category-id order.

  python -m smcp_jax.data.coco --root data/coco    # once: semantic labels
  python -m smcp_jax.train --config configs/coco_split1.py \
      --workdir runs/coco1 --config.data.root=data/coco \
      --config.train.init_from=weights/vgg16_imagenet
  python -m smcp_jax.evaluate --config configs/coco_split1.py \
      --checkpoint runs/coco1 --config.data.root=data/coco

Expected: 23.5 mIoU on this fold, 1-shot, fused prototype (paper,
Table III; 23.6 over the four folds). 40k steps at batch 4. Class split:
--config.data.coco_split=contiguous (the authors', default; the paper's
numbers) or interleaved (FWB / PFENet / HSNet: 4k+2).
"""

from configs import base


def get_config():
  return base.coco(fold=1)
