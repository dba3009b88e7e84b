# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL-5^0 (the paper's PASCAL-5^{1}): novel classes 1..5.

Expects the SBD-augmented VOC2012 at data/VOCdevkit/VOC2012
(--config.data.root=...).
"""

from configs import base


def get_config():
  return base.pascal(fold=0)
