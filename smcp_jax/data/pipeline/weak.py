# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Weak support annotations for testing (paper Table IX): scribbles, boxes.

Both are made from the dense masks, as PANet made its annotations. A
scribble is the skeleton of one (randomly chosen) object of the class,
eroded first so it stays well inside; a box is the filled bounding box of a
random instance of the class (the paper; the authors' code takes the
largest, a flag).
"""

import numpy as np
from scipy import ndimage
from skimage import morphology

from smcp_jax.data.labels import BACKGROUND
from smcp_jax.data.labels import IGNORE_LABEL

ANNOTATIONS = ('dense', 'scribble', 'bbox')
BOX_CHOICES = ('random', 'largest')


def _components(mask: np.ndarray) -> list[np.ndarray]:
  labels, count = ndimage.label(mask)
  return [labels == i for i in range(1, count + 1)]


def scribble(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
  """A 1-pixel scribble inside one object of the binary `mask`."""
  parts = _components(mask)
  if not parts:
    return np.zeros_like(mask, bool)
  part = parts[rng.integers(len(parts))]
  eroded = ndimage.binary_erosion(part, iterations=2)
  skeleton = morphology.skeletonize(eroded if eroded.any() else part)
  return skeleton & part


def bbox(mask: np.ndarray, instances: np.ndarray | None,
         rng: np.random.Generator, choice: str = 'random') -> np.ndarray:
  """The filled box of one instance of the class (`mask` = its pixels).

  Instances are the instance-id map; where there is none (e.g. SBD images
  without SegmentationObject), connected components of the mask stand in.
  """
  if instances is not None:
    ids = [i for i in np.unique(instances[mask])
           if i not in (BACKGROUND, IGNORE_LABEL)]
    parts = [mask & (instances == i) for i in ids]
  else:
    parts = _components(mask)
  parts = [p for p in parts if p.any()]
  if not parts:
    return np.zeros_like(mask, bool)
  if choice == 'largest':
    part = max(parts, key=np.sum)
  else:
    part = parts[rng.integers(len(parts))]
  rows, cols = np.flatnonzero(part.any(1)), np.flatnonzero(part.any(0))
  box = np.zeros_like(mask, bool)
  box[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] = True
  return box
