# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Test episodes, and the class checks shared with the training sampler.

Test episodes are one sequence per run seed (seed + run), identical across
runs of this code. (Training episodes are drawn inside the tf.data graph,
see pipeline.py.)
"""

import dataclasses

import numpy as np

from smcp_jax.data.class_index import ClassIndex
from smcp_jax.data.errors import DataError


@dataclasses.dataclass(frozen=True)
class Episode:
  """One 1-way K-shot episode."""
  index: int
  class_id: int
  support_ids: tuple[str, ...]
  query_id: str


def usable_classes(index: ClassIndex, classes, shots: int) -> list[int]:
  """The classes with at least shots + 1 images; errors if none."""
  usable, short = [], []
  for c in classes:
    (usable if len(index.get(c, [])) >= shots + 1 else short).append(c)
  if short:
    counts = {c: len(index.get(c, [])) for c in short}
    raise DataError(
        f'classes {short} have fewer than {shots + 1} images ({counts}): no '
        f'{shots}-shot episode is possible. Lower config.data.min_area, '
        'check the list file, or use another fold.')
  return usable


def test_episodes(index: ClassIndex, classes, *, shots: int, seed: int,
                  num_episodes: int) -> list[Episode]:
  """A run's test episodes: class uniform, then shots + 1 distinct images
  of it (the supports, then the query); fixed by the seed."""
  rng = np.random.default_rng(seed)
  out = []
  for number in range(num_episodes):
    class_id = int(classes[rng.integers(len(classes))])
    images = index[class_id]
    picks = rng.choice(len(images), shots + 1, replace=False)
    out.append(Episode(number, class_id,
                       tuple(images[p] for p in picks[:-1]),
                       images[picks[-1]]))
  return out
