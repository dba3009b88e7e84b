# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Runs a tiny training in a fresh process (device count set by XLA_FLAGS).

  python -m tests.train_script TOY_ROOT WORKDIR STEPS [key=value ...]
"""

import sys

import jax

from configs import toy
from smcp_jax import train_lib


def tiny_config(root: str, steps: int):
  config = toy.get_config()
  config.data.root = root
  config.data.image_size = 33
  config.model.width = 1 / 16
  config.train.num_steps = steps
  config.train.global_batch = 4
  config.train.log_every_steps = 1
  config.train.checkpoint_every_steps = 4
  return config


def main():
  root, workdir, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
  config = tiny_config(root, steps)
  for item in sys.argv[4:]:
    key, value = item.split('=')
    section, name = key.split('.')
    config[section][name] = type(config[section][name])(value)
  print('devices', jax.device_count(), flush=True)
  train_lib.train_and_evaluate(config, workdir)


if __name__ == '__main__':
  main()
