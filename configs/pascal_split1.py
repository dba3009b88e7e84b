# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL-5^1 (the paper's PASCAL-5^{2}): novel classes 6..10.

Expects the SBD-augmented VOC2012 at data/VOCdevkit/VOC2012
(--config.data.root=...).
"""

from configs import base


def get_config():
  return base.pascal(fold=1)
