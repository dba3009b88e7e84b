# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Runs a tiny training in a fresh process (device count set by XLA_FLAGS).

  python -m tests.helpers.train_script TOY_ROOT WORKDIR STEPS [key=value ...]

Fault injection for the reliability tests, by environment variable:
  SMCP_TEST_POISON_STEP=k      the query images of step k become NaN;
  SMCP_TEST_KILL_AT_SAVE=k     SIGKILL right after the save of step k began.
"""

import os
import signal
import sys

import jax
import numpy as np

from configs import toy
from smcp_jax.checkpoints import checkpointing
from smcp_jax.cli import distributed
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.train import trainer


def tiny_config(root: str, steps: int):
  config = toy.get_config()
  config.data.root = root
  config.data.image_size = 33
  config.model.width = 1 / 16
  config.train.init_from = ''  # random init: the shipped encoder is wider
  config.train.num_steps = steps
  config.train.global_batch = 4
  config.train.log_every_steps = 1
  config.train.checkpoint_every_steps = 4
  # Plain SGD, no warm-up: runs of a few steps, compared to float tolerance
  # across device counts (Adam's g / sqrt(v) would magnify reduction-order
  # noise in near-zero gradients).
  config.train.optimizer = 'sgd'
  config.train.lr = 0.05
  config.train.warmup_steps = 0
  return config


def _poison(step: int):
  """Wraps the training data so that step `step`'s query images are NaN."""
  make = builder.train_dataset

  def poisoned(data, sampler, *, global_batch, **kwargs):
    first = (step - 1) * global_batch

    def maybe_nan(batch):
      import tensorflow as tf  # pylint: disable=g-import-not-at-top
      hit = tf.reduce_any((batch['episode'] >= first)
                          & (batch['episode'] < first + global_batch))
      nan = tf.fill(tf.shape(batch['query_image']), np.float32(np.nan))
      return {**batch, 'query_image': tf.where(hit, nan,
                                               batch['query_image'])}

    return make(data, sampler, global_batch=global_batch,
                **kwargs).map(maybe_nan)

  builder.train_dataset = poisoned


def _kill_at_save(step: int):
  save = checkpointing.save

  def save_then_die(manager, at, state):
    save(manager, at, state)
    if at == step:
      os.kill(os.getpid(), signal.SIGKILL)

  checkpointing.save = save_then_die


def main():
  root, workdir, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
  config = tiny_config(root, steps)
  for item in sys.argv[4:]:
    key, value = item.split('=')
    section, name = key.split('.')
    kind = type(config[section][name])
    config[section][name] = (value == 'True') if kind is bool else kind(value)
  if 'SMCP_TEST_POISON_STEP' in os.environ:
    _poison(int(os.environ['SMCP_TEST_POISON_STEP']))
  if 'SMCP_TEST_KILL_AT_SAVE' in os.environ:
    _kill_at_save(int(os.environ['SMCP_TEST_KILL_AT_SAVE']))
  distributed.initialize()
  print('devices', jax.device_count(), 'processes', jax.process_count(),
        flush=True)
  try:
    trainer.train_and_evaluate(resolution.resolve(config), workdir)
  except trainer.TrainingInterrupted as e:
    print(e, flush=True)
    sys.exit(128 + e.signum)


if __name__ == '__main__':
  main()
