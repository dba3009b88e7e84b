# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""FSS-1000 reader: one folder per class, `<class>/<n>.jpg` with its mask
`<class>/<n>.png`, and HSNet's class split.

The split is three list files of class names, `trn.txt`, `val.txt` and
`test.txt` (HSNet's `data/splits/fss/`: 520 / 240 / 240 classes), in
`config.data.split_dir`. Class ids follow HSNet's order (trn, val, test,
each sorted), from 1. Splits 'trn', 'val', 'test' are the images of those
classes. A mask is read as grey and thresholded at 128 (HSNet); its
foreground has the value 1 whatever the class (label_value), since each
image holds one class and there are more classes than a uint8 label map
can name.
"""

import os

import numpy as np

from smcp_jax.data.quiet_tf import tf
from smcp_jax.data.readers import pascal
from smcp_jax.errors import DataError

SPLITS = ('trn', 'val', 'test')


class FSS1000:
  """The FSS-1000 folder layout with a class split from list files."""

  def __init__(self, root: str, split_dir: str):
    if not tf.io.gfile.isdir(root):
      raise DataError(f'data root {root!r} does not exist. Point '
                      'config.data.root at the FSS-1000 folder (one folder '
                      'per class).')
    if not split_dir:
      raise DataError('FSS-1000 needs its class split: point '
                      'config.data.split_dir at a folder with trn.txt, '
                      'val.txt and test.txt (HSNet: data/splits/fss)')
    self.root = root
    self.classes = {split: self._read_split(split_dir, split)
                    for split in SPLITS}
    names = [n for split in SPLITS for n in self.classes[split]]
    self.class_ids = {name: i for i, name in enumerate(names, start=1)}

  @staticmethod
  def _read_split(split_dir: str, split: str) -> list[str]:
    path = os.path.join(split_dir, f'{split}.txt')
    if not tf.io.gfile.exists(path):
      raise DataError(f'missing class list {path}; config.data.split_dir '
                      'must hold trn.txt, val.txt and test.txt')
    with tf.io.gfile.GFile(path) as f:
      names = sorted({line.strip() for line in f if line.strip()})
    if not names:
      raise DataError(f'class list {path} is empty')
    return names

  def split_class_ids(self, split: str) -> tuple[int, ...]:
    return tuple(self.class_ids[n] for n in self._split(split))

  def _split(self, split: str) -> list[str]:
    if split not in SPLITS:
      raise DataError(f'unknown FSS-1000 split {split!r}; use one of '
                      f'{list(SPLITS)}')
    return self.classes[split]

  def _class_images(self, name: str) -> list[str]:
    folder = os.path.join(self.root, name)
    if not tf.io.gfile.isdir(folder):
      raise DataError(f'class {name!r} of the split lists has no folder '
                      f'{folder}')
    return sorted(f'{name}/{f[:-4]}' for f in tf.io.gfile.listdir(folder)
                  if f.endswith('.jpg'))

  def image_ids(self, split: str) -> list[str]:
    """'<class>/<n>' of every image of the split's classes, sorted."""
    return sorted(i for name in self._split(split)
                  for i in self._class_images(name))

  def image_path(self, image_id: str, split: str = '') -> str:
    del split
    return os.path.join(self.root, image_id + '.jpg')

  def label_path(self, image_id: str, split: str = '') -> str:
    del split
    return os.path.join(self.root, image_id + '.png')

  def label_value(self, class_id: int) -> int:
    del class_id  # one class an image: its pixels are 1
    return 1

  def load_label(self, image_id: str, split: str = '') -> np.ndarray:
    grey = pascal.read_image_file(self.label_path(image_id), 'L')
    return (grey >= 128).astype(np.uint8)

  def load_instances(self, image_id: str, split: str = ''):
    del image_id, split  # no instance masks: boxes use connected components
    return None

  def load_pair(self, image_id: str, split: str = ''):
    image = pascal.read_image_file(self.image_path(image_id), 'RGB')
    label = self.load_label(image_id)
    if image.shape[:2] != label.shape:
      raise DataError(f'mask {self.label_path(image_id)} is '
                      f'{label.shape[::-1]} (W, H) but its image is '
                      f'{image.shape[1::-1]}')
    return image, label

  def class_index(self, split: str, *, min_area: int = 0,
                  cache_dir: str | None = None) -> dict[int, list[str]]:
    """Each class's images (those whose mask has >= min_area pixels)."""
    del cache_dir  # the folders are the index
    index = {}
    for name in self._split(split):
      images = self._class_images(name)
      if min_area:
        images = [i for i in images if self.load_label(i).sum() >= min_area]
      index[self.class_ids[name]] = images
    return index
