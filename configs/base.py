# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The paper's settings, and the PASCAL-5i / COCO-20i presets of the fold
configs (every field and its default: smcp_jax/config_lib/defaults.py).

The fold configs' commands take RUN, the run's folder (e.g. runs/p0), and
these overrides where the defaults do not fit:
  --config.data.root=...  PASCAL: VOCdevkit/VOC2012 of the SBD-augmented
                          VOC (default data/VOCdevkit/VOC2012); COCO: the
                          folder of train2014/, val2014/ and annotations/
                          (default data/coco; once: python -m
                          smcp_jax.coco_labels --root data/coco)
  --config.train.init_from=weights/vgg16_imagenet   the converted ImageNet
                          VGG-16 (docs/weights.md), as the paper
Settings (paper, IV-B): 417x417, SGD momentum 0.9, lr 2.5e-4 with poly
decay, weight decay 1e-4, lambda_mcl 0.1, 40k steps at batch 1 (PASCAL) or
4 (COCO); 5 runs x 1000 test episodes, fused prototype. A step at 417 px
takes about 10 s on a 2-core CPU (docs/performance.md): train on a GPU.
The number in each fold config is the paper's 1-shot mIoU for that fold
(Table I: PASCAL-5i, 52.6 over the folds, FB-IoU 68.7; Table III:
COCO-20i with the contiguous class split, 23.6 over the folds).
"""

import ml_collections

from smcp_jax.config_lib import defaults as config_defaults


def get_config() -> ml_collections.ConfigDict:
  return config_defaults.get_config()


def pascal(fold: int) -> ml_collections.ConfigDict:
  """PASCAL-5^fold with the paper's settings."""
  config = get_config()
  config.data.fold = fold
  return config


def coco(fold: int) -> ml_collections.ConfigDict:
  """COCO-20^fold (train2014; tests on val2014) with the paper's settings."""
  config = get_config()
  config.data.dataset = 'coco'
  config.data.root = 'data/coco'
  config.data.fold = fold
  config.data.train_split = 'train2014'
  config.train.global_batch = 4
  return config
