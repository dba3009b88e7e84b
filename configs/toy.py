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
  config.data.image_size = 65  # 8x8 features: ~16 episodes/s on 2 cores
  config.test.episodes = 300
  config.model.width = 0.25
  # Random init (no ImageNet weights here), so a larger learning rate.
  config.train.num_steps = 600
  config.train.global_batch = 8
  config.train.lr = 0.01
  config.train.log_every_steps = 20
  config.train.checkpoint_every_steps = 200
  return config
