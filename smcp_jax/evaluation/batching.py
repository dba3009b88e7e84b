# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Fixed-shape batches of episodes or queries, so that the jitted network
compiles once per input size, and the N-way prediction from the ways'
logits; evaluation and the Predictor share them."""

import numpy as np


def batches(items: list, size: int) -> list[list]:
  """`items` in consecutive groups of `size` (the last may be shorter)."""
  return [items[start:start + size] for start in range(0, len(items), size)]


def pad_batch(group: list, size: int) -> list:
  """`group` filled up to `size` by repeating its last item: every batch
  then has one shape and the jitted network compiles once. The caller drops
  the results of the repeats."""
  return group + [group[-1]] * (size - len(group))


def combine_ways(logits: np.ndarray) -> np.ndarray:
  """N-way prediction from each way's binary logits (N, H, W, 2): a pixel
  takes the way with the highest foreground probability if that way
  predicts foreground there (foreground logit above background), else
  background. Returns (H, W) uint8: 0 background, j + 1 for way j; ties
  go to the first way, and a way's own tie to background, as the binary
  argmax."""
  margin = logits[..., 1] - logits[..., 0]  # the probability's order
  best = np.argmax(margin, axis=0)
  wins = np.take_along_axis(margin, best[None], axis=0)[0] > 0
  return np.where(wins, best + 1, 0).astype(np.uint8)
