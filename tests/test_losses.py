# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The loss: hand-computed values, parity with torch, and its gradient."""

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from benchmarks import random_episode
from smcp_jax.models import smcp
from smcp_jax.train import losses


def test_hand_computed_cross_entropy():
  # Pixel 0: p(1) = 3/4. Pixel 1: p(0) = 1/2. Pixel 2 is ignored.
  logits = jnp.array([[[[0.0, np.log(3.0)], [0.0, 0.0], [5.0, -5.0]]]])
  labels = jnp.array([[[1, 0, 255]]])
  expected = (-np.log(0.75) - np.log(0.5)) / 2
  np.testing.assert_allclose(losses.cross_entropy(logits, labels), expected,
                             rtol=1e-6)


def test_all_ignored_gives_zero_not_nan():
  logits = jnp.zeros((1, 2, 2, 2))
  assert float(losses.cross_entropy(logits, jnp.full((1, 8, 8), 255))) == 0.0


def test_matches_torch_upsampled_cross_entropy():
  rng = np.random.default_rng(0)
  logits = rng.normal(size=(2, 13, 13, 21)).astype(np.float32)
  labels = rng.integers(0, 21, size=(2, 101, 101))
  labels[:, :10] = 255
  ref = F.cross_entropy(
      F.interpolate(torch.from_numpy(logits).permute(0, 3, 1, 2),
                    size=(101, 101), mode='bilinear', align_corners=False),
      torch.from_numpy(labels), ignore_index=255)
  ours = losses.cross_entropy(jnp.asarray(logits), jnp.asarray(labels))
  np.testing.assert_allclose(ours, ref.item(), rtol=1e-5)


@pytest.mark.parametrize('classes, size', [(2, (65, 47)), (21, (33, 33))])
def test_gradient_matches_torch_autograd(classes, size):
  # The loss's gradient is written by hand (losses._backward); torch's
  # autograd of interpolate + cross_entropy is the reference.
  rng = np.random.default_rng(classes)
  logits = rng.normal(size=(3, 9, 7, classes)).astype(np.float32)
  labels = rng.integers(0, classes, size=(3,) + size)
  labels[:, :5] = 255
  labels[1] = 255  # an image with nothing labelled
  torch_logits = torch.from_numpy(logits).permute(0, 3, 1, 2).requires_grad_()
  F.cross_entropy(
      F.interpolate(torch_logits, size=size, mode='bilinear',
                    align_corners=False),
      torch.from_numpy(labels), ignore_index=255).backward()
  ref = torch_logits.grad.permute(0, 2, 3, 1).numpy()
  ours = jax.grad(losses.cross_entropy)(jnp.asarray(logits),
                                        jnp.asarray(labels))
  np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())
  assert np.all(np.asarray(ours)[1] == 0)


def _labels(masks):
  binary = masks.astype(np.int32)
  binary[..., :2, :] = 255  # a boundary band
  return binary


def test_total_is_eq5_and_branches_can_be_off():
  support, masks, query = (jnp.asarray(a) for a in
                           random_episode.episode(65, shots=2))
  q_label = jnp.asarray(_labels(np.asarray(masks[:, 0])))
  batch = {'query_label': q_label, 'support_label': _labels(np.asarray(masks)),
           'query_mcl_label': q_label * 3 % 256,
           'support_mcl_label': _labels(np.asarray(masks)) * 2 % 256}
  model = smcp.SMCP(width=0.125, rngs=nnx.Rngs(0))
  total, terms = losses.smcp_loss(model(support, masks, query), batch,
                                  lambda_mcl=0.3)
  np.testing.assert_allclose(
      total, terms['loss_query'] + terms['loss_support']
      + 0.3 * terms['loss_mcl'], rtol=1e-6)
  assert min(float(terms[k]) for k in terms) > 0
  bare = smcp.SMCP(width=0.125, use_mcl=False, rngs=nnx.Rngs(0))
  total, terms = losses.smcp_loss(
      bare(support, masks, query, self_prototype=False), batch)
  assert float(terms['loss_support']) == float(terms['loss_mcl']) == 0.0
  np.testing.assert_allclose(total, terms['loss_query'])


def test_gradient_reaches_encoder_through_prototype():
  """No stop-gradient: the query loss trains conv1_1 via p and F_q."""
  support, masks, query = (jnp.asarray(a) for a in random_episode.episode(65))
  model = smcp.SMCP(width=0.125, use_mcl=False, rngs=nnx.Rngs(0))
  label = jnp.asarray(_labels(np.asarray(masks[:, 0])))

  def loss_fn(m):
    out = m(support, masks, query, self_prototype=False)
    return losses.cross_entropy(out['query'], label)

  grads = nnx.grad(loss_fn)(model)
  assert float(jnp.abs(grads.encoder.conv1_1.kernel[...]).max()) > 0
