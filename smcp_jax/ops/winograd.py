# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""3x3 stride-1 'same' convolution by Winograd's minimal filtering F(2x2, 3x3).

Each 2x2 block of outputs takes 16 products per channel pair instead of 36:
the input's overlapping 4x4 tiles and the kernel are transformed (sums and
halvings), multiplied as 16 matrix products over the channels, and the
products transformed back (Lavin & Gray, "Fast Algorithms for Convolutional
Neural Networks", 2016; the F(2,3) of cuDNN and oneDNN). Why: on the CPU,
XLA runs VGG's 52x52 convs of 256-512 channels at its matmul peak, while
PyTorch's oneDNN runs them 15-20% faster; 2.25x fewer multiplications win
that back where the channels are wide enough for the transforms to be cheap
beside the products (docs/performance.md). The values are the direct conv's
up to float rounding (about 1e-6 relative, tested).

A dilation d is the same algorithm over tiles whose taps are d apart: the
padded input reshaped to (blocks, 2, d) per axis makes every tile a slice.
The 16 products run as 4 steps of a scan, one transformed row each, so
that one step's transforms (not all 16, 4x the input's size) are in memory
at a time; the custom VJP keeps only the input and kernel and recomputes
the transforms in the backward pass. Unrolled, the CPU's train step took
0.7 GB more peak RSS for 5% more speed (docs/performance.md).
"""

import functools

import jax
from jax import lax
import jax.numpy as jnp
import numpy as np


# F(2,3)'s matrices: B^T (input tiles), G (kernel), A^T (outputs).
_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
               np.float32)
_G = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float32)
_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float32)


def _input_cols(u):
  """B^T over a list of 4 tile columns."""
  return [u[0] - u[2], u[1] + u[2], u[2] - u[1], u[1] - u[3]]


def _output_cols(m):
  """A^T over a list of 4: the 2 output columns of each tile."""
  return [m[0] + m[1] + m[2], m[1] - m[2] - m[3]]


def _kernel_cols(g):
  """G over a list of 3 kernel taps: 4 transformed taps."""
  return [g[0], (g[0] + g[1] + g[2]) * 0.5, (g[0] - g[1] + g[2]) * 0.5, g[2]]


def _tiles(h, w, d):
  """Tile rows and columns of an h x w output: each tile covers 2 x 2
  outputs d apart, d x d tiles interleaved per block of 2d."""
  return -(-h // (2 * d)), -(-w // (2 * d))


def _row_term(x, kernel, bt_row, g_row, at_col, d):
  """Transformed row a's share of the output (B^T's row `bt_row`, G's
  `g_row`, A^T's column `at_col`): its 4 of the 16 products, transformed
  back."""
  n, h, w, c = x.shape
  th, tw = _tiles(h, w, d)
  hp, wp = 2 * d * (th + 1), 2 * d * (tw + 1)
  padded = jnp.pad(x, ((0, 0), (d, hp - h - d), (d, wp - w - d), (0, 0)))
  blocks = padded.reshape(n, th + 1, 2, d, wp, c)
  rows = sum(bt_row[s] * blocks[:, s // 2:s // 2 + th, s % 2]
             for s in range(4)).reshape(n, th, d, tw + 1, 2, d, c)
  v = _input_cols([rows[:, :, :, t // 2:t // 2 + tw, t % 2]
                   for t in range(4)])
  u = _kernel_cols([sum(g_row[s] * kernel[s, t] for s in range(3))
                    for t in range(3)])
  products = [(v[b].reshape(-1, c) @ u[b]).reshape(n, th, d, tw, d, -1)
              for b in range(4)]
  cols = _output_cols(products)
  y = jnp.stack([jnp.stack([at_col[i] * col for col in cols], 4)
                 for i in range(2)], 2)
  return y.reshape(n, 2 * d * th, 2 * d * tw, -1)[:, :h, :w]


def _coefficients(dtype):
  """Per transformed row a: B^T's row, G's row and A^T's column."""
  return tuple(jnp.asarray(m, dtype) for m in (_BT, _G, _AT.T))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def conv3x3(x, kernel, dilation: int = 1):
  """A 3x3 stride-1 NHWC / HWIO conv with padding = dilation on every side
  (the output has the input's size), as `lax.conv_general_dilated`."""

  def add_row(y, coefficients):
    return y + _row_term(x, kernel, *coefficients, dilation), None

  zeros = jnp.zeros(x.shape[:3] + kernel.shape[-1:], x.dtype)
  return lax.scan(add_row, zeros, _coefficients(x.dtype))[0]


def _conv3x3_fwd(x, kernel, dilation):
  return conv3x3(x, kernel, dilation), (x, kernel)


def _conv3x3_bwd(dilation, residuals, g):
  x, kernel = residuals

  def add_row(grads, coefficients):
    _, vjp = jax.vjp(
        lambda x_, k_: _row_term(x_, k_, *coefficients, dilation), x, kernel)
    return jax.tree.map(jnp.add, grads, vjp(g)), None

  zeros = (jnp.zeros_like(x), jnp.zeros_like(kernel))
  return lax.scan(add_row, zeros, _coefficients(x.dtype))[0]


conv3x3.defvjp(_conv3x3_fwd, _conv3x3_bwd)
