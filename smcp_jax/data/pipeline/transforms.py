# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Image and label transforms, with PIL to match the authors' torchvision.

The authors resize with torchvision on PIL images: BILINEAR (antialiased
when shrinking) for images and NEAREST for labels, straight to a square
(aspect ratio not kept). tf.image / jax.image resizes give other pixels.
"""

import numpy as np
from PIL import Image

from smcp_jax.data.labels import BACKGROUND
from smcp_jax.data.labels import IGNORE_LABEL

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def resize_image(image: np.ndarray, size: int) -> np.ndarray:
  return np.asarray(Image.fromarray(image).resize((size, size),
                                                  Image.BILINEAR))


def resize_label(label: np.ndarray, size: int) -> np.ndarray:
  return np.asarray(Image.fromarray(label).resize((size, size),
                                                  Image.NEAREST))


def padded_size(height: int, width: int, size: int) -> tuple[int, int]:
  """PFENet's test size: the long side to `size`, the short side in
  proportion (truncated), each floored to a multiple of 8 (473 -> 472)."""
  if height >= width:
    height, width = size, int(width * size / height)
  else:
    height, width = int(height * size / width), size
  return max(8, height // 8 * 8), max(8, width // 8 * 8)


def fit(array: np.ndarray, size: int, resize: str, *, label: bool
        ) -> np.ndarray:
  """To a size x size square: 'squash' resizes to it; 'pad' resizes to
  padded_size and pastes top-left, images padded with 0 (black, before
  normalising, as PFENet) and labels with 255 (ignored)."""
  if resize == 'squash':
    return resize_label(array, size) if label else resize_image(array, size)
  resample = Image.NEAREST if label else Image.BILINEAR
  height, width = padded_size(*array.shape[:2], size)
  canvas = np.full((size, size) + array.shape[2:],
                   IGNORE_LABEL if label else 0, array.dtype)
  canvas[:height, :width] = np.asarray(
      Image.fromarray(array).resize((width, height), resample))
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
