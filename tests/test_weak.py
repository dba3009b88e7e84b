# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Weak annotations: scribbles and boxes inside the object."""

import numpy as np
import pytest

from smcp_jax.data.pipeline import weak
from tests.helpers import data_configs


@pytest.mark.parametrize('annotation', ['scribble', 'bbox'])
def test_weak_annotations_lie_inside(toy_root, tmp_path, annotation):
  config = data_configs.toy_config(toy_root, tmp_path)
  config.test.annotation = annotation
  eps, loader = data_configs.test_episodes(config, run=0)
  for episode in eps[:15]:
    arrays = loader(episode)
    weak_mask = arrays['support_masks'][0] > 0
    dense = arrays['support_label'][0] == 1
    assert weak_mask.any()
    rows, cols = np.flatnonzero(dense.any(1)), np.flatnonzero(dense.any(0))
    box = np.zeros_like(dense)
    box[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] = True
    if annotation == 'scribble':
      assert np.all(dense[weak_mask])
      assert weak_mask.sum() < dense.sum()
    else:
      assert np.all(box[weak_mask])


def test_bbox_random_vs_largest_instance():
  mask = np.zeros((20, 20), bool)
  mask[1:4, 1:4] = True  # small instance 1
  mask[8:18, 8:18] = True  # large instance 2
  instances = np.where(mask, 1, 0).astype(np.uint8)
  instances[8:18, 8:18] = 2
  largest = weak.bbox(mask, instances, np.random.default_rng(0), 'largest')
  assert largest.sum() == 100 and largest[8, 8]
  boxes = {weak.bbox(mask, instances, np.random.default_rng(s)).sum()
           for s in range(20)}
  assert boxes == {9, 100}
