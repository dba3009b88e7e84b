# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The optimizer: SGD with momentum, coupled weight decay, poly decay."""

import jax
import ml_collections
import optax


def create_learning_rate_fn(train: ml_collections.ConfigDict):
  """Polynomial decay (power 0.9) to 0 (paper) or constant (authors' code)."""
  if train.lr_schedule == 'poly':
    return optax.polynomial_schedule(train.lr, 0.0, train.lr_power,
                                     train.num_steps)
  return optax.constant_schedule(train.lr)


def encoder_labels(params):
  """'frozen' for the encoder's parameters, 'train' for the rest."""
  return jax.tree_util.tree_map_with_path(
      lambda path, _: 'frozen' if path[0].key == 'encoder' else 'train',
      params)


def create_optimizer(train: ml_collections.ConfigDict, params):
  """Returns (optax transform, learning-rate schedule).

  Weight decay is coupled L2 on every parameter (biases too), added to the
  gradient before momentum, as torch.optim.SGD(weight_decay=...) does.
  Freezing the encoder (Table VII) masks its updates to zero.
  """
  schedule = create_learning_rate_fn(train)
  tx = optax.chain(optax.add_decayed_weights(train.weight_decay),
                   optax.sgd(schedule, momentum=train.momentum))
  if train.freeze_encoder:
    tx = optax.multi_transform({'train': tx, 'frozen': optax.set_to_zero()},
                               encoder_labels(params))
  return tx, schedule
