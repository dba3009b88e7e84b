# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Bilinear resizing that matches PyTorch, written as interpolation matrices
(in the network, and on the host for predictions).

Converted PyTorch checkpoints only reproduce the authors' numbers if every
resize matches `F.interpolate(mode='bilinear', align_corners=False)`. Writing
the resize as two small matrices (one per spatial axis) makes that exact for
up- and down-sampling, keeps it a pair of matmuls, and gives the transposed
resize for free, which the prototype uses to avoid materialising upsampled
feature maps.
"""

import functools

import jax.numpy as jnp
import numpy as np


@functools.lru_cache(maxsize=64)
def interpolation_matrix(in_size: int, out_size: int,
                         corners: bool = False) -> np.ndarray:
  """Returns U (out_size, in_size) with `U @ x` == torch bilinear resize of x.

  Follows PyTorch's `area_pixel_compute_source_index` with an explicit
  output size (no antialiasing), for align_corners=`corners` (True: PFENet's
  and BAM's upsampling of the logits at test time).
  """
  if in_size < 1 or out_size < 1:
    raise ValueError(f'sizes must be positive, got {in_size} -> {out_size}')
  # PyTorch's CPU kernel: a float32 scale and the source coordinate rounded
  # once to float32 (align_corners=False: one fused multiply-add), then
  # float32 weights.
  f32 = np.float32
  matrix = np.zeros((out_size, in_size), np.float64)
  if corners:
    scale = f32(in_size - 1) / f32(out_size - 1) if out_size > 1 else f32(0)
  else:
    scale = float(f32(in_size) / f32(out_size))
  for dst in range(out_size):
    src = (f32(scale * f32(dst)) if corners
           else max(f32(scale * (dst + 0.5) - 0.5), f32(0.0)))
    lo = min(int(src), in_size - 1)
    hi = lo + 1 if lo < in_size - 1 else lo
    frac = src - f32(lo)
    matrix[dst, lo] += f32(1.0) - frac
    matrix[dst, hi] += frac
  return matrix


def interpolation_matrices(in_hw, out_hw, dtype):
  """The (rows, columns) pair of `interpolation_matrix` for a 2-D resize."""
  mh = jnp.asarray(interpolation_matrix(int(in_hw[0]), int(out_hw[0])), dtype)
  mw = jnp.asarray(interpolation_matrix(int(in_hw[1]), int(out_hw[1])), dtype)
  return mh, mw


def resize_bilinear(x: jnp.ndarray, size: tuple[int, int]) -> jnp.ndarray:
  """Resizes NHWC `x` to `size` (H, W) like torch bilinear, align_corners=False."""
  if tuple(x.shape[1:3]) == tuple(size):
    return x
  mh, mw = interpolation_matrices(x.shape[1:3], size, x.dtype)
  x = jnp.einsum('oh,bhwc->bowc', mh, x)
  return jnp.einsum('pw,bowc->bopc', mw, x)


def resize_bilinear_transpose(
    maps: jnp.ndarray, size: tuple[int, int]) -> jnp.ndarray:
  """Applies the transpose of `resize_bilinear` (size -> maps' size) to maps.

  For single-channel maps (B, H, W) at output resolution, returns (B, h, w)
  with sum(resize(F) * M) == sum(F * resize_transpose(M)) for any F of
  spatial size `size` (h, w).
  """
  mh, mw = interpolation_matrices(size, maps.shape[1:3], maps.dtype)
  return jnp.einsum('oh,bop,pw->bhw', mh, maps, mw)


def upsampled_logits(logits: np.ndarray, size,
                     corners: bool = False) -> np.ndarray:
  """(h, w, C) logits -> (size[0], size[1], C) on the host, in float64,
  with the same interpolation as `resize_bilinear` (align_corners=False)
  or, with `corners`, align_corners=True."""
  mh = interpolation_matrix(logits.shape[0], size[0], corners)
  mw = interpolation_matrix(logits.shape[1], size[1], corners)
  rows = np.einsum('oh,hwc->owc', mh, logits.astype(np.float64))
  return np.einsum('owc,pw->opc', rows, mw)


def upsampled_prediction(logits: np.ndarray, size,
                         corners: bool = False) -> np.ndarray:
  """Binary prediction at `size` from (h, w, 2) logits (ties go to
  background, as the authors' argmax)."""
  up = upsampled_logits(logits, size, corners)
  return (up[..., 1] > up[..., 0]).astype(np.uint8)
