# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The embedded default: the generated toy data set and a narrow network.

  python -m smcp_jax.data.toy --out data/toy
  python -m smcp_jax.data.check --config configs/toy.py
  python -m smcp_jax.train --config configs/toy.py --workdir runs/demo
  python -m smcp_jax.evaluate --config configs/toy.py --checkpoint runs/demo

About 4 minutes of training on 2 CPU cores (500 steps x 8 episodes at
65x65, ~16 episodes/s); `bash scripts/demo.sh` runs all of it.
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
  config.train.num_steps = 500
  config.train.global_batch = 8
  config.train.lr = 0.05
  config.train.log_every_steps = 20
  config.train.checkpoint_every_steps = 200
  return config
