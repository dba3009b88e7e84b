# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Masked average pooling: the transposed-mask form equals the paper's."""

import jax.numpy as jnp
import numpy as np
import torch

from smcp_jax.models import prototype
from smcp_jax.models import resize
from weights_conversion import torch_reference


def _literal_map(feats, masks, eps=prototype.PROTOTYPE_EPS):
  """Eq. 1 as written: upsample the features to the mask, then pool."""
  up = resize.resize_bilinear(feats, masks.shape[1:])
  return (jnp.einsum('nhwc,nhw->nc', up, masks)
          / (masks.sum((1, 2))[:, None] + eps))


def _inputs(seed=0, n=2, h=52, size=417, c=32):
  rng = np.random.default_rng(seed)
  feats = rng.normal(size=(n, h, h, c)).astype(np.float32)
  masks = (rng.uniform(size=(n, size, size)) > 0.7).astype(np.float32)
  return feats, masks


def test_transposed_equals_upsampled_prototype():
  feats, masks = _inputs()
  fast = prototype.masked_average_pooling(jnp.asarray(feats),
                                          jnp.asarray(masks))
  literal = _literal_map(jnp.asarray(feats), jnp.asarray(masks))
  np.testing.assert_allclose(fast, literal, atol=1e-5)


def test_matches_torch_reference():
  feats, masks = _inputs(seed=1, h=20, size=161)
  ours = prototype.masked_average_pooling(jnp.asarray(feats),
                                          jnp.asarray(masks))
  ref = torch_reference.masked_average_pooling(
      torch.from_numpy(feats).permute(0, 3, 1, 2), torch.from_numpy(masks))
  np.testing.assert_allclose(ours, ref.numpy(), atol=1e-5)


def test_hand_computed_values():
  # Constant features: the prototype is that constant (up to the epsilon).
  feats = jnp.full((1, 4, 4, 3), 2.5)
  mask = jnp.zeros((1, 32, 32)).at[0, 3:9, 5:20].set(1.0)
  np.testing.assert_allclose(prototype.masked_average_pooling(feats, mask),
                             [[2.5, 2.5, 2.5]], rtol=1e-6)
  # Same-size mask: a plain masked mean, (1 + 3) / 2.
  feats = jnp.array([[[[1.0], [2.0]], [[3.0], [4.0]]]])
  mask = jnp.array([[[1.0, 0.0], [1.0, 0.0]]])
  np.testing.assert_allclose(prototype.masked_average_pooling(feats, mask),
                             [[2.0]], rtol=1e-5)


def test_empty_mask_gives_zero_prototype():
  feats, _ = _inputs(c=8)
  out = prototype.masked_average_pooling(jnp.asarray(feats),
                                         jnp.zeros((2, 417, 417)))
  np.testing.assert_array_equal(out, 0.0)
