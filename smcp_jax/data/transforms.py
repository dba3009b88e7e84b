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
