# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Convolution builders, initialisers and pooling that mirror PyTorch layers."""

import math

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np

from smcp_jax.ops import conv_grad


def host_initializer(sample):
  """Wraps `sample(np_rng, shape)` as a JAX initializer, seeded by the key.

  XLA's CPU compile of jax.random's threefry kernels costs seconds per
  shape on small machines, once per conv layer. Drawing with numpy on the
  host is instant and as deterministic; under tracing (eval_shape, a
  sharded jit init) it runs as a callback.
  """

  def init(key, shape, dtype=jnp.float32):
    shape = tuple(shape)

    def draw(key_data):
      rng = np.random.default_rng(np.asarray(key_data).ravel().tolist())
      return np.asarray(sample(rng, shape), dtype)

    key_data = jax.random.key_data(key)
    try:
      return jnp.asarray(draw(key_data))
    except jax.errors.TracerArrayConversionError:
      return jax.pure_callback(draw, jax.ShapeDtypeStruct(shape, dtype),
                               key_data)

  return init


def _fans(shape):
  """(fan_in, fan_out) of an HWIO kernel."""
  receptive = math.prod(shape[:-2])
  return receptive * shape[-2], receptive * shape[-1]


def _uniform_fan_in(rng, shape):
  bound = 1.0 / math.sqrt(_fans(shape)[0])
  return rng.uniform(-bound, bound, shape)


# torch.nn.Conv2d default: kaiming_uniform(a=sqrt(5)) == U(+-1/sqrt(fan_in)).
torch_default_kernel_init = host_initializer(_uniform_fan_in)
# torchvision VGG random init: kaiming_normal(mode='fan_out', relu), bias 0.
vgg_kernel_init = host_initializer(
    lambda rng, shape: rng.normal(0.0, math.sqrt(2.0 / _fans(shape)[1]),
                                  shape))
# The authors' ASPP heads: weights N(0, 0.01^2).
aspp_kernel_init = host_initializer(
    lambda rng, shape: rng.normal(0.0, 0.01, shape))
zeros_init = nnx.initializers.zeros_init()


# What a conv built without a `conv_impl` runs: every mode 'auto'.
DEFAULT_CONV = conv_grad.conv_fn()


def torch_default_bias_init(fan_in: int):
  """torch.nn.Conv2d default bias: U(+-1/sqrt(fan_in))."""
  bound = 1.0 / math.sqrt(fan_in)
  return host_initializer(lambda rng, shape: rng.uniform(-bound, bound, shape))


def conv(in_features: int, out_features: int, kernel_size: int = 3, *,
         dilation: int = 1, kernel_init=torch_default_kernel_init,
         bias_init=None, dtype=None, conv_impl=DEFAULT_CONV,
         rngs: nnx.Rngs) -> nnx.Conv:
  """A stride-1 'same' conv with PyTorch's padding = dilation * (k // 2),
  computed by `conv_impl` (ops.conv_grad.conv_fn: which algorithm and
  weight gradient)."""
  pad = dilation * (kernel_size // 2)
  if bias_init is None:
    bias_init = torch_default_bias_init(in_features * kernel_size**2)
  return nnx.Conv(
      in_features, out_features, (kernel_size, kernel_size),
      padding=((pad, pad), (pad, pad)),
      kernel_dilation=(dilation, dilation),
      kernel_init=kernel_init, bias_init=bias_init, dtype=dtype,
      conv_general_dilated=conv_impl,
      rngs=rngs)


def scaled(channels: int, width: float) -> int:
  """Channel count under a width multiplier (1.0 is the paper's network)."""
  return max(1, int(round(channels * width)))


def avg_pool3s2(x: jnp.ndarray) -> jnp.ndarray:
  """torch AvgPool2d(3, 2, 1) with count_include_pad=True (divisor always 9)."""
  return nnx.avg_pool(x, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))
