# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A conv of [features, one vector tiled over the map], without the tiling.

The guided features of the paper concatenate the feature map with the
prototype repeated at every pixel. Over a map holding one vector
everywhere, a conv gives at each pixel the sum of the kernel taps that fall
inside the map: a (pixels x taps) 0/1 matrix times per-tap vectors. That
halves the FLOPs of the head's largest conv; the result is the
concatenation's up to float rounding (tested, values and gradients).
"""

from flax import nnx
import jax.numpy as jnp
import numpy as np


def conv_of_tiled_concat(conv: nnx.Conv, features: jnp.ndarray,
                         vector: jnp.ndarray) -> jnp.ndarray:
  """`conv(concat([features, tile(vector)], -1))` for a stride-1 NHWC conv
  with explicit padding; features (N, h, w, C), vector (N, C')."""
  features, kernel, bias = conv.promote_dtype(
      (features, conv.kernel[...], conv.bias[...]), dtype=conv.dtype)
  channels = features.shape[-1]
  y = conv.conv_general_dilated(
      features, kernel[:, :, :channels], (1, 1), conv.padding,
      rhs_dilation=conv.kernel_dilation,
      dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
  per_tap = jnp.einsum('nc,ijco->nijo', vector.astype(features.dtype),
                       kernel[:, :, channels:])
  inside = taps_inside(features.shape[1:3], kernel.shape[:2], conv.padding,
                       conv.kernel_dilation)
  return y + jnp.einsum('yxij,nijo->nyxo', inside.astype(y.dtype),
                        per_tap) + bias


def taps_inside(size, kernel_size, padding, dilation) -> np.ndarray:
  """(h, w, kh, kw): 1 where tap (i, j) of the output pixel (y, x) reads a
  pixel of the map, 0 where it reads the zero padding."""
  axes = []
  for n, k, (before, _), d in zip(size, kernel_size, padding, dilation):
    source = np.arange(n)[:, None] - before + d * np.arange(k)[None, :]
    axes.append((source >= 0) & (source < n))
  return (axes[0][:, None, :, None] & axes[1][None, :, None, :]).astype(
      np.float32)
