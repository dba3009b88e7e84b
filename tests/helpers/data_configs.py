# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The toy config the data tests start from, under a protocol, and its
batches and test episodes."""

from configs import toy
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from tests.helpers import training_data


def toy_config(root, tmp_path, **data):
  config = toy.get_config()
  config.data.root = root
  config.data.image_size = 65
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.test.episodes = 40
  for key, value in data.items():
    setattr(config.data, key, value)
  return config


def protocol_config(root, tmp_path, protocol, **test):
  """The resolved toy config at 33 px under `protocol`, its own episode
  count unless `test` sets one."""
  config = toy.get_config()
  config.data.root = root
  config.data.image_size = 33
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.test.protocol = protocol
  config.test.episodes = 0
  for key, value in test.items():
    setattr(config.test, key, value)
  return resolution.resolve(config)


def batches(config, global_batch, **kwargs):
  config.train.global_batch = global_batch
  return training_data.train_dataset(resolution.resolve(config), **kwargs)


def test_episodes(config, run):
  """(episodes, loader) of test run `run`."""
  config = resolution.resolve(config)
  return (builder.test_episodes(config.data, config.test, run=run),
          builder.test_loader(config.data, config.test))
