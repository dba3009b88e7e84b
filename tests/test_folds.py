# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Class splits and names."""

import pytest

from smcp_jax.data import folds
from smcp_jax.errors import DataError


def test_coco_split_conventions():
  assert folds.novel_classes('coco', 0) == tuple(range(1, 21))
  assert folds.novel_classes('coco', 3, 'contiguous') == tuple(range(61, 81))
  assert folds.novel_classes('coco', 0, 'interleaved') == tuple(
      range(1, 81, 4))
  assert folds.novel_classes('coco', 2, 'interleaved')[:3] == (3, 7, 11)
  for split in folds.COCO_SPLITS:
    covered = sorted(c for f in range(4)
                     for c in folds.novel_classes('coco', f, split))
    assert covered == list(range(1, 81))
  with pytest.raises(DataError, match='coco_split must be one of'):
    folds.novel_classes('coco', 0, 'random')


def test_class_names():
  assert folds.class_name('pascal', 15) == 'person'
  assert folds.class_name('toy', 1) == 'red solid ellipse'
  assert folds.class_name('coco', 3) == 'class 3'
