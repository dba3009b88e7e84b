# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Convolution builders, initialisers and pooling that mirror PyTorch layers."""

import math

from flax import nnx
import jax
import jax.numpy as jnp

# torch.nn.Conv2d default: kaiming_uniform(a=sqrt(5)) == U(+-1/sqrt(fan_in)).
torch_default_kernel_init = nnx.initializers.variance_scaling(
    1.0 / 3.0, 'fan_in', 'uniform')
# torchvision VGG random init: kaiming_normal(mode='fan_out', relu), bias 0.
vgg_kernel_init = nnx.initializers.variance_scaling(2.0, 'fan_out', 'normal')
# The authors' ASPP heads: weights N(0, 0.01^2).
aspp_kernel_init = nnx.initializers.normal(0.01)


def torch_default_bias_init(fan_in: int):
  """torch.nn.Conv2d default bias: U(+-1/sqrt(fan_in))."""
  bound = 1.0 / math.sqrt(fan_in)

  def init(key, shape, dtype=jnp.float32):
    return jax.random.uniform(key, shape, dtype, -bound, bound)

  return init


def conv(in_features: int, out_features: int, kernel_size: int = 3, *,
         dilation: int = 1, kernel_init=torch_default_kernel_init,
         bias_init=None, dtype=None, rngs: nnx.Rngs) -> nnx.Conv:
  """A stride-1 'same' conv with PyTorch's padding = dilation * (k // 2)."""
  pad = dilation * (kernel_size // 2)
  if bias_init is None:
    bias_init = torch_default_bias_init(in_features * kernel_size**2)
  return nnx.Conv(
      in_features, out_features, (kernel_size, kernel_size),
      padding=((pad, pad), (pad, pad)),
      kernel_dilation=(dilation, dilation),
      kernel_init=kernel_init, bias_init=bias_init, dtype=dtype, rngs=rngs)


def scaled(channels: int, width: float) -> int:
  """Channel count under a width multiplier (1.0 is the paper's network)."""
  return max(1, int(round(channels * width)))


def max_pool2(x: jnp.ndarray) -> jnp.ndarray:
  """torch MaxPool2d(2, 2): floor mode, no padding."""
  return nnx.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')


def avg_pool3s2(x: jnp.ndarray) -> jnp.ndarray:
  """torch AvgPool2d(3, 2, 1) with count_include_pad=True (divisor always 9)."""
  return nnx.avg_pool(x, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))
