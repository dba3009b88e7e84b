# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A dilated stride-1 conv as an undilated conv over its input's phases.

With dilation d, output pixel d*q + r reads only input pixels of the same
phase r (mod d) on each axis, so the conv is an undilated one on each of
the d x d phase grids, stacked along the batch ("space to batch", as
DeepLab's atrous convolution). Same products, same sums: the values are
the dilated conv's up to float rounding (tested). Why: on a Hopper GPU
cuDNN runs dilated convs with older, slower kernels than undilated ones
(docs/performance.md, "On a GPU"); which is faster there is measured, not
assumed.
"""

import jax.numpy as jnp


def conv_by_phases(conv, lhs: jnp.ndarray, rhs: jnp.ndarray, padding,
                   dilation: tuple[int, int]) -> jnp.ndarray:
  """`conv(lhs, rhs)` with `rhs_dilation=dilation` and explicit `padding`
  ((lo, hi), (lo, hi)), NHWC / HWIO, stride 1; `conv(x, w, padding)` is
  an undilated stride-1 NHWC conv with explicit padding."""
  (top, bottom), (left, right) = padding
  dy, dx = dilation
  kh, kw = rhs.shape[:2]
  n, h, w, c = lhs.shape
  out_h, out_w = h + top + bottom - dy * (kh - 1), w + left + right - dx * (
      kw - 1)
  grid_h, grid_w = -(-(h + top + bottom) // dy), -(-(w + left + right) // dx)
  x = jnp.pad(lhs, ((0, 0), (top, grid_h * dy - h - top),
                    (left, grid_w * dx - w - left), (0, 0)))
  x = x.reshape(n, grid_h, dy, grid_w, dx, c).transpose(2, 4, 0, 1, 3, 5)
  y = conv(x.reshape(dy * dx * n, grid_h, grid_w, c), rhs,
           ((0, 0), (0, 0)))
  rows, cols, out = y.shape[1:]
  y = y.reshape(dy, dx, n, rows, cols, out).transpose(2, 3, 0, 4, 1, 5)
  return y.reshape(n, rows * dy, cols * dx, out)[:, :out_h, :out_w]
