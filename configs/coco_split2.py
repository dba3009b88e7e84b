# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""COCO-20^2 from COCO 2014 (train2014 / val2014 + annotations/).

Class split: --config.data.coco_split=contiguous (the authors', default) or
interleaved (FWB / HSNet).
"""

from configs import base


def get_config():
  config = base.get_config()
  config.data.dataset = 'coco'
  config.data.root = 'data/coco'
  config.data.fold = 2
  config.data.train_split = 'train2014'
  config.model.num_mcl_classes = 61  # |C_train| + 1; authors' code: 81
  return config
