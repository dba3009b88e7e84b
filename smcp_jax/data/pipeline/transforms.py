# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Image and label transforms, with PIL to match the authors' torchvision.

The authors resize with torchvision on PIL images: BILINEAR (antialiased
when shrinking) for images and NEAREST for labels, straight to a square
(aspect ratio not kept). tf.image / jax.image resizes give other pixels.

Nearest-neighbour label resizes differ between the field's libraries;
destination pixel i of `out` takes source pixel
  pil    floor((i + 0.5) * in / out)   PIL's NEAREST (PANet, the authors)
  torch  floor(f32(i) * f32(in / out)) F.interpolate(mode='nearest') (HSNet)
  cv2    floor(i * (1 / (out / in)))   cv2.INTER_NEAREST, in double
                                       (PFENet, BAM)
each capped at in - 1; about 1% of a label's pixels, at object edges, move
between the rules.
"""

import numpy as np
from PIL import Image

from smcp_jax.data.labels import BACKGROUND
from smcp_jax.data.labels import IGNORE_LABEL

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def _height_width(size) -> tuple[int, int]:
  return (size, size) if np.isscalar(size) else tuple(size)


def resize_image(image: np.ndarray, size) -> np.ndarray:
  """PIL BILINEAR to `size` (a side, or (height, width))."""
  height, width = _height_width(size)
  return np.asarray(Image.fromarray(image).resize((width, height),
                                                  Image.BILINEAR))


NEAREST_RULES = ('pil', 'torch', 'cv2')


def _floor_sources(in_size: int, out_size: int, rule: str) -> np.ndarray:
  """The source index of each destination pixel under the 'torch' or
  'cv2' rule (above)."""
  i = np.arange(out_size)
  if rule == 'torch':  # its special cases (same size, x2) agree with this
    scale = np.float32(np.float32(in_size) / np.float32(out_size))
    source = np.floor(i.astype(np.float32) * scale)
  else:
    source = np.floor(i * (1.0 / (out_size / in_size)))
  return np.minimum(source.astype(np.int64), in_size - 1)


def resize_label(label: np.ndarray, size, rule: str = 'pil') -> np.ndarray:
  """Nearest resize to `size` (a side, or (height, width)) by `rule`."""
  if rule not in NEAREST_RULES:
    raise ValueError(f'nearest rule must be one of {NEAREST_RULES}, got '
                     f'{rule!r}')
  height, width = _height_width(size)
  if rule == 'pil':
    return np.asarray(Image.fromarray(label).resize((width, height),
                                                    Image.NEAREST))
  rows = _floor_sources(label.shape[0], height, rule)
  cols = _floor_sources(label.shape[1], width, rule)
  return label[rows[:, None], cols[None, :]]


def padded_size(height: int, width: int, size: int) -> tuple[int, int]:
  """PFENet's and BAM's test size: the long side to `size`, the short side
  in proportion, each floored to a multiple of 8 (473 -> 472). Their
  arithmetic, in floating point: int(w * (size * 1.0 / h)), so 296x407 at
  473 is 336x472 (exactly 344 x 472, truncated from 343.99...)."""
  if height >= width:
    height, width = size, int(width * (size * 1.0 / height))
  else:
    height, width = int(height * (size * 1.0 / width)), size
  return max(8, height // 8 * 8), max(8, width // 8 * 8)


def fit(array: np.ndarray, size: int, resize: str, *, label: bool,
        nearest: str = 'pil') -> np.ndarray:
  """To a size x size square: 'squash' resizes to it; 'pad' resizes to
  padded_size and pastes top-left, images padded with 0 (black, before
  normalising, as PFENet) and labels with 255 (ignored). Labels resize by
  the `nearest` rule."""
  shape = ((size, size) if resize == 'squash'
           else padded_size(*array.shape[:2], size))
  resized = (resize_label(array, shape, nearest) if label
             else resize_image(array, shape))
  if resize == 'squash':
    return resized
  canvas = np.full((size, size) + array.shape[2:],
                   IGNORE_LABEL if label else 0, array.dtype)
  canvas[:shape[0], :shape[1]] = resized
  return canvas


def pad_to_square(label: np.ndarray) -> np.ndarray:
  """The label padded bottom / right with 255 to a square of its long side
  (PFENet's original-resolution target under 'pad')."""
  side = max(label.shape)
  out = np.full((side, side), IGNORE_LABEL, label.dtype)
  out[:label.shape[0], :label.shape[1]] = label
  return out


def normalize(image: np.ndarray) -> np.ndarray:
  """uint8 RGB -> float32, ImageNet mean/std normalised."""
  return (image.astype(np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD


def binary_label(label: np.ndarray, class_id: int,
                 ignore_boundary: bool = True) -> np.ndarray:
  """1 on the class, 0 elsewhere, 255 on void pixels if `ignore_boundary`.

  Other classes, novel ones included, are background. The authors keep 255
  for the query but turn it into background for the support (a flag).
  """
  out = (label == class_id).astype(np.uint8)
  if ignore_boundary:
    out[label == IGNORE_LABEL] = IGNORE_LABEL
  return out


def mcl_lookup(train_classes, remap: bool) -> np.ndarray:
  """A 256-entry table: label value -> multi-class (MCL) target.

  Background stays 0, void 255, novel classes become 255 (ignored). With
  `remap` the training classes become 1..|C_train| (the paper's
  |C_train|+1-way head); otherwise they keep their ids (the authors' 21- or
  81-way head).
  """
  table = np.full(256, IGNORE_LABEL, np.uint8)
  table[BACKGROUND] = BACKGROUND
  for new_id, c in enumerate(sorted(train_classes), start=1):
    table[c] = new_id if remap else c
  return table
