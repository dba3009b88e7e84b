# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Winograd's F(2x2, 3x3): the direct conv's values and gradients, alone
and in the whole network, and where 'auto' takes it."""

from flax import nnx
import jax
from jax import lax
import jax.numpy as jnp
import numpy as np
import pytest

from smcp_jax.models import smcp
from smcp_jax.ops import conv_grad
from smcp_jax.ops import winograd
from tests.helpers import numerics
from tests.helpers import train_step

NHWC = ('NHWC', 'HWIO', 'NHWC')


def _direct(x, w, dilation):
  return lax.conv_general_dilated(x, w, (1, 1), ((dilation, dilation),) * 2,
                                  rhs_dilation=(dilation, dilation),
                                  dimension_numbers=NHWC)


@pytest.mark.parametrize('shape,out,dilation', [
    ((2, 8, 8, 5), 7, 1),  # whole tiles
    ((1, 13, 11, 4), 3, 1),  # odd sides: a last tile half outside
    ((2, 13, 13, 6), 5, 2),  # conv5_x
    ((1, 16, 12, 4), 6, 4),  # fc6 / fc7
    ((1, 9, 11, 3), 2, 6)])  # an ASPP rate: taps off the map
def test_winograd_gives_the_direct_conv(shape, out, dilation):
  rng = np.random.default_rng(0)
  x = jnp.asarray(rng.normal(size=shape), jnp.float32)
  w = jnp.asarray(rng.normal(size=(3, 3, shape[-1], out)), jnp.float32)
  expected = _direct(x, w, dilation)
  got = winograd.conv3x3(x, w, dilation)
  assert got.shape == expected.shape
  assert numerics.max_rel_diff(got, expected) < 1e-5
  cotangent = jnp.asarray(rng.normal(size=expected.shape), jnp.float32)
  grads = [jax.grad(lambda a, b, f=f: jnp.sum(f(a, b, dilation) * cotangent),
                    (0, 1))(x, w)
           for f in (_direct, winograd.conv3x3)]
  for ours, theirs in zip(grads[1], grads[0]):
    assert numerics.max_rel_diff(ours, theirs) < 1e-5


def _program(mode, dtype, channels, padding=((1, 1), (1, 1))):
  x = jnp.ones((1, 8, 8, channels[0]), dtype)
  w = jnp.ones((3, 3) + channels, dtype)
  conv = conv_grad.conv_fn('xla', 'xla', mode)
  return str(jax.make_jaxpr(lambda x, w: conv(
      x, w, (1, 1), padding, dimension_numbers=NHWC))(x, w))


@pytest.mark.parametrize('mode,dtype,channels,taken', [
    ('auto', jnp.float32, (256, 512), True),  # VGG's conv4_1
    ('auto', jnp.float32, (256, 256), False),  # conv3_x: even, so XLA's
    ('auto', jnp.bfloat16, (512, 512), False),
    ('direct', jnp.float32, (512, 512), False),
    ('winograd', jnp.float32, (4, 2), True)])
def test_where_winograd_runs(mode, dtype, channels, taken):
  jaxpr = _program(mode, dtype, channels)
  assert ('conv_general_dilated' not in jaxpr) == taken


def test_other_paddings_stay_direct():
  """Winograd covers 'same' convs only (padding = dilation everywhere)."""
  jaxpr = _program('winograd', jnp.float32, (4, 2), ((0, 2), (1, 1)))
  assert 'conv_general_dilated' in jaxpr


def test_the_mode_is_checked():
  with pytest.raises(ValueError, match='conv3x3 mode must be one of'):
    conv_grad.conv_fn('auto', 'xla', 'fft')


def test_the_network_is_the_same_either_way():
  """SMCP's training loss, every gradient and the inference logits with
  every 3x3 conv by Winograd or direct (XLA's weight gradients)."""
  models = {mode: smcp.SMCP(width=0.125, num_mcl_classes=16,
                            conv_weight_grad='xla', conv3x3=mode,
                            rngs=nnx.Rngs(0))
            for mode in ('direct', 'winograd')}
  train_step.assert_same_network(models['winograd'], models['direct'],
                                 train_step.training_batch())
