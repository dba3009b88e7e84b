# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""COCO-20^1 from COCO 2014 (train2014 / val2014 + annotations/).

Class split: --config.data.coco_split=contiguous (the authors', default) or
interleaved (FWB / HSNet).
"""

from configs import base


def get_config():
  return base.coco(fold=1)
