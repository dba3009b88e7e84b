# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Your own data set in the VOC layout (`config.data.dataset = 'custom'`):

  ROOT/classes.txt                       one class name a line: line k is
                                         class id k (0 is background and
                                         not listed; a first line
                                         'background' or '_background_', as
                                         labelme writes, is skipped)
  ROOT/JPEGImages/ID.jpg (or .png)       the images
  ROOT/SegmentationClass/ID.png          labels: pixel value = class id,
                                         0 background, 255 ignored
  ROOT/ImageSets/Segmentation/train.txt  the training images' ids
  ROOT/ImageSets/Segmentation/val.txt    the test images' ids

The class split is the user's (data/folds.py: custom_split).
"""

import functools
import os

import numpy as np

from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import pascal
from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError

CLASSES_FILE = 'classes.txt'
BACKGROUND_NAMES = ('background', '_background_')
SPLITS = {split: (f'{split}.txt', voc_format.VAL_LABEL_DIR)
          for split in ('train', 'val')}  # folds.CUSTOM_SPLITS


@functools.lru_cache(maxsize=16)
def class_names(root: str) -> tuple[str, ...]:
  """The names of classes 1..N from ROOT/classes.txt, checked."""
  path = os.path.join(root, CLASSES_FILE)
  if not tf.io.gfile.exists(path):
    raise DataError(
        f'missing {path}: a custom data set lists its classes there, one '
        'name a line (line k is class id k; background is 0, not listed)')
  with tf.io.gfile.GFile(path) as f:
    lines = [line.rstrip('\r\n') for line in f]
  while lines and not lines[-1].strip():
    lines.pop()  # a trailing newline is fine
  if lines and lines[0].strip().lower() in BACKGROUND_NAMES:
    lines = lines[1:]
  empty = [n for n, line in enumerate(lines, 1) if not line.strip()]
  if empty:
    raise DataError(f'{path}: empty line(s) at class id(s) {empty}; every '
                    'line names one class, in id order')
  names = [line.strip() for line in lines]
  repeated = sorted({n for n in names if names.count(n) > 1})
  if repeated:
    raise DataError(f'{path}: class name(s) {repeated} appear more than '
                    'once; each class needs its own name')
  if not 2 <= len(names) <= 254:
    raise DataError(f'{path} lists {len(names)} classes; a custom data set '
                    'needs 2..254 (label values 1..254; 255 is ignored)')
  return tuple(names)


class CustomVOC(pascal.PascalVOC):
  """The VOC layout above: 'train' and 'val' lists, labels in
  SegmentationClass, images as .jpg or .png."""

  def __init__(self, root: str):
    super().__init__(root)
    self.names = class_names(root)

  def image_ids(self, split: str) -> list[str]:
    if split not in SPLITS:
      raise DataError(f'a custom data set has the splits {list(SPLITS)}, '
                      f'not {split!r}')
    path = os.path.join(self.root, voc_format.LIST_DIR, SPLITS[split][0])
    if not tf.io.gfile.exists(path):
      raise DataError(f'missing list file {path}: the ids of the {split} '
                      'images, one a line')
    ids = voc_format.read_list(path)
    if not ids:
      raise DataError(f'the {split} split is empty: {path} lists no image')
    return ids

  def image_path(self, image_id: str, split: str = '') -> str:
    del split
    jpg = os.path.join(self.root, voc_format.IMAGE_DIR, image_id + '.jpg')
    png = jpg[:-len('.jpg')] + '.png'
    return png if not tf.io.gfile.exists(jpg) and tf.io.gfile.exists(
        png) else jpg

  def label_path(self, image_id: str, split: str) -> str:
    return os.path.join(self.root, SPLITS[split][1], image_id + '.png')

  def load_label(self, image_id: str, split: str):
    """The label, checked to hold only 0, the listed ids and 255."""
    label = super().load_label(image_id, split)
    values = set(np.unique(label).tolist()) - {0, 255}
    beyond = sorted(v for v in values if v > len(self.names))
    if beyond:
      raise DataError(
          f'{self.label_path(image_id, split)} has pixel value(s) {beyond}, '
          f'but {CLASSES_FILE} lists {len(self.names)} classes (ids '
          f'1..{len(self.names)}; 0 background, 255 ignored): add their '
          'names, or fix the label')
    return label
