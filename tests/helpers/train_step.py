# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A random training batch and the SMCP loss's gradient, for the tests that
compare ways of computing the same network."""

from flax import nnx
import jax
import numpy as np
import pytest

from benchmarks import random_episode
from smcp_jax.train import losses
from tests.helpers import numerics


def training_batch(size: int = 41, batch: int = 2, seed: int = 2,
                   num_mcl_classes: int = 16) -> dict:
  """`episode` with random binary and multi-class labels: the arrays of a
  training step (train/losses.py)."""
  support, masks, query = random_episode.episode(size, shots=1, batch=batch,
                                                 seed=seed)
  rng = np.random.default_rng(seed + 1)
  return {'support_images': support, 'support_masks': masks,
          'query_image': query,
          'query_label': (rng.random((batch, size, size)) < 0.3).astype(
              np.uint8),
          'support_label': masks.astype(np.uint8),
          'query_mcl_label': rng.integers(
              0, num_mcl_classes, (batch, size, size)).astype(np.uint8),
          'support_mcl_label': rng.integers(
              0, num_mcl_classes, (batch, 1, size, size)).astype(np.uint8)}


def loss_and_gradients(model, batch: dict) -> tuple[float, list]:
  """The SMCP training loss of `batch` and every parameter's gradient."""
  graphdef, params = nnx.split(model, nnx.Param)

  def loss(p):
    outputs = nnx.merge(graphdef, p)(batch['support_images'],
                                     batch['support_masks'],
                                     batch['query_image'])
    return losses.smcp_loss(outputs, batch, 0.1)[0]

  value, grads = jax.jit(jax.value_and_grad(loss))(params)
  return float(value), jax.tree.leaves(grads)


def assert_same_network(model, reference, batch: dict) -> None:
  """`model` computes `reference`'s training loss, every gradient and the
  inference logits on `batch` (two ways of computing one network)."""
  (loss, theirs), (loss_model, ours) = (
      loss_and_gradients(m, batch) for m in (reference, model))
  assert loss_model == pytest.approx(loss, rel=1e-5)
  assert len(theirs) == len(ours) > 30
  for a, b in zip(ours, theirs):
    assert numerics.max_rel_diff(a, b) < 1e-4
  images = (batch['support_images'], batch['support_masks'],
            batch['query_image'])
  assert numerics.max_rel_diff(model.infer(*images)['logits'],
                               reference.infer(*images)['logits']) < 1e-4
