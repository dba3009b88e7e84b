# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Convolution with a faster weight gradient on the CPU.

XLA's CPU weight gradient of VGG's convolutions at 417 px runs 2-10x slower
than PyTorch's (worst on the large, low-channel conv1 / conv2 maps). As a
loop over blocks of output rows, each one matrix product of the block's
im2col patches with its output gradient, it runs within 1.0-1.8x of
PyTorch's (measured per layer, batch 1). bfloat16, other backends, and the
input gradient everywhere keep XLA's own.
"""

import contextlib
import functools
import math

import jax
from jax import lax
import jax.numpy as jnp

_NHWC = ('NHWC', 'HWIO', 'NHWC')
WEIGHT_GRAD_MODES = ('auto', 'xla', 'patch_matmul')
_mode = 'auto'  # read when a function is traced


@contextlib.contextmanager
def weight_grad(mode: str):
  """Traces within use `mode`: 'auto' (patch matmuls for float32 on the
  CPU, XLA's elsewhere), 'xla' or 'patch_matmul' (every stride-1 NHWC conv;
  for benchmarks and tests)."""
  global _mode
  if mode not in WEIGHT_GRAD_MODES:
    raise ValueError(f'mode must be one of {WEIGHT_GRAD_MODES}, got {mode!r}')
  previous, _mode = _mode, mode
  try:
    yield
  finally:
    _mode = previous


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


# Output pixels (N * rows * W) a loop step covers. One step's patches are
# then ~1-2 MB at 64 channels and stay in cache; 256-1024 measured within 5%,
# whole-map (un-looped) patches 1.3-2x slower at 417 px.
_PIXELS_PER_STEP = 512

# A weight gradient of 100 MFLOP takes ~1 ms here; every conv of the paper's
# network (>= 1.2 GFLOP at 417) and of the toy demo (~300 MFLOP) is above.
AUTO_MIN_FLOPS = 1e8


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


def _fast_path_applies(lhs, rhs, window_strides, padding, lhs_dilation,
                       dimension_numbers, feature_group_count,
                       batch_group_count) -> bool:
  # 'auto': float32 on the CPU, where it measured 1.0-4x faster than XLA's
  # from 12 x 12 x 512 maps up (bfloat16, emulated there, was 10% slower),
  # and only where there is time to win: below AUTO_MIN_FLOPS its loop
  # would mostly add compile time (4 s on the tests' tiny networks).
  flops = 2 * math.prod(lhs.shape) * math.prod(rhs.shape[:2]) * rhs.shape[-1]
  wanted = (_mode == 'patch_matmul'
            or (_mode == 'auto' and jax.default_backend() == 'cpu'
                and lhs.dtype == jnp.float32 and flops >= AUTO_MIN_FLOPS))
  return (wanted and tuple(window_strides) == (1, 1)
          and not isinstance(padding, str)
          and all(p >= 0 for pair in padding for p in pair)
          and (lhs_dilation is None or tuple(lhs_dilation) == (1, 1))
          and feature_group_count == 1 and batch_group_count == 1
          and dimension_numbers is not None
          and lax.conv_dimension_numbers(lhs.shape, rhs.shape,
                                         dimension_numbers)
          == lax.conv_dimension_numbers(lhs.shape, rhs.shape, _NHWC))


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None,
                         feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None,
                         out_sharding=None):
  """`lax.conv_general_dilated`, with the patch-matmul weight gradient for
  stride-1 NHWC convolutions on the CPU (pass as nnx.Conv's
  conv_general_dilated)."""
  if precision is None and preferred_element_type is None and (
      out_sharding is None) and _fast_path_applies(
          lhs, rhs, window_strides, padding, lhs_dilation, dimension_numbers,
          feature_group_count, batch_group_count):
    dilation = tuple(rhs_dilation) if rhs_dilation else (1, 1)
    return _conv(lhs, rhs, tuple(tuple(p) for p in padding), dilation)
  return lax.conv_general_dilated(
      lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
      rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
      feature_group_count=feature_group_count,
      batch_group_count=batch_group_count, precision=precision,
      preferred_element_type=preferred_element_type,
      out_sharding=out_sharding)
