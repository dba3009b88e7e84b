# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Dilated convs over their input's phases: the dilated conv's values and
gradients, alone and in the whole network."""

from flax import nnx
import jax
from jax import lax
import jax.numpy as jnp
import numpy as np
import pytest

from smcp_jax.models import smcp
from smcp_jax.ops import conv_grad
from smcp_jax.ops import dilated_phases
from tests.helpers import numerics
from tests.helpers import train_step

NHWC = ('NHWC', 'HWIO', 'NHWC')


def _xla(x, w, padding, dilation):
  return lax.conv_general_dilated(x, w, (1, 1), padding,
                                  rhs_dilation=dilation,
                                  dimension_numbers=NHWC)


def _phases(x, w, padding, dilation):
  undilated = lambda a, b, pad: lax.conv_general_dilated(
      a, b, (1, 1), pad, dimension_numbers=NHWC)
  return dilated_phases.conv_by_phases(undilated, x, w, padding, dilation)


@pytest.mark.parametrize('shape,kernel,dilation,padding', [
    ((2, 13, 13, 5), 3, (2, 2), ((2, 2), (2, 2))),  # odd side, 'same'
    ((1, 16, 12, 4), 3, (4, 4), ((4, 4), (4, 4))),  # fc6 / fc7
    ((1, 9, 11, 3), 3, (6, 6), ((6, 6), (6, 6))),  # ASPP: taps off the map
    ((1, 10, 10, 3), 3, (3, 2), ((1, 3), (0, 2))),  # uneven everything
    ((1, 8, 8, 2), 1, (2, 2), ((0, 0), (0, 0)))])  # 1x1: a no-op dilation
def test_phases_give_the_dilated_conv(shape, kernel, dilation, padding):
  rng = np.random.default_rng(0)
  x = jnp.asarray(rng.normal(size=shape), jnp.float32)
  w = jnp.asarray(rng.normal(size=(kernel, kernel, shape[-1], 7)),
                  jnp.float32)
  expected = _xla(x, w, padding, dilation)
  got = _phases(x, w, padding, dilation)
  assert got.shape == expected.shape
  assert numerics.max_rel_diff(got, expected) < 1e-5
  cotangent = jnp.asarray(rng.normal(size=expected.shape), jnp.float32)
  grads = [jax.grad(lambda a, b, f=f: jnp.sum(f(a, b, padding, dilation)
                                              * cotangent), (0, 1))(x, w)
           for f in (_xla, _phases)]
  for ours, theirs in zip(grads[1], grads[0]):
    assert numerics.max_rel_diff(ours, theirs) < 1e-5


def test_the_mode_is_checked():
  with pytest.raises(ValueError, match='dilated mode must be one of'):
    conv_grad.conv_fn('auto', 'space_to_batch')


def test_the_network_is_the_same_in_both_modes():
  """SMCP's training loss, every gradient and the inference logits, with
  dilated convs as they are or over phases (XLA's weight gradients)."""
  models = {mode: smcp.SMCP(width=0.125, num_mcl_classes=16,
                            conv_weight_grad='xla', dilated_conv=mode,
                            rngs=nnx.Rngs(0))
            for mode in conv_grad.DILATED_MODES}
  train_step.assert_same_network(models['phases'], models['xla'],
                                 train_step.training_batch())
