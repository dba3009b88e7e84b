# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Convolution with a faster weight gradient on the CPU.

XLA's CPU weight gradient of the large, low-channel convolutions (VGG's
conv1 / conv2 blocks at 417 and 209 pixels) runs several times slower than
PyTorch's. As a sum over the k*k kernel taps of matrix products
(shifted input)^T @ (output gradient) it runs 3-4x faster there, and
1.5-2x on the deeper layers at 417. Tiny maps, other backends, and the
input gradient everywhere keep XLA's own.
"""

import contextlib
import functools

import jax
from jax import lax
import jax.numpy as jnp

_NHWC = ('NHWC', 'HWIO', 'NHWC')
WEIGHT_GRAD_MODES = ('auto', 'xla', 'shifted_matmul')
_mode = 'auto'  # read when a function is traced


@contextlib.contextmanager
def weight_grad(mode: str):
  """Traces within use `mode`: 'auto' (shifted matmuls for large maps on
  the CPU, XLA's elsewhere), 'xla' or 'shifted_matmul' (every stride-1 NHWC
  conv; for benchmarks and tests)."""
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
  return _plain(x, w, padding, dilation), (x, w)


# Independent partial sums per tap: XLA's CPU dot parallelises over its
# output, which is tiny here (C x O), so one long reduction runs on a single
# core; a batch of shorter ones uses them all (measured 2.7x on conv1_2).
# Below ~4k rows a chunk, the batched small dots lose (measured).
_MAX_CHUNKS = 32
_ROWS_PER_CHUNK = 4096
# 'auto' takes this path only for convs with at least this many output
# pixels (N*H*W): every encoder conv at 417 (down to 2 x 52 x 52 for
# support + query). On tiny maps with many channels (12 x 12 x 512) XLA's
# own gradient was up to 30x faster.
AUTO_MIN_PIXELS = 2048


def _rows(a, chunks):
  """(..., F) -> (chunks, K / chunks, F), zero-padded along the rows."""
  a = a.reshape(-1, a.shape[-1])
  pad = -a.shape[0] % chunks
  return jnp.pad(a, ((0, pad), (0, 0))).reshape(chunks, -1, a.shape[-1])


def shifted_matmul_weight_grad(x, g, kernel_shape, padding, dilation):
  """d(loss)/d(kernel) of a stride-1 NHWC conv as k*k matrix products."""
  kh, kw = kernel_shape[:2]
  (top, bottom), (left, right) = padding
  padded = jnp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
  n, h, w = g.shape[:3]
  chunks = max(1, min(_MAX_CHUNKS, n * h * w // _ROWS_PER_CHUNK))
  g_rows = _rows(g, chunks)
  taps = []
  for i in range(kh):
    for j in range(kw):
      window = lax.dynamic_slice(
          padded, (0, i * dilation[0], j * dilation[1], 0),
          (n, h, w, x.shape[3]))
      partial = jnp.einsum('bkc,bko->bco', _rows(window, chunks), g_rows,
                           preferred_element_type=jnp.float32)
      taps.append(partial.sum(0))
  return jnp.stack(taps).reshape(kernel_shape).astype(x.dtype)


def _conv_bwd(padding, dilation, residuals, g):
  x, w = residuals
  _, input_vjp = jax.vjp(lambda x_: _plain(x_, w, padding, dilation), x)
  (dx,) = input_vjp(g)
  dw = shifted_matmul_weight_grad(x, g, w.shape, padding, dilation)
  return dx, dw.astype(w.dtype)


_conv.defvjp(_conv_fwd, _conv_bwd)


def _fast_path_applies(lhs, rhs, window_strides, padding, lhs_dilation,
                       dimension_numbers, feature_group_count,
                       batch_group_count) -> bool:
  pixels = lhs.shape[0] * lhs.shape[1] * lhs.shape[2]
  wanted = (_mode == 'shifted_matmul'
            or (_mode == 'auto' and jax.default_backend() == 'cpu'
                and pixels >= AUTO_MIN_PIXELS))
  return (wanted and tuple(window_strides) == (1, 1)
          and not isinstance(padding, str)
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
  """`lax.conv_general_dilated`, with the shifted-matmul weight gradient for
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
