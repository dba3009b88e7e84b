# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The patch-matmul weight gradient equals XLA's (and a torch reference)."""

from flax import nnx
import jax
from jax import lax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from smcp_jax.models import smcp
from smcp_jax.ops import conv_grad
from smcp_jax.ops import xla_cpu_flags
from tests.helpers import numerics
from tests.helpers import train_step


@pytest.mark.parametrize('shape,kernel,dilation,padding', [
    ((2, 19, 23, 3), (3, 3, 3, 8), (1, 1), ((1, 1), (1, 1))),
    ((1, 16, 16, 8), (3, 3, 8, 4), (2, 2), ((2, 2), (2, 2))),
    ((1, 9, 9, 4), (3, 3, 4, 6), (6, 6), ((6, 6), (6, 6))),  # taps outside
    ((3, 7, 11, 5), (1, 1, 5, 7), (1, 1), ((0, 0), (0, 0))),
    ((1, 12, 10, 4), (3, 3, 4, 4), (1, 1), ((2, 0), (1, 3))),  # uneven pad
])
def test_gradients_match_xla(shape, kernel, dilation, padding):
  rng = np.random.default_rng(0)
  x = jnp.asarray(rng.normal(size=shape), jnp.float32)
  w = jnp.asarray(rng.normal(size=kernel), jnp.float32)

  def loss(conv, x, w):
    y = conv(x, w, (1, 1), padding, rhs_dilation=dilation,
             dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
    return jnp.sum(jnp.sin(y))  # a non-trivial output gradient

  ours = jax.grad(lambda x, w: loss(conv_grad.conv_fn('patch_matmul'), x, w),
                  argnums=(0, 1))(x, w)
  xla = jax.grad(lambda x, w: loss(lax.conv_general_dilated, x, w),
                 argnums=(0, 1))(x, w)
  assert numerics.max_rel_diff(ours[0], xla[0]) < 1e-5
  assert numerics.max_rel_diff(ours[1], xla[1]) < 1e-5


@pytest.mark.parametrize('pixels_per_step', [1, 80, 10_000])
def test_weight_gradient_matches_torch(pixels_per_step):
  """One row a step, a few rows (15 = 3 x 5 rows), the whole map at once."""
  rng = np.random.default_rng(1)
  x = rng.normal(size=(2, 15, 13, 6)).astype(np.float32)
  w = rng.normal(size=(3, 3, 6, 5)).astype(np.float32)
  g = rng.normal(size=(2, 15, 13, 5)).astype(np.float32)
  padded = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))
  ours = conv_grad.patch_matmul_weight_grad(
      jnp.asarray(padded), jnp.asarray(g), w.shape, (2, 2), pixels_per_step)
  expected = torch.nn.grad.conv2d_weight(
      torch.from_numpy(x).permute(0, 3, 1, 2), (5, 6, 3, 3),
      torch.from_numpy(g).permute(0, 3, 1, 2), padding=2, dilation=2)
  assert numerics.max_rel_diff(ours,
                               expected.permute(2, 3, 1, 0).numpy()) < 1e-5


@pytest.mark.parametrize('h,pixels_per_row,pixels_per_step,rows', [
    (417, 834, 512, 1), (52, 104, 512, 4), (15, 26, 60, 1), (15, 26, 80, 3),
    (13, 1, 100, 13), (7, 10, 1, 1)])
def test_rows_per_step_tile_the_map(h, pixels_per_row, pixels_per_step, rows):
  assert conv_grad._rows_per_step(h, pixels_per_row, pixels_per_step) == rows


def test_model_gradients_match_in_both_modes():
  """The whole SMCP training loss: every parameter's gradient agrees."""
  batch = train_step.training_batch()
  (_, theirs), (_, ours) = (train_step.loss_and_gradients(smcp.SMCP(
      width=0.125, num_mcl_classes=16, conv_weight_grad=mode,
      rngs=nnx.Rngs(0)), batch) for mode in ('xla', 'patch_matmul'))
  assert len(theirs) == len(ours) > 30
  for a, b in zip(ours, theirs):
    assert numerics.max_rel_diff(a, b) < 1e-4


def test_bad_mode_is_refused():
  with pytest.raises(ValueError, match='mode must be one of'):
    conv_grad.conv_fn('fast')


@pytest.mark.parametrize('dtype,batch,side,channels,out,convs', [
    (jnp.float32, 1, 64, 64, 64, 2),  # 302 MFLOP, 4096 pixels: the loop
    (jnp.bfloat16, 1, 64, 64, 64, 3),
    (jnp.float32, 1, 8, 4, 4, 3),  # 0.04 MFLOP: XLA's, no loop to compile
    (jnp.float32, 8, 65, 16, 16, 3),  # 16 output channels: XLA's
    (jnp.float32, 8, 16, 128, 128, 3),  # 2048 pixels: XLA's
    (jnp.float32, 8, 32, 32, 64, 2)])  # the toy's conv3_1 at 129 px
def test_auto_takes_the_patch_path_where_it_was_faster(
    monkeypatch, dtype, batch, side, channels, out, convs):
  """Forward and input gradient are convs either way; XLA's weight
  gradient is a third. The loop only where XLA's convs are YNNPACK's."""
  x = jnp.ones((batch, side, side, channels), dtype)
  w = jnp.ones((3, 3, channels, out), dtype)

  def loss(x, w):
    return jnp.sum(conv_grad.conv_general_dilated(
        x, w, (1, 1), ((1, 1), (1, 1)),
        dimension_numbers=('NHWC', 'HWIO', 'NHWC')).astype(jnp.float32))

  def conv_count(xla_flags):
    monkeypatch.setenv('XLA_FLAGS', xla_flags)
    jaxpr = str(jax.make_jaxpr(jax.grad(loss, argnums=(0, 1)))(x, w))
    return jaxpr.count('conv_general_dilated')

  assert conv_count('') == convs
  assert conv_count(xla_cpu_flags.with_eigen_convolutions('', '0.10.2')) == 3
