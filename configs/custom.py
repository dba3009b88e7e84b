# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Your own data set (docs/custom_data.md): the custom VOC layout under
data.root, your classes and split, fine-tuned from the demo's model with
the toy's small network.

  python -m smcp_jax.check_data --config configs/custom.py \\
      --config.data.root=data/shapes --config.data.novel_classes='cyan star,purple diamond'
  python -m smcp_jax.train --config configs/custom.py --workdir runs/shapes \\
      --config.data.root=data/shapes --config.data.novel_classes='cyan star,purple diamond'
  python -m smcp_jax.evaluate --checkpoint runs/shapes

Either data.novel_classes (names from classes.txt, or ids) or data.folds
(an N-fold split over the classes in id order; data.fold picks one). On a
GPU, or for real photographs, start from the converted ImageNet VGG-16
instead (configs/base.py: model.width 1, 417 px, init_from
weights/vgg16_imagenet).
"""

from configs import toy


def get_config():
  config = toy.get_config()
  config.data.dataset = 'custom'
  config.data.root = 'data/shapes'
  config.data.train_split = 'train'
  config.train.init_from = 'runs/demo/params'  # the demo's trained model
  config.train.num_steps = 200
  config.train.warmup_steps = 10
  config.train.lr = 0.02  # fine-tuning a trained model: a gentler step
  config.train.checkpoint_every_steps = 100
  return config
