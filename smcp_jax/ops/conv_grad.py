# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""How the network's convolutions run: XLA's, or faster forms on the CPU.

Wide 3x3 convs run as Winograd's F(2x2, 3x3) (ops.winograd). For the
others, with YNNPACK's CPU convolutions (XLA's default) XLA's weight
gradient is far slower than PyTorch's (worst on VGG's large, low-channel
conv1 / conv2 maps; docs/performance.md has the numbers): there it is a
loop over blocks of output rows, each one matrix product of the block's
im2col patches with its output gradient. With Eigen's convolutions
(smcp_jax's default, ops/xla_cpu_flags.py) XLA's own was the faster.
bfloat16, other backends, and the input gradient everywhere keep
XLA's own. The modes are constructor arguments of the network
(`config.model.conv_weight_grad`, `dilated_conv`, `conv3x3`), resolved once
into the function its convs call (conv_fn), so they are part of the traced
graph rather than global state.
"""

import functools
import math
import os

import jax
from jax import lax
import jax.numpy as jnp

from smcp_jax.ops import dilated_phases
from smcp_jax.ops import winograd
from smcp_jax.ops import xla_cpu_flags

_NHWC = ('NHWC', 'HWIO', 'NHWC')
# 'auto': XLA's where its CPU convolutions are Eigen's (smcp_jax's default,
# ops/xla_cpu_flags.py: faster than the loop at every size measured);
# where they are YNNPACK's, patch matmuls for large float32 convs on the
# CPU and XLA's elsewhere. 'xla'; 'patch_matmul': every stride-1 NHWC conv
# (benchmarks and tests).
WEIGHT_GRAD_MODES = ('auto', 'xla', 'patch_matmul')
DILATED_MODES = ('xla', 'phases')  # ops/dilated_phases.py
# 'auto': Winograd for float32 3x3 convs of >= AUTO_WINOGRAD_MIN_CHANNELS
# (input x output channels) on the CPU; 'direct': XLA's; 'winograd': every
# 3x3 stride-1 'same' conv (tests).
CONV3X3_MODES = ('auto', 'direct', 'winograd')
# Where the transforms cost little beside the products: VGG's 256 -> 512
# and 512 -> 512 convs (1.2-1.9x faster at 52x52), not its 256 -> 256 at
# 104x104 (even) or anything of the toy's width.
AUTO_WINOGRAD_MIN_CHANNELS = 256 * 512


def _plain(x, w, padding, dilation):
  return lax.conv_general_dilated(x, w, (1, 1), padding,
                                  rhs_dilation=dilation,
                                  dimension_numbers=_NHWC)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _conv(x, w, padding, dilation):
  return _plain(x, w, padding, dilation)


def _conv_fwd(x, w, padding, dilation):
  # The padded input is the residual: XLA fuses the pad into the producer
  # (bias + ReLU), and the backward pass then reads it without a copy.
  padded = jnp.pad(x, ((0, 0), *padding, (0, 0)))
  return _plain(padded, w, ((0, 0), (0, 0)), dilation), (padded, w)


# Output pixels (N * rows * W) a loop step covers: one step's patches are
# then ~1-2 MB at 64 channels and stay in cache (docs/performance.md).
_PIXELS_PER_STEP = 512

# Below this a conv's weight gradient is too cheap for the loop to pay for
# its compile time; every conv of the paper's network (>= 1.2 GFLOP at 417)
# and of the toy demo (~300 MFLOP) is above.
AUTO_MIN_FLOPS = 1e8
# Where XLA's weight gradient was faster with YNNPACK's convolutions
# (docs/performance.md, the toy at 129 px, batch 8): under 32 output
# channels the products are too thin for the patches' copies (conv1_x of
# the toy's width: 2.6 vs 6.5 ms), and on maps of under 4096 output pixels
# (N x H x W) the loop's few small steps run on one core where XLA's conv
# uses all (16x16 x 8: 2.7 vs 4.5 ms). No conv of the paper's network at
# 417 px is below either.
AUTO_MIN_OUT_CHANNELS = 32
AUTO_MIN_PIXELS = 4096


def _rows_per_step(h, pixels_per_row, pixels_per_step):
  """The largest divisor of h within the step's pixels (at least 1 row), so
  that the blocks tile the map without padding it."""
  most = max(1, pixels_per_step // pixels_per_row)
  return max(d for d in range(1, min(h, most) + 1) if h % d == 0)


def patch_matmul_weight_grad(padded_x, g, kernel_shape, dilation,
                             pixels_per_step=_PIXELS_PER_STEP):
  """d(loss)/d(kernel) of a stride-1 NHWC conv of the (already padded)
  input, accumulated over blocks of output rows: per block one
  (patches)^T @ (output gradient) product, with the block's k*k shifted
  windows side by side as the patches (im2col of a few rows)."""
  kh, kw = kernel_shape[:2]
  n, h, w, out_ch = g.shape
  rows = _rows_per_step(h, n * w, pixels_per_step)
  span = rows + (kh - 1) * dilation[0]

  def add_block(step, acc):
    block = lax.dynamic_slice_in_dim(padded_x, step * rows, span, axis=1)
    patches = jnp.concatenate(
        [block[:, i * dilation[0]:i * dilation[0] + rows,
               j * dilation[1]:j * dilation[1] + w]
         for i in range(kh) for j in range(kw)], axis=-1)
    g_block = lax.dynamic_slice_in_dim(g, step * rows, rows, axis=1)
    return acc + jnp.dot(patches.reshape(-1, patches.shape[-1]).T,
                         g_block.reshape(-1, out_ch),
                         preferred_element_type=jnp.float32)

  acc = lax.fori_loop(
      0, h // rows, add_block,
      jnp.zeros((kh * kw * padded_x.shape[3], out_ch), jnp.float32))
  return acc.reshape(kernel_shape).astype(padded_x.dtype)


def _conv_bwd(padding, dilation, residuals, g):
  padded, w = residuals
  (top, bottom), (left, right) = padding
  n, hp, wp, c = padded.shape
  x_shape = jax.ShapeDtypeStruct((n, hp - top - bottom, wp - left - right, c),
                                 padded.dtype)
  (dx,) = jax.linear_transpose(
      lambda x_: _plain(x_, w, padding, dilation), x_shape)(g)
  dw = patch_matmul_weight_grad(padded, g, w.shape, dilation)
  return dx, dw.astype(w.dtype)


_conv.defvjp(_conv_fwd, _conv_bwd)


def _plain_nhwc(lhs, rhs, window_strides, lhs_dilation, dimension_numbers,
                feature_group_count, batch_group_count) -> bool:
  """A stride-1, ungrouped NHWC / HWIO conv without input dilation."""
  return (tuple(window_strides) == (1, 1)
          and (lhs_dilation is None or tuple(lhs_dilation) == (1, 1))
          and feature_group_count == 1 and batch_group_count == 1
          and dimension_numbers is not None
          and lax.conv_dimension_numbers(lhs.shape, rhs.shape,
                                         dimension_numbers)
          == lax.conv_dimension_numbers(lhs.shape, rhs.shape, _NHWC))


def _fast_path_applies(mode, lhs, rhs, padding) -> bool:
  # 'auto': float32 on the CPU only (bfloat16 is emulated there and was
  # slower), with YNNPACK's convolutions, and only where it was measured
  # faster (the AUTO_ bounds).
  flops = 2 * math.prod(lhs.shape) * math.prod(rhs.shape[:2]) * rhs.shape[-1]
  wanted = (mode == 'patch_matmul'
            or (mode == 'auto' and jax.default_backend() == 'cpu'
                and not xla_cpu_flags.eigen_convolutions(
                    os.environ.get('XLA_FLAGS', ''))
                and lhs.dtype == jnp.float32 and flops >= AUTO_MIN_FLOPS
                and rhs.shape[-1] >= AUTO_MIN_OUT_CHANNELS
                and math.prod(lhs.shape[:3]) >= AUTO_MIN_PIXELS))
  return (wanted and not isinstance(padding, str)
          and all(p >= 0 for pair in padding for p in pair))


def _winograd_dilation(mode, lhs, rhs, padding, rhs_dilation):
  """The dilation d of a 3x3 'same' conv (padding d on every side) that
  `mode` runs by Winograd, else None."""
  d = tuple(rhs_dilation) if rhs_dilation else (1, 1)
  wanted = (mode == 'winograd'
            or (mode == 'auto' and jax.default_backend() == 'cpu'
                and lhs.dtype == jnp.float32
                and rhs.shape[2] * rhs.shape[3] >= AUTO_WINOGRAD_MIN_CHANNELS))
  if (wanted and rhs.shape[:2] == (3, 3) and d[0] == d[1]
      and not isinstance(padding, str)
      and tuple(map(tuple, padding)) == ((d[0], d[0]), (d[0], d[0]))):
    return d[0]
  return None


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None,
                         feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None,
                         out_sharding=None, *, weight_grad: str = 'auto',
                         dilated: str = 'xla', conv3x3: str = 'auto'):
  """`lax.conv_general_dilated`; for a stride-1 NHWC conv with none of the
  precision, element-type or sharding options: as Winograd's F(2x2, 3x3)
  where `conv3x3` asks for it, else over its input's phases where
  `dilated` is 'phases' and it is dilated, else with the patch-matmul
  weight gradient where `weight_grad` asks for it."""
  if (precision is None and preferred_element_type is None
      and out_sharding is None
      and _plain_nhwc(lhs, rhs, window_strides, lhs_dilation,
                      dimension_numbers, feature_group_count,
                      batch_group_count)):
    d = _winograd_dilation(conv3x3, lhs, rhs, padding, rhs_dilation)
    if d is not None:
      return winograd.conv3x3(lhs, rhs, d)
    if dilated == 'phases' and rhs_dilation and max(rhs_dilation) > 1:
      undilated = lambda x, w, pad: conv_general_dilated(
          x, w, (1, 1), pad, dimension_numbers=dimension_numbers,
          weight_grad=weight_grad, conv3x3=conv3x3)
      return dilated_phases.conv_by_phases(
          undilated, lhs, rhs, tuple(tuple(p) for p in padding),
          tuple(rhs_dilation))
    if _fast_path_applies(weight_grad, lhs, rhs, padding):
      dilation = tuple(rhs_dilation) if rhs_dilation else (1, 1)
      return _conv(lhs, rhs, tuple(tuple(p) for p in padding), dilation)
  return lax.conv_general_dilated(
      lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
      rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
      feature_group_count=feature_group_count,
      batch_group_count=batch_group_count, precision=precision,
      preferred_element_type=preferred_element_type,
      out_sharding=out_sharding)


@functools.lru_cache(maxsize=None)
def conv_fn(weight_grad: str = 'auto', dilated: str = 'xla',
            conv3x3: str = 'auto'):
  """`conv_general_dilated` with its weight-gradient, dilation and 3x3
  modes fixed, for nnx.Conv's conv_general_dilated (one object per
  triple)."""
  if weight_grad not in WEIGHT_GRAD_MODES:
    raise ValueError(f'weight_grad mode must be one of {WEIGHT_GRAD_MODES}, '
                     f'got {weight_grad!r}')
  if dilated not in DILATED_MODES:
    raise ValueError(f'dilated mode must be one of {DILATED_MODES}, got '
                     f'{dilated!r}')
  if conv3x3 not in CONV3X3_MODES:
    raise ValueError(f'conv3x3 mode must be one of {CONV3X3_MODES}, got '
                     f'{conv3x3!r}')
  return functools.partial(conv_general_dilated, weight_grad=weight_grad,
                           dilated=dilated, conv3x3=conv3x3)
