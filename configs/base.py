# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The paper's settings, and the PASCAL-5i / COCO-20i presets of the fold
configs. Every field and its default: smcp_jax/config_defaults.py.
"""

import ml_collections

from smcp_jax import config_defaults


def get_config() -> ml_collections.ConfigDict:
  return config_defaults.get_config()


def pascal(fold: int) -> ml_collections.ConfigDict:
  """PASCAL-5^fold with the paper's settings."""
  config = get_config()
  config.data.fold = fold
  return config


def coco(fold: int) -> ml_collections.ConfigDict:
  """COCO-20^fold (train2014; tests on val2014) with the paper's settings."""
  config = get_config()
  config.data.dataset = 'coco'
  config.data.root = 'data/coco'
  config.data.fold = fold
  config.data.train_split = 'train2014'
  config.train.global_batch = 4
  return config
