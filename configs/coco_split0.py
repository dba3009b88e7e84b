# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""COCO-20^0 (the paper's COCO-20^{1}), novel classes 1-20: 32.2 mIoU.

  python -m smcp_jax.train --config configs/coco_split0.py --workdir RUN
  python -m smcp_jax.evaluate --config configs/coco_split0.py --checkpoint RUN

Data, weights, settings, run time and the paper's table: configs/base.py.
"""

from configs import base


def get_config():
  return base.coco(fold=0)
