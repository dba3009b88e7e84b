# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A user's images and masks: bit depth, transparency, label maps, EXIF."""

import logging

import numpy as np
from PIL import Image
import pytest

from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError
from smcp_jax.serving import image_io

_ORIENTATION = 0x0112  # the EXIF tag


def test_16_bit_grey_is_scaled_not_saturated(tmp_path):
  values = np.array([[0, 257, 32896], [65535, 1000, 60000]], np.uint16)
  Image.fromarray(values).save(tmp_path / 'deep.png')
  rgb = image_io.read_image(str(tmp_path / 'deep.png'))
  expected = np.round(values / 257).astype(np.uint8)  # 65535 / 255 = 257
  np.testing.assert_array_equal(rgb, np.repeat(expected[..., None], 3, -1))


def test_transparency_is_composed_on_neutral_and_said(tmp_path, caplog):
  rgba = np.zeros((4, 6, 4), np.uint8)
  rgba[..., 0] = 200
  rgba[:, :3, 3] = 255  # left half opaque red, right half transparent
  Image.fromarray(rgba, 'RGBA').save(tmp_path / 'cut.png')
  with caplog.at_level(logging.WARNING):
    rgb = image_io.read_image(str(tmp_path / 'cut.png'))
  np.testing.assert_array_equal(rgb[:, :3], np.full((4, 3, 3), (200, 0, 0)))
  np.testing.assert_array_equal(rgb[:, 3:],
                                np.full((4, 3, 3), image_io.NEUTRAL_RGB))
  assert 'cut.png has transparent pixels' in caplog.text


def test_void_border_of_a_label_map_is_not_foreground(tmp_path):
  label = np.zeros((6, 6), np.uint8)
  label[1:5, 1:5] = 255  # VOC's boundary band ...
  label[2:4, 2:4] = 15  # ... around the object
  voc_format.write_label_png(str(tmp_path / 'voc.png'), label)
  mask = image_io.read_mask(str(tmp_path / 'voc.png'))
  np.testing.assert_array_equal(mask, label == 15)
  binary = (label > 0).astype(np.uint8) * 255  # a 0/255 mask: 255 is object
  Image.fromarray(binary).save(tmp_path / 'binary.png')
  np.testing.assert_array_equal(
      image_io.read_mask(str(tmp_path / 'binary.png')), label > 0)
  soft = np.array([[0, 100, 200, 255]], np.uint8)  # a soft mask, no labels
  Image.fromarray(soft).save(tmp_path / 'soft.png')
  np.testing.assert_array_equal(  # half its range (issue 26, item 21)
      image_io.read_mask(str(tmp_path / 'soft.png')), soft > 127.5)


def test_a_mask_with_a_faint_mark_is_not_a_label_map(tmp_path, caplog):
  """Issue 26, item 3: with the object at 255 and a small "unsure" patch at
  50, 255 was taken for a void border and the patch for the object."""
  mask = np.zeros((40, 40), np.uint8)
  mask[5:30, 5:30] = 255  # the object
  mask[33:36, 33:36] = 50  # a soft-brush mark
  Image.fromarray(mask).save(tmp_path / 'marked.png')
  read = image_io.read_mask(str(tmp_path / 'marked.png'))
  np.testing.assert_array_equal(read, mask == 255)
  assert 'has grey levels' in caplog.text
  # A grey label map with VOC's thin band is still one, and says so.
  label = np.zeros((40, 40), np.uint8)
  label[4:30, 4:30] = 255
  label[7:27, 7:27] = 12
  Image.fromarray(label).save(tmp_path / 'aug.png')
  np.testing.assert_array_equal(
      image_io.read_mask(str(tmp_path / 'aug.png')), label == 12)
  assert 'is read as a label map' in caplog.text


def test_a_jpeg_mask_is_thresholded_at_half(tmp_path, caplog):
  """Issue 26, item 21: compression noise around the object counted as
  object (IoU 0.89 with the drawn mask)."""
  mask = np.zeros((64, 64), np.uint8)
  mask[16:48, 20:44] = 255
  Image.fromarray(mask).save(tmp_path / 'mask.jpg', quality=60)
  noisy = np.asarray(Image.open(tmp_path / 'mask.jpg'))
  assert ((noisy > 0) != (mask > 0)).sum() > 50  # the noise is there
  read = image_io.read_mask(str(tmp_path / 'mask.jpg'))
  assert (read != (mask > 0)).sum() <= 4
  assert 'half its range' in caplog.text


def test_the_alpha_of_a_cut_out_is_the_mask(tmp_path, caplog):
  """Issue 26, item 22: an RGBA cut-out's alpha was ignored."""
  cut = np.zeros((20, 30, 4), np.uint8)
  cut[..., :3] = (200, 40, 40)  # colour everywhere, even where transparent
  cut[4:15, 6:20, 3] = 255
  Image.fromarray(cut, 'RGBA').save(tmp_path / 'cut.png')
  np.testing.assert_array_equal(
      image_io.read_mask(str(tmp_path / 'cut.png')), cut[..., 3] > 0)
  assert 'alpha channel is read as the mask' in caplog.text


def _with_orientation(array, path, orientation):
  exif = Image.Exif()
  exif[_ORIENTATION] = orientation
  Image.fromarray(array).save(path, exif=exif)
  return str(path)


def test_exif_turns_images_and_masks_alike(tmp_path):
  image = np.zeros((20, 30, 3), np.uint8)
  image[2:6, 3:9] = 255
  mask = image[..., 0] > 0
  image_path = _with_orientation(image, tmp_path / 'i.png', 6)  # 90 deg
  mask_path = _with_orientation(mask.astype(np.uint8) * 255,
                                tmp_path / 'm.png', 6)
  upright, upright_mask = (image_io.read_image(image_path),
                           image_io.read_mask(mask_path))
  assert upright.shape[:2] == upright_mask.shape == (30, 20)
  np.testing.assert_array_equal(upright[..., 0] > 0, upright_mask)
  image_io.check_support(upright, upright_mask, 'support')
  plain = image_io.read_mask(
      _with_orientation(mask.astype(np.uint8) * 255, tmp_path / 'p.png', 1))
  with pytest.raises(DataError, match='EXIF orientation'):
    image_io.check_support(upright, plain, 'support')
