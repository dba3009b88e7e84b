# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The tf.data training batches: no novel class, deterministic, resumable,
sharded."""

import numpy as np
import pytest

from smcp_jax.data import folds
from tests.helpers import data_configs


@pytest.mark.parametrize('fold', range(4))
def test_training_batches_never_leak_novel_classes(toy_root, tmp_path, fold):
  config = data_configs.toy_config(toy_root, tmp_path, fold=fold,
                                   mcl_remap=False)
  novel = set(folds.novel_classes('toy', fold))
  batches = data_configs.batches(config, 8).take(3)
  for batch in batches.as_numpy_iterator():
    assert not novel & set(batch['class_id'].tolist())
    for key in ('support_mcl_label', 'query_mcl_label'):
      assert not novel & set(np.unique(batch[key]).tolist())
    for key in ('support_label', 'query_label'):
      assert set(np.unique(batch[key]).tolist()) <= {0, 1, 255}
    # The binary and multi-class labels agree on where the class is.
    for b, c in enumerate(batch['class_id']):
      fg = batch['query_label'][b] == 1
      assert fg.any()  # the query holds the class (64 -> 65 keeps it)
      assert np.all(batch['query_mcl_label'][b][fg] == c)
    np.testing.assert_array_equal(batch['support_masks'],
                                  batch['support_label'] == 1)
    assert batch['support_images'].shape == (8, 1, 65, 65, 3)
    assert abs(float(batch['query_image'].mean())) < 2.0  # normalised


def test_training_order_is_deterministic_resumable_and_sharded(toy_root,
                                                               tmp_path):
  config = data_configs.toy_config(toy_root, tmp_path)
  take = lambda ds, n: list(ds.take(n).as_numpy_iterator())
  full = take(data_configs.batches(config, 4), 4)
  again = take(data_configs.batches(config, 4), 4)
  resumed = take(data_configs.batches(config, 4, start_step=2), 2)
  hosts = [take(data_configs.batches(config, 4, process_index=p,
                                     process_count=2), 4)
           for p in range(2)]
  for step in range(4):
    for key in full[step]:
      np.testing.assert_array_equal(full[step][key], again[step][key])
      merged = np.concatenate([hosts[0][step][key], hosts[1][step][key]])
      np.testing.assert_array_equal(full[step][key], merged)
      if step >= 2:
        np.testing.assert_array_equal(full[step][key],
                                      resumed[step - 2][key])
  assert [int(e) for e in full[1]['episode']] == [4, 5, 6, 7]
  other = data_configs.toy_config(toy_root, tmp_path)
  other.seed += 1
  changed = take(data_configs.batches(other, 4), 1)[0]
  assert not np.array_equal(changed['class_id'], full[0]['class_id']) or \
      not np.array_equal(changed['query_image'], full[0]['query_image'])
