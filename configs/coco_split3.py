# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""COCO-20^3 (the paper's COCO-20^{4}), novel classes 61-80: 19.0 mIoU.

  python -m smcp_jax.train --config configs/coco_split3.py --workdir RUN
  python -m smcp_jax.evaluate --config configs/coco_split3.py --checkpoint RUN

Data, weights, settings, run time and the paper's table: configs/base.py.
"""

from configs import base


def get_config():
  return base.coco(fold=3)
