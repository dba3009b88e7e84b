# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Comparing arrays at a tolerance relative to their scale."""

import numpy as np


def max_rel_diff(actual, expected) -> float:
  """max |a - e| relative to the scale (max |e|) of the expected output."""
  actual, expected = np.asarray(actual), np.asarray(expected)
  assert actual.shape == expected.shape, (actual.shape, expected.shape)
  return float(np.max(np.abs(actual - expected))
               / max(np.max(np.abs(expected)), 1e-12))
