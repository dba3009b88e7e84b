# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The COCO reader, its label rasterising command, training on COCO."""

import numpy as np
import pytest
import tensorflow as tf

from smcp_jax import coco_labels
from smcp_jax.config_lib import resolution
from smcp_jax.data.pipeline import tf_ops
from smcp_jax.data.readers import coco
from smcp_jax.errors import DataError
from tests.helpers import data_configs


def test_coco_labels_and_class_index(coco_root):
  source = coco.COCO20i(coco_root)
  assert source.class_of_category('train2014') == {1: 1, 2: 2, 3: 3, 90: 4}
  label = source.load_label('1', 'train2014')
  assert label.shape == (40, 50)
  assert label[5, 5] == 1 and label[20, 35] == 4 and label[35, 5] == 0
  label2 = source.load_label('2', 'train2014')
  assert label2[25, 30] == 255  # crowd is ignored
  index = source.class_index('train2014')
  assert index == {1: ['1', '2'], 3: ['3'], 4: ['1']}  # crowd not listed
  assert source.prepare_labels('train2014') == 3
  np.testing.assert_array_equal(
      tf_ops.decode_label(
          tf.io.read_file(source.label_path('1', 'train2014'))), label)
  instances = source.load_instances('1', 'train2014')
  assert set(np.unique(instances)) == {0, 1, 2}


def test_coco_training_needs_prepared_labels(coco_root, tmp_path):
  config = data_configs.toy_config(coco_root, tmp_path, dataset='coco',
                                   train_split='train2014')
  with pytest.raises(DataError, match='python -m smcp_jax.coco_labels --root'):
    data_configs.batches(config, 1)
  resolved = resolution.resolve(config)
  assert (resolved.test.split, resolved.test.label_resolution) == (
      'val2014', 'resized')


def test_coco_cli_errors_are_one_line(coco_root, tmp_path):
  with pytest.raises(SystemExit, match="error: data root '.*nope' does not "
                     'exist'):
    coco_labels.main(['--root', str(tmp_path / 'nope')])
  (tmp_path / 'empty').mkdir()
  with pytest.raises(SystemExit, match='error: missing annotation file'):
    coco_labels.main(['--root', str(tmp_path / 'empty')])
