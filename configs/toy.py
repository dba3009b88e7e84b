# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The embedded default: the generated toy data set and a narrow network.

  python -m smcp_jax.data.toy --out data/toy
  python -m smcp_jax.data.check --config configs/toy.py
"""

from configs import base


def get_config():
  config = base.get_config()
  config.data.dataset = 'toy'
  config.data.root = 'data/toy/VOCdevkit/VOC2012'
  config.data.image_size = 129  # 16x16 features
  config.test.episodes = 300
  config.model.width = 0.25
  return config
