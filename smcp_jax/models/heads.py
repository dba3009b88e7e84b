# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The segmentation heads: ASPP classifiers and the pyramid feature fusion.

Every module takes `dtype` (compute dtype) and `conv_impl` (how its convs
run, ops.conv_grad.conv_fn) and hands them to its convs.
"""

from flax import nnx
import jax
import jax.numpy as jnp

from smcp_jax.models import layers
from smcp_jax.models import resize
from smcp_jax.ops import guided_conv

ASPP_RATES = (6, 12, 18, 24)


class ASPP(nnx.Module):
  """DeepLab-v2 ASPP-L classifier: four dilated 3x3 convs, outputs summed."""

  def __init__(self, in_features: int, num_classes: int, *, dtype=None,
               conv_impl=layers.DEFAULT_CONV, rngs: nnx.Rngs):
    self.branches = nnx.List([
        layers.conv(in_features, num_classes, dilation=rate,
                    kernel_init=layers.aspp_kernel_init, dtype=dtype,
                    conv_impl=conv_impl, rngs=rngs)
        for rate in ASPP_RATES])

  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    return sum(branch(x) for branch in self.branches)


class ResidualBlock(nnx.Module):
  """1x1 (C->C/8), 3x3, 1x1 (->C) bottleneck; relu(x + block(x))."""

  def __init__(self, features: int, bottleneck: int, *, dtype=None,
               conv_impl=layers.DEFAULT_CONV, rngs: nnx.Rngs):
    conv = lambda n_in, n_out, k: layers.conv(
        n_in, n_out, k, dtype=dtype, conv_impl=conv_impl, rngs=rngs)
    self.reduce = conv(features, bottleneck, 1)
    self.conv = conv(bottleneck, bottleneck, 3)
    self.expand = conv(bottleneck, features, 1)

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
               extra_convs: bool = False, dtype=None,
               conv_impl=layers.DEFAULT_CONV, rngs: nnx.Rngs):
    conv = lambda: layers.conv(features, features, dtype=dtype,
                               conv_impl=conv_impl, rngs=rngs)
    self.scale1, self.scale2, self.scale4 = conv(), conv(), conv()
    self.extra_convs = nnx.List(
        [conv() for _ in range(2)] if extra_convs else [])
    block = lambda: ResidualBlock(features, bottleneck, dtype=dtype,
                                  conv_impl=conv_impl, rngs=rngs)
    self.residual1, self.residual2 = block(), block()

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
               dtype=None, conv_impl=layers.DEFAULT_CONV, rngs: nnx.Rngs):
    convs = dict(dtype=dtype, conv_impl=conv_impl, rngs=rngs)
    self.reduce = layers.conv(2 * features, features, **convs)
    self.pyramid = (
        PyramidFeatureFusion(features, bottleneck, extra_convs=pff_extra_convs,
                             **convs)
        if use_pff else None)
    self.classifier = ASPP(features, 2, **convs)

  def __call__(self, features: jnp.ndarray, prototype: jnp.ndarray, *,
               skip_pyramid: bool = False) -> jnp.ndarray:
    """features (N, h, w, C) and prototype (N, C) -> logits (N, h, w, 2)."""
    # reduce(concat([features, prototype tiled over the map])), untiled.
    x = jax.nn.relu(guided_conv.conv_of_tiled_concat(self.reduce, features,
                                                     prototype))
    if self.pyramid is not None and not skip_pyramid:
      x = self.pyramid(x)
    return self.classifier(x)
