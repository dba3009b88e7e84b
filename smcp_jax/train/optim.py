# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The optimizer: SGD with momentum, coupled weight decay, poly decay, and
optionally the mean of the parameters over the last steps."""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import ml_collections
import optax

from smcp_jax.models import vgg


def create_learning_rate_fn(train: ml_collections.ConfigDict):
  """Polynomial decay (power 0.9) to 0 (paper) or constant (authors' code),
  after an optional linear warm-up from 0 (neither the paper nor the
  authors warm up; random-init training such as the toy's needs it)."""
  decay_steps = train.num_steps - train.warmup_steps
  if train.lr_schedule == 'poly':
    decay = optax.polynomial_schedule(train.lr, 0.0, train.lr_power,
                                      decay_steps)
  else:
    decay = optax.constant_schedule(train.lr)
  if not train.warmup_steps:
    return decay
  warmup = optax.linear_schedule(0.0, train.lr, train.warmup_steps)
  return optax.join_schedules([warmup, decay], [train.warmup_steps])


def encoder_labels(params):
  """'frozen' for the encoder's parameters, 'train' for the rest."""
  return jax.tree_util.tree_map_with_path(
      lambda path, _: 'frozen' if path[0].key == 'encoder' else 'train',
      params)


def backbone_labels(params):
  """'backbone' for the encoder's VGG convs (what `train.init_from`
  loads: conv1_1..conv5_3), 'rest' for fc6/fc7 and the heads."""
  return jax.tree_util.tree_map_with_path(
      lambda path, _: 'backbone' if (path[0].key == 'encoder' and
                                     path[1].key in vgg.CONV_NAMES)
      else 'rest', params)


class TailAverageState(NamedTuple):
  step: jax.Array
  count: jax.Array  # steps averaged so far
  tail_mean: optax.Params


def tail_average(num_steps: int, last: int) -> optax.GradientTransformation:
  """Keeps the mean of the parameters after each of the last `last` of
  `num_steps` steps (Polyak-Ruppert / SWA tail averaging); the updates pass
  unchanged. The mean of the end of a run depends less on where the last
  few SGD steps landed than the last step alone."""
  start = num_steps - last

  def init(params):
    # Separate buffers: the train step donates its state.
    return TailAverageState(jnp.zeros([], jnp.int32), jnp.zeros([], jnp.int32),
                            jax.tree.map(jnp.zeros_like, params))

  def update(updates, state, params):
    step = state.step + 1
    taken = step > start
    count = state.count + taken.astype(jnp.int32)
    weight = jnp.where(taken, 1.0 / jnp.maximum(count, 1), 0.0)
    new_params = optax.apply_updates(params, updates)
    mean = jax.tree.map(lambda m, p: m + weight.astype(m.dtype) * (p - m),
                        state.tail_mean, new_params)
    return updates, TailAverageState(step, count, mean)

  return optax.GradientTransformation(init, update)


def averaged_params(opt_state):
  """The tail mean `tail_average` keeps in `opt_state`, or None."""
  return optax.tree_utils.tree_get(opt_state, 'tail_mean')


def create_optimizer(train: ml_collections.ConfigDict, params):
  """Returns (optax transform, learning-rate schedule).

  Weight decay is coupled L2 on every parameter (biases too), added to the
  gradient before momentum, as torch.optim.SGD(weight_decay=...) does.
  `optimizer='adam'` swaps SGD for Adam (with the same L2 term): not the
  paper's, but a network trained from random init leaves the
  predict-the-prior plateau far sooner with it. `clip_grad_norm` > 0 first
  clips the loss gradient's global norm (not in the paper). Freezing the
  encoder (Table VII) masks its updates to zero. `skip_nonfinite` leaves
  parameters and optimizer state unchanged on a step whose gradient has a
  NaN/Inf (counted in the state's total_notfinite).
  `average_last_steps` > 0 also keeps the mean of the parameters over the
  last that many steps (tail_average; not in the paper), which training
  exports instead of the last step's. `backbone_lr_scale` != 1 scales the
  learning rate of the pretrained VGG convs (not in the paper, which has
  one rate for all).
  """
  schedule = create_learning_rate_fn(train)
  clip = ([optax.clip_by_global_norm(train.clip_grad_norm)]
          if train.clip_grad_norm else [])

  def descent(rate):
    step = (optax.sgd(rate, momentum=train.momentum)
            if train.optimizer == 'sgd' else optax.adam(rate))
    return optax.chain(optax.add_decayed_weights(train.weight_decay), step)

  if train.backbone_lr_scale == 1.0:
    tx = optax.chain(*clip, descent(schedule))
  else:
    scale = train.backbone_lr_scale
    tx = optax.chain(*clip, optax.multi_transform(
        {'rest': descent(schedule),
         'backbone': descent(lambda count: scale * schedule(count))},
        backbone_labels(params)))
  if train.freeze_encoder:
    tx = optax.multi_transform({'train': tx, 'frozen': optax.set_to_zero()},
                               encoder_labels(params))
  if train.average_last_steps:
    tx = optax.chain(tx, tail_average(train.num_steps,
                                      train.average_last_steps))
  if train.skip_nonfinite:
    # Never give up skipping: optax would apply the bad update after N.
    tx = optax.apply_if_finite(tx, max_consecutive_errors=2**31 - 1)
  return tx, schedule
