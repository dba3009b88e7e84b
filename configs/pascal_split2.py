# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL-5^2 (the paper's PASCAL-5^{3}): novel classes 11..15.

Expects the SBD-augmented VOC2012 at data/VOCdevkit/VOC2012
(--config.data.root=...).
"""

from configs import base


def get_config():
  return base.pascal(fold=2)
