# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Resize and pooling match PyTorch numerically."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from smcp_jax.models import layers
from smcp_jax.models import resize
from smcp_jax.ops import max_pool


def _torch_resize(x_nhwc, size):
  t = torch.from_numpy(np.asarray(x_nhwc)).permute(0, 3, 1, 2)
  out = F.interpolate(t, size=size, mode='bilinear', align_corners=False)
  return out.permute(0, 2, 3, 1).numpy()


@pytest.mark.parametrize('in_hw,out_hw', [
    ((52, 52), (417, 417)), ((13, 13), (52, 52)), ((26, 26), (52, 52)),
    ((7, 11), (30, 23)), ((417, 417), (52, 52)), ((9, 5), (4, 3)),
    ((1, 1), (5, 5))])
def test_resize_matches_torch(in_hw, out_hw):
  x = np.random.default_rng(0).normal(size=(2, *in_hw, 3)).astype(np.float32)
  ours = resize.resize_bilinear(jnp.asarray(x), out_hw)
  np.testing.assert_allclose(ours, _torch_resize(x, out_hw), atol=1e-6)


def test_interpolation_rows_sum_to_one_and_identity():
  for n_in, n_out in ((52, 417), (417, 52), (1, 3)):
    np.testing.assert_allclose(
        resize.interpolation_matrix(n_in, n_out).sum(1), 1.0, atol=1e-12)
  np.testing.assert_array_equal(resize.interpolation_matrix(5, 5), np.eye(5))


def test_transpose_is_adjoint_of_resize():
  rng = np.random.default_rng(1)
  feats = jnp.asarray(rng.normal(size=(2, 13, 17, 1)), jnp.float32)
  maps = jnp.asarray(rng.normal(size=(2, 101, 67)), jnp.float32)
  lhs = jnp.sum(resize.resize_bilinear(feats, (101, 67))[..., 0] * maps)
  rhs = jnp.sum(feats[..., 0]
                * resize.resize_bilinear_transpose(maps, (13, 17)))
  np.testing.assert_allclose(lhs, rhs, rtol=1e-5)


def test_misaligned_resize_is_detected():
  """align_corners=True is a different map: the parity check must see it."""
  x = np.random.default_rng(0).normal(size=(1, 13, 13, 2)).astype(np.float32)
  t = torch.from_numpy(x).permute(0, 3, 1, 2)
  aligned = F.interpolate(t, size=(52, 52), mode='bilinear',
                          align_corners=True).permute(0, 2, 3, 1).numpy()
  ours = np.asarray(resize.resize_bilinear(jnp.asarray(x), (52, 52)))
  assert np.max(np.abs(ours - aligned)) > 1e-2


@pytest.mark.parametrize('size', [52, 26, 13, 7, 417])
def test_pooling_matches_torch(size):
  x = np.random.default_rng(size).normal(size=(1, size, size, 4))
  x = x.astype(np.float32)
  t = torch.from_numpy(x).permute(0, 3, 1, 2)
  avg = torch.nn.AvgPool2d(3, 2, 1)(t).permute(0, 2, 3, 1).numpy()
  mx = torch.nn.MaxPool2d(2, 2)(t).permute(0, 2, 3, 1).numpy()
  np.testing.assert_allclose(layers.avg_pool3s2(jnp.asarray(x)), avg,
                             atol=1e-6)
  np.testing.assert_allclose(max_pool.max_pool2(jnp.asarray(x)), mx)


def test_bias_init_bound():
  init = layers.torch_default_bias_init(fan_in=4608)
  b = init(jax.random.key(0), (10000,))
  assert float(jnp.max(jnp.abs(b))) <= 1 / np.sqrt(4608)
  assert float(jnp.max(jnp.abs(b))) > 0.9 / np.sqrt(4608)


@pytest.mark.parametrize('shape', [(2, 9, 7, 3), (1, 8, 8, 2), (1, 3, 2, 1)])
def test_max_pool_gradient_matches_torch_with_ties(shape):
  """Small integers make ties common: the first maximum of the window takes
  the gradient, as in torch; odd edges get none."""
  rng = np.random.default_rng(0)
  x = rng.integers(0, 3, shape).astype(np.float32)
  weights = rng.normal(size=(shape[0], shape[1] // 2, shape[2] // 2,
                             shape[3])).astype(np.float32)
  ours = jax.grad(lambda v: jnp.sum(max_pool.max_pool2(v) * weights))(
      jnp.asarray(x))
  t = torch.from_numpy(x).permute(0, 3, 1, 2).requires_grad_()
  (F.max_pool2d(t, 2, 2) * torch.from_numpy(weights).permute(0, 3, 1, 2)
   ).sum().backward()
  np.testing.assert_array_equal(ours, t.grad.permute(0, 2, 3, 1).numpy())
