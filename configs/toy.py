# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The embedded default: the generated toy data set and a narrow network.

  python -m smcp_jax.data.toy --out data/toy
  python -m smcp_jax.data.check --config configs/toy.py
  python -m smcp_jax.train --config configs/toy.py --workdir runs/demo
  python -m smcp_jax.evaluate --config configs/toy.py --checkpoint runs/demo

`bash scripts/demo.sh` runs all of it. Expected: 26.2 mIoU and 59.0
FB-IoU on fold 0's novel classes (5 runs x 300 episodes, fused prototype;
the untrained network: 0.0 / 46.4), after about 2 minutes of training on 2
CPU cores (500 steps x 8 episodes at 65x65; README, "Toy results").

The paper fine-tunes ImageNet weights with SGD. Here the network starts
from random weights, and with SGD every variant sat for 250-300 steps on
the plateau where it predicts the background prior; some (PFF without MCL,
and the full model in one 600-step run) never left it. Adam with a short
warm-up leaves it by step ~120 in every run measured (README, "Toy
results"), so the toy uses Adam; the paper's configs keep SGD.
"""

from configs import base


def get_config():
  config = base.get_config()
  config.data.dataset = 'toy'
  config.data.root = 'data/toy/VOCdevkit/VOC2012'
  config.data.image_size = 65  # 8x8 features
  config.test.episodes = 300
  config.model.width = 0.25
  config.train.num_steps = 500
  config.train.global_batch = 8
  config.train.optimizer = 'adam'
  config.train.lr = 1e-3
  config.train.warmup_steps = 20
  config.train.log_every_steps = 20
  config.train.checkpoint_every_steps = 200
  return config
