# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The PASCAL VOC on-disk layout: folders, list files, palette PNGs."""

import io

import numpy as np
from PIL import Image

from smcp_jax.data.quiet_tf import tf

IMAGE_DIR = 'JPEGImages'
LABEL_DIR = 'SegmentationClassAug'  # SBD-augmented semantic labels
VAL_LABEL_DIR = 'SegmentationClass'  # the original VOC2012 labels
INSTANCE_DIR = 'SegmentationObject'
LIST_DIR = 'ImageSets/Segmentation'


def _colour_map() -> tuple[int, ...]:
  palette = []
  for index in range(256):
    r = g = b = 0
    c = index
    for shift in range(7, -1, -1):
      r |= (c & 1) << shift
      g |= ((c >> 1) & 1) << shift
      b |= ((c >> 2) & 1) << shift
      c >>= 3
    palette += [r, g, b]
  return tuple(palette)


# Built once: building it for every label written was a fifth of the toy
# set's generation time.
_COLOUR_MAP = _colour_map()


def voc_palette() -> list[int]:
  """The standard VOC colour map (256 RGB triples, flattened)."""
  return list(_COLOUR_MAP)


def write_label_png(path: str, label: np.ndarray) -> None:
  image = Image.fromarray(label.astype(np.uint8), mode='P')
  image.putpalette(voc_palette())
  buffer = io.BytesIO()
  image.save(buffer, format='PNG')
  tf.io.gfile.GFile(path, 'wb').write(buffer.getvalue())


def read_list(path: str) -> list[str]:
  """Image ids of a list file (first column; blank lines skipped)."""
  with tf.io.gfile.GFile(path) as f:
    return [line.split()[0] for line in f if line.strip()]


def write_list(path: str, ids: list[str]) -> None:
  with tf.io.gfile.GFile(path, 'w') as f:
    f.write(''.join(f'{i}\n' for i in ids))
