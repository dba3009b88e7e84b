# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Test episodes from a config: fixed by the seed, at the protocol's
resolution; bad values named."""

import numpy as np
import pytest

from smcp_jax.data import folds
from smcp_jax.data.pipeline import episodes
from smcp_jax.data.readers import pascal
from smcp_jax.errors import DataError
from tests.helpers import data_configs


def test_test_episodes_fixed_by_seed(toy_root, tmp_path):
  config = data_configs.toy_config(toy_root, tmp_path, shots=2)
  first, loader = data_configs.test_episodes(config, run=0)
  second, _ = data_configs.test_episodes(config, run=0)
  other, _ = data_configs.test_episodes(config, run=1)
  assert first == second and first != other and len(first) == 40
  novel = set(folds.novel_classes('toy', 0))
  source = pascal.PascalVOC(toy_root)
  for episode in first[:10]:
    assert episode.class_id in novel
    ids = episode.support_ids + (episode.query_id,)
    assert len(set(ids)) == 3  # distinct images
    for image_id in ids:
      assert episode.class_id in source.load_label(image_id, 'trainaug')
  arrays = loader(first[0])
  assert arrays['support_images'].shape == (2, 65, 65, 3)
  assert set(np.unique(arrays['query_label'])) <= {0, 1, 255}
  assert {e.seed for e in first} == {config.seed} and {
      e.seed for e in other} == {config.seed + 1}


def test_val_protocol_returns_original_resolution(toy_root, tmp_path):
  """'val', PFENet's protocol: the input at 473 / 417 of the training size
  (65 -> 74), padded, and the original label (64 x 64, square already)."""
  config = data_configs.toy_config(toy_root, tmp_path)
  config.test.protocol = 'val'
  eps, loader = data_configs.test_episodes(config, run=0)
  arrays = loader(eps[0])
  assert arrays['query_label_original'].shape == (64, 64)
  assert arrays['query_label'].shape == (74, 74)
  assert all(e.query_id >= 'toy_000160' for e in eps)  # val images only


def test_bad_values(toy_root, tmp_path):
  with pytest.raises(DataError, match='fold must be 0..3, got 4'):
    folds.novel_classes('pascal', 4)
  index = {1: ['a', 'b'], 2: ['c']}
  with pytest.raises(DataError, match=r'classes \[2\] have fewer than 2'):
    episodes.usable_classes(index, [1, 2], shots=1)
  config = data_configs.toy_config(toy_root, tmp_path)
  with pytest.raises(DataError, match='not divisible by the 3 processes'):
    data_configs.batches(config, 4, process_count=3)
