# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Random episodes for tests and benchmarks, without torch (so that a
benchmark's JAX process holds no torch in its memory)."""

import numpy as np


def episode(size: int, shots: int = 1, batch: int = 1, seed: int = 0):
  """Random normalised images and elliptic foreground masks (NHWC numpy)."""
  rng = np.random.default_rng(seed)
  support = rng.normal(size=(batch, shots, size, size, 3)).astype(np.float32)
  query = rng.normal(size=(batch, size, size, 3)).astype(np.float32)
  yy, xx = np.mgrid[:size, :size] / size
  masks = np.zeros((batch, shots, size, size), np.float32)
  for b in range(batch):
    for k in range(shots):
      cy, cx, ry, rx = rng.uniform(0.3, 0.7, 2).tolist() + rng.uniform(
          0.1, 0.3, 2).tolist()
      masks[b, k] = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1
  return support, masks, query
