# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL-5^2 (the paper's PASCAL-5^{3}), novel classes 11-15: 49.4 mIoU.

  python -m smcp_jax.train --config configs/pascal_split2.py --workdir RUN
  python -m smcp_jax.evaluate --config configs/pascal_split2.py --checkpoint RUN

Data, weights, settings, run time and the paper's table: configs/base.py.
"""

from configs import base


def get_config():
  return base.pascal(fold=2)
