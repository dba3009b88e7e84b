# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL VOC 2012 (+SBD) reader; also reads the generated toy data set.

`root` is `.../VOCdevkit/VOC2012`. Paths go through tf.io.gfile, so gs://
buckets work. Splits: 'trainaug' (ImageSets/Segmentation/trainaug.txt with
SegmentationClassAug labels: training, and the authors' test episodes) and
'val' (val.txt with SegmentationClass labels: the OSLSM/PFENet/HSNet test).
"""

import io
import os

import numpy as np
from PIL import Image

from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import class_index as class_index_lib
from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError

SPLITS = {'trainaug': ('trainaug.txt', voc_format.LABEL_DIR),
          'train': ('train.txt', voc_format.LABEL_DIR),
          'val': ('val.txt', voc_format.VAL_LABEL_DIR)}


def read_image_file(path: str, mode: str) -> np.ndarray:
  """Decodes an image file with PIL; a clear error if missing or unreadable."""
  if not tf.io.gfile.exists(path):
    raise DataError(f'missing file: {path}')
  with tf.io.gfile.GFile(path, 'rb') as f:
    return decode_image_bytes(f.read(), mode, path)


def decode_image_bytes(data: bytes, mode: str, where: str) -> np.ndarray:
  """An encoded image ('RGB' or 'L') or label ('label': the palette indices
  or grey values) -> array, with PIL; `where` names it in errors."""
  try:
    image = Image.open(io.BytesIO(data))
    if mode == 'label' and image.mode not in ('P', 'L', 'I', 'I;16'):
      raise DataError(f'{where}: a label must be a single-channel PNG '
                      f'(palette or grey), got mode {image.mode}')
    image = image.convert(mode) if mode in ('RGB', 'L') else image
    return np.asarray(image)
  except DataError:
    raise
  except Exception as e:  # PIL raises many types for broken files
    raise DataError(f'unreadable image {where}: {type(e).__name__}: {e}. '
                    'Re-extract or delete the file.') from e


class PascalVOC:
  """PASCAL VOC layout: JPEG images, palette PNG labels, list files."""

  def __init__(self, root: str):
    if not tf.io.gfile.isdir(root):
      raise DataError(
          f'data root {root!r} does not exist. Point config.data.root at '
          '.../VOCdevkit/VOC2012, or make the toy set with '
          '`python -m smcp_jax.toy --out data/toy`.')
    self.root = root

  def image_ids(self, split: str) -> list[str]:
    if split not in SPLITS:
      raise DataError(f'unknown split {split!r}; use one of {list(SPLITS)}')
    path = os.path.join(self.root, voc_format.LIST_DIR, SPLITS[split][0])
    if not tf.io.gfile.exists(path):
      raise DataError(f'missing list file {path} for split {split!r}. The '
                      'trainaug list comes with the SBD-augmented VOC (e.g. '
                      "the authors' VOCdevkit.zip).")
    ids = voc_format.read_list(path)
    if not ids:
      raise DataError(f'list file {path} is empty')
    return ids

  def image_path(self, image_id: str, split: str = '') -> str:
    del split  # one image folder for every split
    return os.path.join(self.root, voc_format.IMAGE_DIR, image_id + '.jpg')

  def label_path(self, image_id: str, split: str) -> str:
    return os.path.join(self.root, SPLITS[split][1], image_id + '.png')

  def load_image(self, image_id: str) -> np.ndarray:
    return read_image_file(self.image_path(image_id), 'RGB')

  def load_label(self, image_id: str, split: str) -> np.ndarray:
    path = self.label_path(image_id, split)
    if not tf.io.gfile.exists(path):
      raise DataError(f'image {image_id!r} has no label: missing {path}. '
                      f'Remove it from the {split} list or add the label.')
    return read_image_file(path, 'label').astype(np.uint8)

  def load_instances(self, image_id: str, split: str) -> np.ndarray | None:
    """Instance ids (SegmentationObject), or None where the file is absent."""
    del split  # one instance folder for every split
    path = os.path.join(self.root, voc_format.INSTANCE_DIR, image_id + '.png')
    if not tf.io.gfile.exists(path):
      return None
    return read_image_file(path, 'label').astype(np.uint8)

  def label_value(self, class_id: int) -> int:
    """The value of `class_id`'s pixels in a label map: its id."""
    return class_id

  def class_index(self, split: str, *, min_area: int = 0,
                  cache_dir: str | None = None) -> class_index_lib.ClassIndex:
    return class_index_lib.scan_class_index(self, split, min_area=min_area,
                                            cache_dir=cache_dir)

  def load_pair(self, image_id: str, split: str):
    """(image, label), checked to have the same size."""
    image, label = self.load_image(image_id), self.load_label(image_id, split)
    if image.shape[:2] != label.shape:
      raise DataError(
          f'label {self.label_path(image_id, split)} is {label.shape[::-1]} '
          f'(W, H) but its image is {image.shape[1::-1]}; labels must match '
          'their image size.')
    return image, label
