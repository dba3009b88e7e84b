# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Labels and images in TF equal their PIL reading; the MCL label lookup."""

import numpy as np
from PIL import Image
import pytest
import tensorflow as tf

from smcp_jax.data import folds
from smcp_jax.data.pipeline import tf_ops
from smcp_jax.data.pipeline import transforms
from smcp_jax.data.readers import pascal
from smcp_jax.data.readers import voc_format


def test_tf_label_decoding_matches_pil(toy_root, tmp_path):
  source = pascal.PascalVOC(toy_root)
  path = source.label_path('toy_000003', 'trainaug')
  pil = source.load_label('toy_000003', 'trainaug')
  np.testing.assert_array_equal(tf_ops.decode_label(tf.io.read_file(path)), pil)
  grey = str(tmp_path / 'grey.png')
  Image.fromarray(pil, 'L').save(grey)  # SBD-style grey labels
  np.testing.assert_array_equal(tf_ops.decode_label(tf.io.read_file(grey)), pil)


def test_every_voc_palette_colour_decodes_to_its_id(tmp_path):
  ids = np.arange(256, dtype=np.uint8).reshape(16, 16)
  image = Image.fromarray(ids, 'P')
  image.putpalette(voc_format.voc_palette())
  path = str(tmp_path / 'palette.png')
  image.save(path)
  np.testing.assert_array_equal(tf_ops.decode_label(tf.io.read_file(path)),
                                ids)


@pytest.mark.parametrize('height,width,quality', [
    (17, 24, 50), (64, 64, 75), (123, 130, 92), (300, 211, 95)])
def test_tf_jpeg_decoding_equals_pil_bit_for_bit(tmp_path, height, width,
                                                 quality):
  rng = np.random.default_rng(height)
  noise = (rng.random((height // 4 + 1, width // 4 + 1, 3)) * 255)
  image = Image.fromarray(noise.astype(np.uint8)).resize((width, height))
  path = str(tmp_path / 'image.jpg')
  image.save(path, quality=quality)
  ours = tf_ops.decode_image(tf.io.read_file(path)).numpy()
  np.testing.assert_array_equal(ours, np.asarray(Image.open(path)))
  png = str(tmp_path / 'image.png')  # other formats still decode
  image.save(png)
  np.testing.assert_array_equal(tf_ops.decode_image(tf.io.read_file(png)),
                                np.asarray(image))


def test_tf_resize_close_to_pil(toy_root):
  source = pascal.PascalVOC(toy_root)
  image, label = source.load_pair('toy_000011', 'trainaug')
  for size in (33, 129):
    ours = tf_ops.resize_image(tf.constant(image), size).numpy()
    pil = transforms.resize_image(image, size)
    assert np.mean(np.abs(ours.astype(int) - pil)) < 1.0
    assert np.max(np.abs(ours.astype(int) - pil)) <= 6
    np.testing.assert_array_equal(
        tf_ops.resize_label(tf.constant(label), size),
        transforms.resize_label(label, size))


def test_mcl_lookup_hand_checked():
  train = folds.train_classes('pascal', 0)  # 6..20
  remap = transforms.mcl_lookup(train, remap=True)
  assert remap[0] == 0 and remap[255] == 255
  assert list(remap[6:21]) == list(range(1, 16))
  assert set(remap[1:6]) == {255}
  original = transforms.mcl_lookup(train, remap=False)
  assert list(original[6:21]) == list(range(6, 21))
  assert set(original[1:6]) == {255}


def test_binary_label_boundary_flag():
  label = np.array([[0, 3, 255, 5]], np.uint8)
  np.testing.assert_array_equal(transforms.binary_label(label, 3),
                                [[0, 1, 255, 0]])
  np.testing.assert_array_equal(transforms.binary_label(label, 3, False),
                                [[0, 1, 0, 0]])
