# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Reading a user's images, masks and boxes, and writing masks.

Every problem is a DataError that names the file and says what to give
instead: a missing or undecodable file, a mask of another size than its
image, an empty or all-foreground mask, a box outside its image.
"""

import os

import numpy as np
from PIL import Image
from PIL import ImageOps

from smcp_jax.data.errors import DataError

# Modes whose pixel values are the label values themselves.
_LABEL_MODES = ('1', 'L', 'P', 'I', 'I;16', 'I;16B', 'I;16L')


def _open(path: str) -> Image.Image:
  """Opens and fully decodes `path`; any decoder failure is a DataError."""
  if not os.path.isfile(path):
    raise DataError(f'{path}: no such file')
  try:
    with Image.open(path) as image:
      image.load()
      return image
  except Exception as e:  # PIL raises many types on corrupt files
    raise DataError(f'{path} is not a readable image ({type(e).__name__}: '
                    f'{e}); give a PNG or JPEG file') from e


def read_image(path: str) -> np.ndarray:
  """uint8 RGB (H, W, 3), turned upright by its EXIF orientation."""
  image = _open(path)
  try:
    image = ImageOps.exif_transpose(image).convert('RGB')
  except Exception as e:
    raise DataError(f'{path}: cannot convert to RGB ({e}); give a PNG or '
                    'JPEG file') from e
  return np.asarray(image)


def read_mask(path: str, class_id: int | None = None) -> np.ndarray:
  """Boolean (H, W) foreground of a mask or label PNG (see mask_of)."""
  return mask_of(_open(path), class_id, path)


def mask_of(image: Image.Image, class_id: int | None = None,
            where: str = 'mask') -> np.ndarray:
  """Boolean (H, W) foreground of a decoded mask image.

  Foreground is every non-zero pixel, or the pixels equal to `class_id` when
  given (for a VOC-style label PNG holding several classes). RGB masks are
  read through their grey level.
  """
  if image.mode not in _LABEL_MODES:
    image = image.convert('L')
  values = np.asarray(image)
  if values.ndim != 2:
    raise DataError(f'{where}: a mask must have one channel, got shape '
                    f'{values.shape}')
  return values == class_id if class_id is not None else values > 0


def parse_box(text: str) -> tuple[float, float, float, float]:
  """'x0,y0,x1,y1' (pixels, x1/y1 exclusive) -> a tuple of floats."""
  try:
    box = tuple(float(v) for v in text.split(','))
  except ValueError:
    box = ()
  if len(box) != 4:
    raise DataError(f'box {text!r} must be four numbers x0,y0,x1,y1 (pixels '
                    'of the support image), e.g. 10,20,200,180')
  return box


def box_mask(box, image_shape, where: str = 'box') -> np.ndarray:
  """Boolean mask filling `box` (x0, y0, x1, y1) inside an image."""
  h, w = image_shape[:2]
  x0, y0, x1, y1 = box
  if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
    raise DataError(
        f'{where} {",".join(f"{v:g}" for v in box)} does not fit the '
        f'{w}x{h} image: need 0 <= x0 < x1 <= {w} and 0 <= y0 < y1 <= {h}')
  mask = np.zeros((h, w), bool)
  mask[int(np.floor(y0)):int(np.ceil(y1)),
       int(np.floor(x0)):int(np.ceil(x1))] = True
  return mask


def check_support(image: np.ndarray, mask: np.ndarray, where: str) -> None:
  """A support annotation must fit its image and mark some, not all, pixels."""
  if mask.shape != image.shape[:2]:
    raise DataError(
        f'{where}: the mask is {mask.shape[1]}x{mask.shape[0]} but its image '
        f'is {image.shape[1]}x{image.shape[0]}; give the mask drawn on that '
        'image at its resolution')
  count = int(mask.sum())
  if count == 0:
    raise DataError(f'{where}: the mask has no foreground pixel; mark the '
                    'object with non-zero values (or pass the right '
                    '--class-id for a label PNG)')
  if count == mask.size:
    raise DataError(f'{where}: every pixel is foreground, so there is no '
                    'object to learn from; is the mask inverted? Mark only '
                    'the object (non-zero) on a zero background')


def write_mask(path: str, mask: np.ndarray) -> None:
  """A 0/255 greyscale PNG."""
  Image.fromarray(mask.astype(np.uint8) * 255).save(path)
