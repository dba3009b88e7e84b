# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The embedded default: the generated toy data set and a narrow network.

  python -m smcp_jax.data.toy --out data/toy
  python -m smcp_jax.data.check --config configs/toy.py
  python -m smcp_jax.train --config configs/toy.py --workdir runs/demo
  python -m smcp_jax.evaluate --config configs/toy.py --checkpoint runs/demo

`bash scripts/demo.sh` runs all of it. As the paper fine-tunes ImageNet
VGG-16, the toy fine-tunes the toy's pretrained encoder (smcp_jax/assets/
toy_encoder, made by `python -m smcp_jax.toy_encoder` from a generated set
with no toy class in it). Expected: 54.1 mIoU and 74.9 FB-IoU on fold 0's
novel classes (5 runs x 300 episodes, fused prototype), after about 4.5
minutes of training on 2 CPU cores (400 steps x 8 episodes at 129x129;
README, "Toy results", with the variants tried).

Adam, not the paper's SGD: with the pretrained encoder SGD (lr 0.01)
reached 36.4 mIoU where Adam reached 42.3 in the same 500 steps at 97 px;
from random init SGD sat on the predict-the-background plateau for 250-300
steps and some variants never left it.
"""

from configs import base
from smcp_jax import assets


def get_config():
  config = base.get_config()
  config.data.dataset = 'toy'
  config.data.root = 'data/toy/VOCdevkit/VOC2012'
  config.data.image_size = 129  # 16x16 features
  config.test.episodes = 300
  config.model.width = 0.25
  config.train.init_from = assets.TOY_ENCODER
  config.train.num_steps = 400
  config.train.global_batch = 8
  config.train.optimizer = 'adam'
  config.train.lr = 1e-3
  config.train.warmup_steps = 20
  config.train.log_every_steps = 20
  config.train.checkpoint_every_steps = 200
  return config
