# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The toy set: its classes and generated images."""

import numpy as np

from smcp_jax.data import folds
from smcp_jax.data.readers import pascal
from smcp_jax.toy import classes as toy_classes
from smcp_jax.toy import generate


def test_toy_classes_are_distinct_and_share_parts_across_folds():
  designs = {c: toy_classes.class_design(c) for c in range(1, 21)}
  assert len(set(designs.values())) == 20
  for fold in range(4):
    train = [designs[c] for c in folds.train_classes('toy', fold)]
    for c in folds.novel_classes('toy', fold):
      shape, appearance = designs[c]
      assert any(s == shape for s, _ in train)
      assert any(a == appearance for _, a in train)


def test_toy_images_are_deterministic_and_labelled(toy_root):
  a = generate.make_image(7, seed=0, size=64)
  b = generate.make_image(7, seed=0, size=64)
  for x, y in zip(a, b):
    np.testing.assert_array_equal(x, y)
  assert not np.array_equal(a[0], generate.make_image(7, seed=1, size=64)[0])
  image, semantic, instances = a
  assert image.shape == (64, 64, 3) and image.dtype == np.uint8
  assert 7 % 20 + 1 in semantic  # the first object's class cycles
  assert 255 in semantic and set(np.unique(semantic)) <= set(range(21)) | {255}
  source = pascal.PascalVOC(toy_root)
  ids = source.image_ids('trainaug')
  assert len(ids) == 160 and len(source.image_ids('val')) == 60
  np.testing.assert_array_equal(
      source.load_label('toy_000007', 'trainaug'),
      generate.make_image(7, seed=0, size=64)[1])
