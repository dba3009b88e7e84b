# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The training data of a resolved config, made as the trainer makes it."""

from smcp_jax.data import builder


def train_sampler(config):
  return builder.train_sampler(config.data, seed=config.seed,
                               hold_out=bool(config.train.val_every_steps))


def train_dataset(config, **kwargs):
  return builder.train_dataset(config.data, train_sampler(config),
                               global_batch=config.train.global_batch,
                               **kwargs)
