# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The segmentation heads: ASPP classifiers and the pyramid feature fusion."""

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np

from smcp_jax.models import layers
from smcp_jax.models import resize

ASPP_RATES = (6, 12, 18, 24)


class ASPP(nnx.Module):
  """DeepLab-v2 ASPP-L classifier: four dilated 3x3 convs, outputs summed."""

  def __init__(self, in_features: int, num_classes: int, *, dtype=None,
               rngs: nnx.Rngs):
    self.branches = nnx.List([
        layers.conv(in_features, num_classes, dilation=rate,
                    kernel_init=layers.aspp_kernel_init, dtype=dtype,
                    rngs=rngs)
        for rate in ASPP_RATES])

  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    return sum(branch(x) for branch in self.branches)


class ResidualBlock(nnx.Module):
  """1x1 (C->C/8), 3x3, 1x1 (->C) bottleneck; relu(x + block(x))."""

  def __init__(self, features: int, bottleneck: int, *, dtype=None,
               rngs: nnx.Rngs):
    self.reduce = layers.conv(features, bottleneck, 1, dtype=dtype, rngs=rngs)
    self.conv = layers.conv(bottleneck, bottleneck, 3, dtype=dtype, rngs=rngs)
    self.expand = layers.conv(bottleneck, features, 1, dtype=dtype, rngs=rngs)

  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    y = jax.nn.relu(self.reduce(x))
    y = jax.nn.relu(self.conv(y))
    return jax.nn.relu(x + self.expand(y))


class PyramidFeatureFusion(nnx.Module):
  """The PFF module (paper III-D, Fig. 3) after the 1024->512 reduction.

  Three scales (1, 1/2, 1/4 by cascaded 3x3/2 average pooling), a 3x3 conv +
  ReLU each, bilinear upsampling back, a sum, then two residual blocks with
  64-64-512 filters. The paper's figure has nothing between the sum and the
  residual blocks; the authors' code adds two 3x3 conv + ReLU there
  (`feat_fuse`), kept behind `extra_convs` so their checkpoints load.
  """

  def __init__(self, features: int, bottleneck: int, *,
               extra_convs: bool = False, dtype=None, rngs: nnx.Rngs):
    self.scale1 = layers.conv(features, features, dtype=dtype, rngs=rngs)
    self.scale2 = layers.conv(features, features, dtype=dtype, rngs=rngs)
    self.scale4 = layers.conv(features, features, dtype=dtype, rngs=rngs)
    if extra_convs:
      self.extra_convs = nnx.List([
          layers.conv(features, features, dtype=dtype, rngs=rngs)
          for _ in range(2)])
    else:
      self.extra_convs = nnx.List([])
    self.residual1 = ResidualBlock(features, bottleneck, dtype=dtype, rngs=rngs)
    self.residual2 = ResidualBlock(features, bottleneck, dtype=dtype, rngs=rngs)

  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    size = x.shape[1:3]
    half = layers.avg_pool3s2(x)
    quarter = layers.avg_pool3s2(half)
    y = jax.nn.relu(self.scale1(x))
    y += resize.resize_bilinear(jax.nn.relu(self.scale2(half)), size)
    y += resize.resize_bilinear(jax.nn.relu(self.scale4(quarter)), size)
    for extra in self.extra_convs:
      y = jax.nn.relu(extra(y))
    return self.residual2(self.residual1(y))


class FusionHead(nnx.Module):
  """Guided features -> binary logits: concat, 3x3 reduction, [PFF], ASPP.

  Without the PFF this is the paper's base network (III-B, Table V row 1):
  a single 3x3 conv fuses [features, tiled prototype].
  """

  def __init__(self, features: int, *, use_pff: bool = True,
               pff_extra_convs: bool = False, bottleneck: int = 64,
               dtype=None, rngs: nnx.Rngs):
    self.reduce = layers.conv(2 * features, features, dtype=dtype, rngs=rngs)
    self.pyramid = (
        PyramidFeatureFusion(features, bottleneck, extra_convs=pff_extra_convs,
                             dtype=dtype, rngs=rngs)
        if use_pff else None)
    self.classifier = ASPP(features, 2, dtype=dtype, rngs=rngs)

  def __call__(self, features: jnp.ndarray, prototype: jnp.ndarray, *,
               skip_pyramid: bool = False) -> jnp.ndarray:
    """features (N, h, w, C) and prototype (N, C) -> logits (N, h, w, 2)."""
    x = jax.nn.relu(self._reduce_guided(features, prototype))
    if self.pyramid is not None and not skip_pyramid:
      x = self.pyramid(x)
    return self.classifier(x)

  def _reduce_guided(self, features, prototype):
    """`reduce` of [features, prototype tiled over the map], untiled.

    Over a map holding one vector everywhere, a conv gives at each pixel
    the sum of the kernel taps that fall inside the map: a (pixels x taps)
    0/1 matrix times per-tap vectors. This halves the FLOPs of the head's
    largest conv (twice per inference, in both training branches); the
    result is the concatenation's up to float rounding.
    """
    conv = self.reduce
    features, kernel, bias = conv.promote_dtype(
        (features, conv.kernel[...], conv.bias[...]), dtype=conv.dtype)
    channels = features.shape[-1]
    y = conv.conv_general_dilated(
        features, kernel[:, :, :channels], (1, 1), conv.padding,
        rhs_dilation=conv.kernel_dilation,
        dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
    per_tap = jnp.einsum('nc,ijco->nijo', prototype.astype(features.dtype),
                         kernel[:, :, channels:])
    inside = _taps_inside(features.shape[1:3], kernel.shape[:2], conv.padding,
                          conv.kernel_dilation)
    return y + jnp.einsum('yxij,nijo->nyxo', inside.astype(y.dtype),
                          per_tap) + bias


def _taps_inside(size, kernel_size, padding, dilation) -> np.ndarray:
  """(h, w, kh, kw): 1 where tap (i, j) of the output pixel (y, x) reads a
  pixel of the map, 0 where it reads the zero padding."""
  axes = []
  for n, k, (before, _), d in zip(size, kernel_size, padding, dilation):
    source = np.arange(n)[:, None] - before + d * np.arange(k)[None, :]
    axes.append((source >= 0) & (source < n))
  return (axes[0][:, None, :, None] & axes[1][None, :, None, :]).astype(
      np.float32)
